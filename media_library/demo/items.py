"""What the demo pack holds: each item's record, and for the fakes the code that makes them.

Real items are the package files byte for byte. Every fake is made here from those photos, and
its `recipe` says exactly how; its `original` is the real item it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from media_library.demo import faces, pictures, video
from media_library.demo.sources import COLLINS, HOPPER, HUBBLE, ROCKET, PackagePhoto
from media_library.models import Clip, Technique, TellCategory, Verdict

# Bump when the code that makes the fakes changes what it makes.
CODE_VERSION = "demo-pack/1"
GENERATOR = "media_library.demo"

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class TellSpec:
    category: TellCategory
    explanation: str
    box: Box | None = None  # normalised 0..1
    start: float = 0.0
    end: float = 0.0


@dataclass
class Made:
    """A generated file and what is known about it once made."""

    path: Path
    params: dict
    tells: list[TellSpec] = field(default_factory=list)


@dataclass(frozen=True)
class Item:
    key: str
    title: str
    verdict: Verdict
    technique: Technique = Technique.NONE
    photo: PackagePhoto | None = None  # real items: the file itself
    original: str = ""  # key of the real item a fake came from
    sources: tuple[str, ...] = ()  # every real item whose pixels went in
    operation: str = ""
    make: Callable[[Path], Made] | None = None
    suffix: str = ".png"
    people: str = ""
    content_notes: str = ""


def normalised(box: tuple[int, int, int, int], size: tuple[int, int]) -> Box:
    x, y, w, h = box
    width, height = size
    return (x / width, y / height, w / width, h / height)


def save_png(pixels: np.ndarray, path: Path) -> None:
    # PNG keeps every untouched pixel exactly the source's; no metadata rides along.
    Image.fromarray(pixels).save(path, "PNG")


# Deepfakes: face swaps between the two public-domain portraits.


def _swap_tells(result: faces.SwapResult, size: tuple[int, int], face_from: str) -> list[TellSpec]:
    box = normalised(result.changed_box, size)
    return [
        TellSpec(
            TellCategory.FACE_EDGES,
            f"The face is {face_from}'s, pasted inside an oval that fades in at its rim: around "
            "the edge of the oval the skin changes texture and shade, and lines of the two "
            "faces meet without joining up.",
            box,
        ),
        TellSpec(
            TellCategory.SKIN,
            "The pasted face's colour was matched to this photo only on average: its shading "
            "and the direction of its light come from the other portrait, so it looks lit "
            "differently from the neck, ears and hair around it.",
            box,
        ),
    ]


def make_hopper_on_collins(path: Path) -> Made:
    result = faces.swap_face(HOPPER.pixels(), COLLINS.pixels())
    save_png(result.image, path)
    size = (result.image.shape[1], result.image.shape[0])
    tells = _swap_tells(result, size, "Grace Hopper")
    tells.append(
        TellSpec(
            TellCategory.ACCESSORIES,
            "Hopper's glasses came along with her face and stop dead at the edge of the pasted "
            "oval: the frames have no arms running back to the ears.",
            normalised(result.changed_box, size),
        )
    )
    return Made(path, result.params(), tells)


def make_collins_on_hopper(path: Path) -> Made:
    source_face = faces.detect_face(COLLINS.pixels())
    result = faces.swap_face(COLLINS.pixels(), HOPPER.pixels(), source_face=source_face)
    save_png(result.image, path)
    size = (result.image.shape[1], result.image.shape[0])
    box = normalised(result.changed_box, size)
    target = result.target_face
    enlargement = np.hypot(
        target.right_eye[0] - target.left_eye[0], target.right_eye[1] - target.left_eye[1]
    ) / np.hypot(
        source_face.right_eye[0] - source_face.left_eye[0],
        source_face.right_eye[1] - source_face.left_eye[1],
    )
    tells = _swap_tells(result, size, "Eileen Collins")
    tells += [
        TellSpec(
            TellCategory.ACCESSORIES,
            "The arms of Hopper's glasses still run from her temples, but the lenses and "
            "frames that belong over the eyes are gone.",
            box,
        ),
        TellSpec(
            TellCategory.HAIR_DETAIL,
            f"The pasted face was enlarged about {enlargement:.1f} times from a smaller photo: "
            "it is soft next to the sharp detail of the cap, hair and collar, and a fringe of "
            "another woman's hair shows under the cap.",
            box,
        ),
    ]
    params = result.params() | {"enlargement": round(float(enlargement), 2)}
    return Made(path, params, tells)


def make_morph_on_collins(path: Path) -> Made:
    result = faces.swap_face(HOPPER.pixels(), COLLINS.pixels(), mix=0.5)
    save_png(result.image, path)
    size = (result.image.shape[1], result.image.shape[0])
    box = normalised(result.changed_box, size)
    tells = [
        TellSpec(
            TellCategory.TEETH_MOUTH,
            "Two mouths show through each other: a wide smile with teeth and a closed mouth, "
            "each at half strength.",
            box,
        ),
        TellSpec(
            TellCategory.FACE_EDGES,
            "Eyes, brows and glasses frames are doubled like a double exposure, and the face "
            "fades into the head at the rim of an oval.",
            box,
        ),
    ]
    return Made(path, result.params() | {"mix": 0.5}, tells)


def make_swap_video(path: Path) -> Made:
    """Hopper's face on Collins, swapped frame by frame over a slow push-in on the portrait."""
    still = COLLINS.pixels()
    hopper = HOPPER.pixels()
    hopper_face = faces.detect_face(hopper)
    still_face = faces.detect_face(still)
    fx, fy, fw, fh = still_face.box
    side = 2.6 * fw
    centre = (fx + fw / 2, fy + fh * 0.6)
    move = video.CameraMove(
        start=(0.0, 0.0, float(still.shape[1]), float(still.shape[0])),
        end=(centre[0] - side / 2, centre[1] - side / 2, side, side),
        seconds=4.0,
        size=(384, 384),
    )
    boxes: list[tuple[int, int, int, int]] = []
    detected = 0

    def swap(index: int, frame: np.ndarray) -> np.ndarray:
        nonlocal detected
        # Each frame is swapped on its own, as deepfake tools do: the detector's box moves a
        # little from frame to frame, and so does the pasted face.
        try:
            target_face = faces.detect_face(frame)
            detected += 1
        except faces.NoFaceFound:
            target_face = _face_in_window(still_face, move.window(index), move.size)
        result = faces.swap_face(hopper, frame, source_face=hopper_face, target_face=target_face)
        boxes.append(result.changed_box)
        return result.image

    video.write_mp4(path, move.size, video.frames(still, move), each=swap)
    # The tells are marked over the last second, where the camera is closest to the face.
    last = boxes[-video.FPS :]
    x0, y0 = min(b[0] for b in last), min(b[1] for b in last)
    x1, y1 = max(b[0] + b[2] for b in last), max(b[1] + b[3] for b in last)
    box = normalised((x0, y0, x1 - x0, y1 - y0), move.size)
    tells = [
        TellSpec(
            TellCategory.FACE_EDGES,
            "Every frame was swapped on its own: the pasted oval is placed from that frame's "
            "face detection, so it slides and changes size a little against the head as the "
            "camera moves in, and its edge shimmers. The box covers where the oval goes in "
            "the last second.",
            box,
            move.seconds - 1.0,
            move.seconds,
        ),
        TellSpec(
            TellCategory.ACCESSORIES,
            "Hopper's glasses came with her face and end at the edge of the oval, with no arms "
            "running back to the ears.",
            box,
            move.seconds - 1.0,
            move.seconds,
        ),
    ]
    params = {
        "camera_move": move.as_dict(),
        "source_face": hopper_face.as_dict(),
        "frames": move.frame_count,
        "frames_with_detected_face": detected,
        "distinct_face_boxes": len(set(boxes)),
        "swap": "as face_swap, per frame (Haar detection, eye alignment, Lab colour match, "
        f"alpha blend feathered over {faces.FEATHER:.0%} of the face width)",
        "encoding": "libx264 crf 18, yuv420p, no audio",
    }
    return Made(path, params, tells)


