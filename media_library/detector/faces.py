"""Face tracking for the face signals: one face followed through the sampled frames, and per
frame only the small numbers the signals need (never the pixels).

OpenCV's Haar cascade finds a face; dlib's 68-point shape predictor (shipped as a file inside the
face-recognition-models wheel, so nothing is downloaded) places the landmarks. Between detections
the face is followed from the previous frame's landmarks, which is both faster than detecting
and steadier: re-seeding from a detector box on every frame would jitter the eye landmarks
enough to look like blinks. The cascade still looks near the tracked face a few times a second
and the track is dropped when it stops confirming a face there (the predictor always returns a
shape, even on a wall).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import dlib
import numpy as np

PREDICTOR_FILE = "shape_predictor_68_face_landmarks.dat"

# Confirm the tracked face (or look for one) this often; blinks are not affected by it.
CONFIRM_EVERY = 0.5  # seconds, near the tracked face
SEARCH_EVERY = 1.0  # seconds, the whole frame, while no face is tracked
# Unconfirmed for this long, the track is dropped (the face left or turned away).
LOST_AFTER = 1.0
# The cascade runs on frames this wide (faces below ~10% of the frame width are too small to
# measure anything but blinks well anyway).
SEARCH_WIDTH = 400
# To confirm the tracked face, the window around it is scaled so the face is this wide: enough
# for the cascade's 24-px window, and the check's cost falls with the square of it.
CONFIRM_FACE_WIDTH = 44
# Pictures at most this big (after scaling for the search) are searched again with their edges
# extended when no face is found.
TIGHT_CROP = 320
MIN_FACE_PIXELS = 40  # landmark box narrower than this in the frame: not measured
# Statistics are computed on a crop where the face is at most this wide: bounds the cost and
# keeps the detail measures comparable between 480p and 1080p sources.
CROP_FACE_WIDTH = 144
# The inner lip gap over the mouth's width above which the mouth counts as open.
MOUTH_OPEN = 0.18
# Bands around the face outline (jaw and eyebrows' hull scaled about its centre) where the
# noise residual is averaged: the face, just inside the outline, on it, just outside, the ring
# of hair and skin around the face, and the background beyond.
NOISE_BANDS = ("face", "inside", "outline", "outside", "ring", "background")
NOISE_SCALES = (1.4, 1.15, 1.05, 0.95, 0.85)  # the boundaries between them, outermost first
# A residual or a pixel step above this (grey levels) is an edge, not noise: clipped so edges
# do not swamp the statistics.
RESIDUAL_CLIP = 12
STEP_CLIP = 24
MIN_BAND_PIXELS = 20
GRID = 8  # the block size of JPEG and of MPEG/H.264 transforms and macroblocks

# Landmark indices (iBUG 300-W 68-point scheme).
JAW = slice(0, 17)
OUTLINE = slice(0, 27)  # jaw and eyebrows: roughly what face swaps replace
LEFT_EYE = slice(36, 42)
RIGHT_EYE = slice(42, 48)
INNER_LIPS = slice(60, 68)


@cache
def predictor_path() -> Path:
    """The 68-point predictor inside the installed face-recognition-models package.

    Its __init__ imports pkg_resources (setuptools), which modern environments lack, so the
    package is located without importing it.
    """
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("face-recognition-models is not installed (see requirements.txt)")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / PREDICTOR_FILE
    if not path.is_file():
        raise RuntimeError(f"{path} is missing from face-recognition-models")
    return path


@cache
def shape_predictor() -> dlib.shape_predictor:
    return dlib.shape_predictor(str(predictor_path()))  # ~0.6 s and 100 MB: loaded once


@cache
def face_cascade() -> cv2.CascadeClassifier:
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    if cascade.empty():
        raise RuntimeError("OpenCV could not load its frontal face Haar cascade")
    return cascade


Box = tuple[float, float, float, float]  # x, y, width, height in frame pixels


@dataclass(slots=True)
class FaceFrame:
    """What one sampled frame with a tracked face leaves behind."""

    time: float
    landmarks: np.ndarray  # (68, 2) float32, frame pixels
    face_width: float  # jaw corner to jaw corner, frame pixels
    ear: float  # eye aspect ratio, mean of both eyes
    mouth_open: float  # inner lip gap over mouth width
    mouth_detail: float | None  # mouth interior |Laplacian| over the face's, when open
    face_detail: float  # mean |Laplacian| inside the face
    ring_detail: float  # ... in a ring just outside it
    seam_detail: float  # ... on the face outline itself, where a swap is blended
    face_lab: np.ndarray  # (3,) mean Lab inside the face
    ring_lab: np.ndarray  # (3,) mean Lab in the ring
    cheek_lab: np.ndarray  # (3,) mean Lab on both cheeks
    forehead_lab: np.ndarray | None  # None when out of frame or covered by hair
    neck_lab: np.ndarray | None
    # Each eye's brightest spot relative to the eye's centre, in eye widths (dx, dy), and its
    # contrast over the eye's median grey; None when an eye is too small.
    highlights: np.ndarray | None  # (2, 3): per eye dx, dy, contrast
    # Noise and compression traces at the sampled frame's own resolution (`residual_stats`):
    # mean high-pass residual per band around the face outline (NOISE_BANDS order; NaN for a
    # band off the picture), and the
    # mean step between neighbouring pixels by position in the 8-pixel coding grid, inside the
    # face and in the background around it.
    noise: np.ndarray | None = None  # (6,) float32
    grid: np.ndarray | None = None  # (2 regions: face, background; 2 directions: x, y; 8)


class FaceTracker:
    """A callback for `read_footage(on_face_frame=...)` that follows the main face."""

    def __init__(self) -> None:
        self.frames: list[FaceFrame] = []
        self.sampled_times: list[float] = []
        self.frame_size: tuple[int, int] | None = None  # (width, height) of sampled frames
        self._landmarks: np.ndarray | None = None
        self._next_check = -1.0
        self._last_confirmed = 0.0

    # -- what the signals read -------------------------------------------------------------

    @property
    def sample_step(self) -> float:
        """Seconds between sampled frames (median)."""
        if len(self.sampled_times) < 2:
            return 0.0
        return float(np.median(np.diff(self.sampled_times)))

    @property
    def tracked_seconds(self) -> float:
        """How long a face was tracked: sampled frames with a face times the sampling step
        (a still image with a face counts as one second)."""
        if not self.frames:
            return 0.0
        if len(self.sampled_times) < 2:
            return 1.0
        return len(self.frames) * self.sample_step

    @property
    def tracked_share(self) -> float:
        return len(self.frames) / len(self.sampled_times) if self.sampled_times else 0.0

    def segments(self, max_gap: float | None = None) -> list[list[FaceFrame]]:
        """Runs of consecutive tracked frames (a gap longer than `max_gap` splits them)."""
        gap = max_gap if max_gap is not None else 2.5 * max(self.sample_step, 1e-3)
        runs: list[list[FaceFrame]] = []
        for frame in self.frames:
            if runs and frame.time - runs[-1][-1].time <= gap:
                runs[-1].append(frame)
            else:
                runs.append([frame])
        return runs

    # -- the callback ----------------------------------------------------------------------

    def __call__(self, bgr: np.ndarray, time: float) -> None:
        self.sampled_times.append(time)
        height, width = bgr.shape[:2]
        self.frame_size = (width, height)
        grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        checking = time >= self._next_check
        box: Box | None = None
        if self._landmarks is not None:
            box = _box_from_landmarks(self._landmarks)
            if checking:
                self._next_check = time + CONFIRM_EVERY
                found = _detect(grey, around=box)
                if found is not None:
                    self._last_confirmed = time
                    if _overlap(found, box) < 0.3:  # the cascade sees the face elsewhere
                        box = _box_from_haar(found)
                elif time - self._last_confirmed >= LOST_AFTER:
                    box = None
        elif checking:
            self._next_check = time + SEARCH_EVERY
            found = _detect(grey)
            if found is not None:
                self._last_confirmed = time
                box = _box_from_haar(found)
        if box is None:
            self._landmarks = None
            return
        landmarks = _landmarks(grey, box)
        if not _plausible(landmarks, width, height):
            self._landmarks = None
            self._next_check = time  # search again on the next frame
            return
        self._landmarks = landmarks
        self.frames.append(measure_frame(bgr, grey, landmarks, time))


# -- detection and landmarks -----------------------------------------------------------------


def _detect(grey: np.ndarray, around: Box | None = None) -> Box | None:
    """The largest frontal face the cascade finds (near `around` when given), in frame pixels."""
    height, width = grey.shape
    x0 = y0 = 0
    if around is not None:
        ax, ay, aw, ah = around
        x0, y0 = max(0, int(ax - aw)), max(0, int(ay - ah))
        x1, y1 = min(width, int(ax + 2 * aw)), min(height, int(ay + 2 * ah))
        grey = grey[y0:y1, x0:x1]
        # The tracked face becomes CONFIRM_FACE_WIDTH wide, its Haar box about 58 px, and only
        # sizes near that are tried (a face does not halve or double in a third of a second):
        # about half the cost of trying every size from 24 px up.
        scale = min(1.0, CONFIRM_FACE_WIDTH / max(aw, 1.0) * 1.15)
        expected = aw * scale / 0.87
        sizes = {
            "minSize": (round(0.6 * expected),) * 2,
            "maxSize": (round(1.6 * expected),) * 2,
        }
    else:
        scale = min(1.0, SEARCH_WIDTH / width)
        sizes = {"minSize": (24, 24)}
    if grey.size == 0:
        return None
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = cv2.equalizeHist(small)
    faces = face_cascade().detectMultiScale(small, 1.15, 5, **sizes)
    pad = 0
    if len(faces) == 0 and around is None and max(small.shape) <= TIGHT_CROP:
        # A face that fills a small picture (a face crop, a talking-head clip) touches its
        # edges, where the cascade's window cannot sit: look again with the edges extended.
        pad = max(small.shape) // 4
        padded = cv2.copyMakeBorder(small, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        faces = face_cascade().detectMultiScale(padded, 1.15, 5, **sizes)
    if len(faces) == 0:
        return None
    x, y, w, h = max(faces, key=lambda f: f[2] * f[3])
    return ((x - pad) / scale + x0, (y - pad) / scale + y0, w / scale, h / scale)


def _box_from_haar(box: Box) -> Box:
    # A Haar box reaches higher (forehead) and wider than the boxes dlib's predictor was trained
    # on; these proportions were measured on the dev clips against dlib's own detector.
    x, y, w, h = box
    return (x + 0.065 * w, y + 0.13 * h, 0.87 * w, 0.87 * h)


def _box_from_landmarks(points: np.ndarray) -> Box:
    # dlib's detector box relative to the landmarks' bounding box (measured likewise).
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    w, h = x1 - x0, y1 - y0
    return ((x0 + x1) / 2 - 0.54 * w, y0 - 0.12 * h, 1.08 * w, 1.07 * h)


def _landmarks(grey: np.ndarray, box: Box) -> np.ndarray:
    x, y, w, h = box
    rect = dlib.rectangle(round(x), round(y), round(x + w), round(y + h))
    shape = shape_predictor()(grey, rect)
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)


def _plausible(points: np.ndarray, width: int, height: int) -> bool:
    face_width = float(np.linalg.norm(points[16] - points[0]))
    centre = points.mean(axis=0)
    inside = 0 <= centre[0] < width and 0 <= centre[1] < height
    return inside and face_width >= MIN_FACE_PIXELS


def _overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter + 1e-9)


# -- per-frame statistics --------------------------------------------------------------------


def eye_aspect_ratio(eye: np.ndarray) -> float:
    """Soukupová and Čech (2016): eyelid gaps over the eye's width; ~0.3 open, < 0.15 shut."""
    gaps = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
    return float(gaps / (2 * np.linalg.norm(eye[0] - eye[3]) + 1e-6))


