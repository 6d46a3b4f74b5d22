"""What the demo pack holds: each item's record, and for the fakes the code that makes them.

Real items are the package files byte for byte. Every fake is made here from those photos, and
its `recipe` says exactly how; its `original` is the real item it came from.

What a learner reads is written in each site language (Texts), for readers of that language
rather than word for word: the titles here, the tells in tell_texts. Text burned into the
pictures (the false captions) stays English: it is part of the fake, as in a post shared from
abroad.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from languages.texts import Texts
from media_library.demo import faces, pictures, video
from media_library.demo.sources import COLLINS, HOPPER, HUBBLE, ROCKET, PackagePhoto
from media_library.demo.tell_texts import (
    COLLINS_NAME,
    HOPPER_GLASSES_ARMS_ONLY,
    HOPPER_GLASSES_CUT,
    HOPPER_NAME,
    MODEL_CROP,
    MODEL_TILT,
    MORPH_DOUBLED,
    MORPH_TWO_MOUTHS,
    PASTED_SKIN,
    ROCKET_FALSE_CAPTION,
    SWARM_FALSE_CAPTION,
    VIDEO_GLASSES_CUT,
    VIDEO_OVAL_SLIDES,
    face_edges_swap,
    hair_enlarged,
)
from media_library.models import Clip, Technique, TellCategory, Verdict

# Bump when the code that makes the fakes changes what it makes.
CODE_VERSION = "demo-pack/1"
GENERATOR = "media_library.demo"

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class TellSpec:
    category: TellCategory
    explanation: Texts
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
    title: Texts
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


def _swap_tells(
    result: faces.SwapResult, size: tuple[int, int], face_from: Texts
) -> list[TellSpec]:
    box = normalised(result.changed_box, size)
    return [
        TellSpec(
            TellCategory.FACE_EDGES,
            face_edges_swap(face_from),
            box,
        ),
        TellSpec(
            TellCategory.SKIN,
            PASTED_SKIN,
            box,
        ),
    ]


def make_hopper_on_collins(path: Path) -> Made:
    result = faces.swap_face(HOPPER.pixels(), COLLINS.pixels())
    save_png(result.image, path)
    size = (result.image.shape[1], result.image.shape[0])
    tells = _swap_tells(result, size, HOPPER_NAME)
    tells.append(
        TellSpec(
            TellCategory.ACCESSORIES,
            HOPPER_GLASSES_CUT,
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
    tells = _swap_tells(result, size, COLLINS_NAME)
    tells += [
        TellSpec(
            TellCategory.ACCESSORIES,
            HOPPER_GLASSES_ARMS_ONLY,
            box,
        ),
        TellSpec(
            TellCategory.HAIR_DETAIL,
            hair_enlarged(enlargement),
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
            MORPH_TWO_MOUTHS,
            box,
        ),
        TellSpec(
            TellCategory.FACE_EDGES,
            MORPH_DOUBLED,
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
            VIDEO_OVAL_SLIDES,
            box,
            move.seconds - 1.0,
            move.seconds,
        ),
        TellSpec(
            TellCategory.ACCESSORIES,
            VIDEO_GLASSES_CUT,
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
            ROCKET_FALSE_CAPTION,
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
            MODEL_CROP,
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
            SWARM_FALSE_CAPTION,
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
            MODEL_TILT,
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
    Item(
        "real/collins",
        Texts(
            COLLINS.title,
            "La astronauta Eileen Collins, retrato de la NASA",
            "宇航员艾琳·柯林斯，NASA 肖像照",
        ),
        Verdict.REAL,
        photo=COLLINS,
        suffix=".png",
    ),
    Item(
        "real/hopper",
        Texts(
            HOPPER.title,
            "La comodoro Grace M. Hopper, retrato de la Marina de EE. UU.",
            "美国海军准将格蕾丝·M·霍珀，官方肖像照",
        ),
        Verdict.REAL,
        photo=HOPPER,
        suffix=".jpg",
    ),
    Item(
        "real/rocket",
        Texts(
            ROCKET.title,
            "Un Falcon 9 con el satélite DSCOVR en la plataforma de Cabo Cañaveral, 2015",
            "2015 年，搭载 DSCOVR 卫星的猎鹰 9 号火箭在卡纳维拉尔角发射台上",
        ),
        Verdict.REAL,
        photo=ROCKET,
        suffix=".jpg",
    ),
    Item(
        "real/hubble",
        Texts(
            HUBBLE.title,
            "Campo Ultraprofundo del Hubble (eXtreme Deep Field)",
            "哈勃极深场",
        ),
        Verdict.REAL,
        photo=HUBBLE,
        suffix=".jpg",
    ),
    Item(
        "deepfake/hopper-face-on-collins",
        Texts(
            "Face swap: Grace Hopper's face on Eileen Collins's portrait",
            "Intercambio de caras: la cara de Grace Hopper en el retrato de Eileen Collins",
            "换脸：格蕾丝·霍珀的脸换到了艾琳·柯林斯的肖像上",
        ),
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
        Texts(
            "Face swap: Eileen Collins's face on Grace Hopper's portrait",
            "Intercambio de caras: la cara de Eileen Collins en el retrato de Grace Hopper",
            "换脸：艾琳·柯林斯的脸换到了格蕾丝·霍珀的肖像上",
        ),
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
        Texts(
            "Face morph: a half-and-half blend of two faces pasted on Collins's portrait",
            "Fusión de caras: dos rostros mezclados a partes iguales sobre el retrato de Collins",
            "人脸融合：两张脸各一半混合后贴到柯林斯的肖像上",
        ),
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
        Texts(
            "Face swap video: Hopper's face on a camera move over Collins's portrait",
            "Video con intercambio de caras: la cara de Hopper en un movimiento de cámara "
            "sobre el retrato de Collins",
            "换脸视频：在柯林斯肖像的运镜画面上换上霍珀的脸",
        ),
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
        Texts(
            "False caption: a 2015 Falcon 9 passed off as Apollo 11",
            "Rótulo falso: un Falcon 9 de 2015 presentado como el Apolo 11",
            "虚假配文：把 2015 年的猎鹰 9 号说成阿波罗 11 号",
        ),
        Verdict.SHALLOWFAKE,
        Technique.OUT_OF_CONTEXT,
        original="real/rocket",
        sources=("real/rocket",),
        operation="false_caption",
        make=make_rocket_caption,
    ),
    Item(
        "shallowfake/shuttle-model-crop",
        Texts(
            "Crop: a desk model cut out of an astronaut's portrait",
            "Recorte: una maqueta de escritorio sacada del retrato de una astronauta",
            "裁剪：从一位宇航员的肖像中裁出的桌面模型",
        ),
        Verdict.SHALLOWFAKE,
        Technique.CROP,
        original="real/collins",
        sources=("real/collins",),
        operation="crop",
        make=make_model_crop,
    ),
    Item(
        "shallowfake/deep-field-swarm-video",
        Texts(
            "False caption video: the Hubble Deep Field as an 'approaching swarm'",
            "Video con rótulo falso: el Campo Profundo del Hubble como un «enjambre que se acerca»",
            "虚假配文视频：把哈勃深场说成“正在逼近的不明物体群”",
        ),
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
        Texts(
            "Crop video: a camera move that never leaves a desk model",
            "Video recortado: un movimiento de cámara que nunca sale de una maqueta de escritorio",
            "裁剪视频：镜头始终不离开一个桌面模型",
        ),
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