def _face_in_window(face: faces.Face, window, size) -> faces.Face:
    """Where a face of the still lands in a frame showing `window` of it."""
    wx, wy, ww, wh = window
    sx, sy = size[0] / ww, size[1] / wh

    def point(p: tuple[float, float]) -> tuple[float, float]:
        return ((p[0] - wx) * sx, (p[1] - wy) * sy)

    x, y, w, h = face.box
    (nx, ny) = point((x, y))
    box = (int(nx), int(ny), int(w * sx), int(h * sy))
    return faces.Face(box, point(face.left_eye), point(face.right_eye), face.eyes_detected)


# Shallowfakes: real photos, false context.

ROCKET_CAPTION = (
    "Cape Canaveral, July 1969: Apollo 11 waits on the pad before its flight to the Moon."
)
SWARM_CAPTION = "LEAKED: telescope photographs a swarm of unknown objects heading for Earth"
# The shuttle model on the desk beside Collins, without her, the desk or anything for scale.
MODEL_BOX = (355, 0, 120, 265)


def make_rocket_caption(path: Path) -> Made:
    picture, caption_box = pictures.with_caption_below(ROCKET.pixels(), ROCKET_CAPTION)
    save_png(picture, path)
    size = (picture.shape[1], picture.shape[0])
    tells = [
        TellSpec(
            TellCategory.CONTEXT_CAPTION,
            "The photo is real but the caption is false: it shows a SpaceX Falcon 9 carrying "
            "the DSCOVR satellite in 2015, not Apollo 11 in 1969. The Saturn V was a different, "
            "much larger rocket, and the tall lightning towers around this pad are modern.",
            normalised(caption_box, size),
        )
    ]
    return Made(path, {"caption": ROCKET_CAPTION, "caption_box": list(caption_box)}, tells)