def mouth_opening(points: np.ndarray) -> float:
    inner = points[INNER_LIPS]
    gap = np.mean([np.linalg.norm(inner[i] - inner[8 - i]) for i in (1, 2, 3)])
    return float(gap / (np.linalg.norm(points[54] - points[48]) + 1e-6))


def measure_frame(bgr: np.ndarray, grey: np.ndarray, points: np.ndarray, time: float) -> FaceFrame:
    face_width = float(np.linalg.norm(points[16] - points[0]))
    ear = (eye_aspect_ratio(points[LEFT_EYE]) + eye_aspect_ratio(points[RIGHT_EYE])) / 2
    opening = mouth_opening(points)

    # A crop around the face with room for the forehead above and the neck below.
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    fw, fh = x1 - x0, y1 - y0
    height, width = grey.shape
    cx0, cy0 = max(0, int(x0 - 0.45 * fw)), max(0, int(y0 - 0.6 * fh))
    cx1, cy1 = min(width, int(x1 + 0.45 * fw) + 1), min(height, int(y1 + 0.5 * fh) + 1)
    scale = min(1.0, CROP_FACE_WIDTH / max(face_width, 1.0))
    crop = bgr[cy0:cy1, cx0:cx1]
    if scale < 1.0:
        # Area averaging only where it is needed against aliasing: for a mild reduction it
        # takes OpenCV's slow general path and costs more than everything else here.
        method = cv2.INTER_AREA if scale < 0.5 else cv2.INTER_LINEAR
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=method)
    pts = ((points - (cx0, cy0)) * scale).astype(np.float32)
    crop_grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    lab = cv2.cvtColor(crop, cv2.COLOR_BGR2LAB)
    detail = cv2.convertScaleAbs(cv2.Laplacian(crop_grey, cv2.CV_16S, ksize=3))

    outline = cv2.convexHull(pts[OUTLINE]).reshape(-1, 2)
    centre = pts[OUTLINE].mean(axis=0)
    shape = crop_grey.shape

    def hull(factor: float) -> np.ndarray:
        mask = np.zeros(shape, np.uint8)
        scaled = (outline - centre) * factor + centre
        cv2.fillConvexPoly(mask, np.round(scaled).astype(np.int32), 255)
        return mask

    inner, seam_in, seam_out, ring_in, ring_out = (hull(f) for f in (0.8, 0.9, 1.04, 1.1, 1.35))
    seam = cv2.subtract(seam_out, seam_in)
    ring = cv2.subtract(ring_out, ring_in)
    face_detail = cv2.mean(detail, inner)[0]

    mouth_detail = None
    if opening >= MOUTH_OPEN:
        mouth = np.zeros(shape, np.uint8)
        cv2.fillConvexPoly(mouth, np.round(pts[INNER_LIPS]).astype(np.int32), 255)
        if cv2.countNonZero(mouth) >= 12:
            mouth_detail = cv2.mean(detail, mouth)[0] / max(face_detail, 1e-3)

    side = 0.08 * np.linalg.norm(pts[16] - pts[0])
    cheeks = np.zeros(shape, np.uint8)
    for a, b, c in ((1, 31, 48), (15, 35, 54)):
        _square(cheeks, (pts[a] + pts[b] + pts[c]) / 3, side)
    cheek_detail = cv2.mean(detail, cheeks)[0]

    brow = pts[17:27, 1].min()
    chin = pts[8, 1]
    span = chin - brow
    forehead = _patch(
        shape, pts[19, 0], pts[24, 0], brow - 0.24 * span, brow - 0.07 * span, cheek_detail, detail
    )
    neck = _patch(
        shape, pts[6, 0], pts[10, 0], chin + 0.1 * span, chin + 0.3 * span, cheek_detail, detail
    )

    return FaceFrame(
        time=time,
        landmarks=points,
        face_width=face_width,
        ear=ear,
        mouth_open=opening,
        mouth_detail=mouth_detail,
        face_detail=face_detail,
        ring_detail=cv2.mean(detail, ring)[0] if cv2.countNonZero(ring) else face_detail,
        seam_detail=cv2.mean(detail, seam)[0],
        face_lab=np.array(cv2.mean(lab, inner)[:3], np.float32),
        ring_lab=np.array(cv2.mean(lab, ring)[:3], np.float32),
        cheek_lab=np.array(cv2.mean(lab, cheeks)[:3], np.float32),
        forehead_lab=None if forehead is None else np.array(cv2.mean(lab[forehead])[:3]),
        neck_lab=None if neck is None else np.array(cv2.mean(lab[neck])[:3]),
        highlights=_highlights(grey, points),
        **residual_stats(grey, points),
    )


def _square(mask: np.ndarray, centre: np.ndarray, half: float) -> None:
    x, y = centre
    cv2.rectangle(mask, (int(x - half), int(y - half)), (int(x + half), int(y + half)), 255, -1)


def _patch(
    shape: tuple[int, ...],
    left: float,
    right: float,
    top: float,
    bottom: float,
    cheek_detail: float,
    detail: np.ndarray,
) -> tuple[slice, slice] | None:
    """A skin patch (rows, columns of the crop), or None when it falls off the crop or looks
    like hair or clothing (much more texture than the cheeks). A rectangle is read as a slice:
    a mask the size of the crop would cost more than everything it measures."""
    height, width = shape[:2]
    if top < 0 or bottom > height or right - left < 4 or bottom - top < 3:
        return None
    # The pixels cv2.rectangle would fill from (left, top) to (right, bottom), both included.
    x0, x1 = max(0, int(left)), min(width, int(right) + 1)
    rows, columns = slice(int(top), int(bottom) + 1), slice(x0, x1)
    if x1 - x0 < 1 or cv2.mean(detail[rows, columns])[0] > 2.0 * cheek_detail + 2.0:
        return None
    return rows, columns


def _highlights(grey: np.ndarray, points: np.ndarray) -> np.ndarray | None:
    """Each eye's brightest spot (the reflection of the main light) relative to the eye, read
    at the sampled frame's full resolution because eyes are small."""
    rows = []
    for eye in (points[LEFT_EYE], points[RIGHT_EYE]):
        eye_width = float(np.linalg.norm(eye[3] - eye[0]))
        if eye_width < 10:
            return None
        x0, y0 = np.floor(eye.min(axis=0)).astype(int)
        x1, y1 = np.ceil(eye.max(axis=0)).astype(int) + 1
        x0, y0 = max(x0, 0), max(y0, 0)
        region = grey[y0:y1, x0:x1]
        if region.size < 12:
            return None
        mask = np.zeros(region.shape, np.uint8)
        cv2.fillConvexPoly(mask, np.round(eye - (x0, y0)).astype(np.int32), 255)
        if cv2.countNonZero(mask) < 6:
            return None
        _, peak, _, (px, py) = cv2.minMaxLoc(region, mask)
        median = float(np.median(region[mask > 0]))
        centre = eye.mean(axis=0)
        rows.append(
            ((px + x0 - centre[0]) / eye_width, (py + y0 - centre[1]) / eye_width, peak - median)
        )
    return np.array(rows, np.float32)