def make_model_crop(path: Path) -> Made:
    picture = pictures.crop(COLLINS.pixels(), MODEL_BOX)
    save_png(picture, path)
    tells = [
        TellSpec(
            TellCategory.CROP,
            "A crop of NASA's portrait of Eileen Collins: the full photo shows this is a desk "
            "model of the shuttle a little taller than her head. Cut away from her and the "
            "table, nothing shows its size, and it reads as the real launch stack.",
        )
    ]
    return Made(path, {"crop_box": list(MODEL_BOX), "source_size": [512, 512]}, tells)


def make_swarm_video(path: Path) -> Made:
    still = HUBBLE.pixels()
    height, width = still.shape[:2]
    move = video.CameraMove(
        start=(0.0, 0.0, 560.0, 315.0),
        end=(float(width - 560), float(height - 315), 560.0, 315.0),
        seconds=5.0,
        size=(640, 360),
    )
    caption_box: list[int] = []

    def caption(index: int, frame: np.ndarray) -> np.ndarray:
        captioned, box = pictures.burn_caption(frame, SWARM_CAPTION)
        caption_box[:] = box
        return captioned

    video.write_mp4(path, move.size, video.frames(still, move), each=caption)
    tells = [
        TellSpec(
            TellCategory.CONTEXT_CAPTION,
            "The pictures are real but the caption is false: this is NASA's Hubble eXtreme "
            "Deep Field (2012), and every dot and smudge is a galaxy billions of light years "
            "away. The 'video' is a slow pan over that one still photograph.",
            normalised(tuple(caption_box), move.size),
            0.0,
            move.seconds,
        )
    ]
    params = {"camera_move": move.as_dict(), "caption": SWARM_CAPTION}
    return Made(path, params | {"caption_box": caption_box}, tells)


def make_model_video(path: Path) -> Made:
    still = COLLINS.pixels()
    x, y, w, h = MODEL_BOX
    move = video.CameraMove(
        start=(float(x), float(y + h - w), float(w), float(w)),
        end=(float(x), float(y), float(w), float(w)),
        seconds=4.0,
        size=(240, 240),
    )
    video.write_mp4(path, move.size, video.frames(still, move))
    tells = [
        TellSpec(
            TellCategory.CROP,
            "The camera tilts up a desk model of the shuttle in NASA's portrait of Eileen "
            "Collins, never leaving the model: she, the table and anything else that shows "
            "its size stay out of the frame, so it passes for the real launch stack.",
            None,
            0.0,
            move.seconds,
        )
    ]
    return Made(path, {"camera_move": move.as_dict(), "crop_box": list(MODEL_BOX)}, tells)


SWAP_NOTE = (
    "Made by Telltale's own code to teach the tells of a face swap; neither person consented "
    "to it. Shown only with its 'manipulated media' label."
)

# The demo's teaching examples: the two portraits and everything made from their pixels, shown
# with their truth in the lessons. The rocket and Hubble pictures and their fakes are kept for
# tests, since an assessment or a feed never deals a clip whose family a lesson shows.
TEACHING_SOURCES = frozenset({"real/collins", "real/hopper"})


def is_teaching_example(item: Item) -> bool:
    return item.key in TEACHING_SOURCES or bool(TEACHING_SOURCES & set(item.sources))