def residual_stats(grey: np.ndarray, points: np.ndarray) -> dict[str, np.ndarray | None]:
    """Noise and compression traces around the face, at the frame's own resolution (rescaling
    would smooth the noise away and move the coding grid).

    A face pasted into a frame brings its own noise and its own history of compression: its
    high-pass residual (the frame minus its 3x3 median) differs from the background's, dips or
    jumps where it was blended in along the mask (the idea behind Face X-ray, Li et al. 2020),
    and the 8-pixel blocking grid may show differently inside it. Only means per band are kept:
    `noise` (6 bands, NOISE_BANDS) and `grid` (face/background x direction x position mod 8).
    """
    height, width = grey.shape
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    fw, fh = x1 - x0, y1 - y0
    cx0, cy0 = max(0, int(x0 - 0.6 * fw)), max(0, int(y0 - 0.6 * fh))
    cx1, cy1 = min(width, int(x1 + 0.6 * fw) + 1), min(height, int(y1 + 0.5 * fh) + 1)
    crop = grey[cy0:cy1, cx0:cx1]
    if crop.shape[0] < 16 or crop.shape[1] < 16:
        return {"noise": None, "grid": None}
    pts = (points[OUTLINE] - (cx0, cy0)).astype(np.float32)
    outline = cv2.convexHull(pts).reshape(-1, 2)
    centre = pts.mean(axis=0)
    # One label per pixel: 0 background ... 5 face (NOISE_BANDS reversed), drawn outside in.
    labels = np.zeros(crop.shape, np.uint8)
    for label, factor in enumerate(NOISE_SCALES, start=1):
        scaled = (outline - centre) * factor + centre
        cv2.fillConvexPoly(labels, np.round(scaled).astype(np.int32), label)
    residual = cv2.min(cv2.absdiff(crop, cv2.medianBlur(crop, 3)), RESIDUAL_CLIP)
    noise = np.full(6, np.nan, np.float32)
    for label in range(6):  # face first (label 5), background last (label 0)
        band = cv2.compare(labels, label, cv2.CMP_EQ)
        # A band off the picture (the background of a tight face crop) stays NaN.
        if cv2.countNonZero(band) >= MIN_BAND_PIXELS:
            noise[5 - label] = cv2.mean(residual, band)[0]
    if np.isnan(noise[0]):
        return {"noise": None, "grid": None}

    # The grid inside the face (within 0.95 of the outline) and in the background (beyond
    # 1.15); the outline itself is left out. Steps between pixels i and i+1 sit on a block
    # boundary when (i + 1) % 8 == 0 in frame coordinates.
    regions = ((labels >= 4).view(np.uint8), (labels <= 1).view(np.uint8))
    grid = np.zeros((2, 2, GRID), np.float32)
    steps = (
        cv2.min(cv2.absdiff(crop[:, 1:], crop[:, :-1]), STEP_CLIP),
        cv2.min(cv2.absdiff(crop[1:, :], crop[:-1, :]), STEP_CLIP),
    )
    for direction, (step, offset) in enumerate(zip(steps, (cx0, cy0), strict=True)):
        # x steps are summed down each column (reduce dim 0), y steps along each row (dim 1).
        phase = (offset + 1 + np.arange(step.shape[1 - direction])) % GRID
        for which, region in enumerate(regions):
            mask = np.ascontiguousarray(region[:, 1:] if direction == 0 else region[1:, :])
            total = cv2.reduce(
                cv2.multiply(step, mask), direction, cv2.REDUCE_SUM, dtype=cv2.CV_32S
            )
            number = cv2.reduce(mask, direction, cv2.REDUCE_SUM, dtype=cv2.CV_32S)
            sums = np.bincount(phase, weights=total.ravel(), minlength=GRID)
            counts = np.bincount(phase, weights=number.ravel(), minlength=GRID)
            grid[which, direction] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return {"noise": noise, "grid": grid}