ITEMS: tuple[Item, ...] = (
    Item("real/collins", COLLINS.title, Verdict.REAL, photo=COLLINS, suffix=".png"),
    Item("real/hopper", HOPPER.title, Verdict.REAL, photo=HOPPER, suffix=".jpg"),
    Item("real/rocket", ROCKET.title, Verdict.REAL, photo=ROCKET, suffix=".jpg"),
    Item("real/hubble", HUBBLE.title, Verdict.REAL, photo=HUBBLE, suffix=".jpg"),
    Item(
        "deepfake/hopper-face-on-collins",
        "Face swap: Grace Hopper's face on Eileen Collins's portrait",
        Verdict.DEEPFAKE,
        Technique.FACE_SWAP,
        original="real/collins",
        sources=("real/collins", "real/hopper"),
        operation="face_swap",
        make=make_hopper_on_collins,
        people=f"{COLLINS.people}; {HOPPER.people}",
        content_notes=SWAP_NOTE,
    ),
    Item(
        "deepfake/collins-face-on-hopper",
        "Face swap: Eileen Collins's face on Grace Hopper's portrait",
        Verdict.DEEPFAKE,
        Technique.FACE_SWAP,
        original="real/hopper",
        sources=("real/hopper", "real/collins"),
        operation="face_swap",
        make=make_collins_on_hopper,
        people=f"{HOPPER.people}; {COLLINS.people}",
        content_notes=SWAP_NOTE,
    ),
    Item(
        "deepfake/morph-on-collins",
        "Face morph: a half-and-half blend of two faces pasted on Collins's portrait",
        Verdict.DEEPFAKE,
        Technique.FACE_SWAP,
        original="real/collins",
        sources=("real/collins", "real/hopper"),
        operation="face_morph",
        make=make_morph_on_collins,
        people=f"{COLLINS.people}; {HOPPER.people}",
        content_notes=SWAP_NOTE,
    ),
    Item(
        "deepfake/hopper-face-on-collins-video",
        "Face swap video: Hopper's face on a camera move over Collins's portrait",
        Verdict.DEEPFAKE,
        Technique.FACE_SWAP,
        original="real/collins",
        sources=("real/collins", "real/hopper"),
        operation="face_swap_video",
        make=make_swap_video,
        suffix=".mp4",
        people=f"{COLLINS.people}; {HOPPER.people}",
        content_notes=SWAP_NOTE
        + " The video is a camera move over a still photograph, not a recording.",
    ),
    Item(
        "shallowfake/rocket-false-date",
        "False caption: a 2015 Falcon 9 passed off as Apollo 11",
        Verdict.SHALLOWFAKE,
        Technique.OUT_OF_CONTEXT,
        original="real/rocket",
        sources=("real/rocket",),
        operation="false_caption",
        make=make_rocket_caption,
    ),
    Item(
        "shallowfake/shuttle-model-crop",
        "Crop: a desk model cut out of an astronaut's portrait",
        Verdict.SHALLOWFAKE,
        Technique.CROP,
        original="real/collins",
        sources=("real/collins",),
        operation="crop",
        make=make_model_crop,
    ),
    Item(
        "shallowfake/deep-field-swarm-video",
        "False caption video: the Hubble Deep Field as an 'approaching swarm'",
        Verdict.SHALLOWFAKE,
        Technique.OUT_OF_CONTEXT,
        original="real/hubble",
        sources=("real/hubble",),
        operation="false_caption_video",
        make=make_swarm_video,
        suffix=".mp4",
        content_notes="A camera move over a still photograph, not a recording.",
    ),
    Item(
        "shallowfake/shuttle-model-video",
        "Crop video: a camera move that never leaves a desk model",
        Verdict.SHALLOWFAKE,
        Technique.CROP,
        original="real/collins",
        sources=("real/collins",),
        operation="crop_video",
        make=make_model_video,
        suffix=".mp4",
        content_notes="A camera move over a still photograph, not a recording.",
    ),
)


def recipe(item: Item, made: Made, clips: dict[str, Clip]) -> dict:
    """The machine-readable account of how a fake was made."""
    return {
        "operation": item.operation,
        "generator": GENERATOR,
        "code_version": CODE_VERSION,
        "sources": [
            {"clip": str(clips[key].uid), "key": key, "file": _photo(key).package_file}
            for key in item.sources
        ],
        "params": made.params,
    }


def _photo(key: str) -> PackagePhoto:
    return next(item.photo for item in ITEMS if item.key == key)
