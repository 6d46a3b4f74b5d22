"""A plain face swap with OpenCV: Haar cascades, a similarity transform, colour matching and
a feathered blend. No neural network is involved, so the fakes carry the classic tells (a seam at
the face edge, skin tone and lighting that do not match the head) that the lessons teach.

Everything here is deterministic: the same inputs give the same pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# The pasted region is an ellipse inside the detected face box, in fractions of the box.
MASK_CENTRE_Y = 0.56
MASK_AXES = (0.40, 0.52)
# How far (share of the face width) the pasted face fades into the target at its edge.
FEATHER = 0.08


class NoFaceFound(ValueError):
    pass


@dataclass(frozen=True)
class Face:
    """A detected face: its box (x, y, w, h in pixels) and the centres of its two eyes."""

    box: tuple[int, int, int, int]
    left_eye: tuple[float, float]
    right_eye: tuple[float, float]
    eyes_detected: int  # 2 found, 1 found and mirrored, 0 estimated from the box

    def as_dict(self) -> dict:
        return {
            "box": list(self.box),
            "left_eye": [round(float(v), 1) for v in self.left_eye],
            "right_eye": [round(float(v), 1) for v in self.right_eye],
            "eyes_detected": self.eyes_detected,
        }


def _cascade(name: str) -> cv2.CascadeClassifier:
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if cascade.empty():
        raise RuntimeError(f"OpenCV could not load its Haar cascade {name}")
    return cascade


def detect_face(image: np.ndarray) -> Face:
    """The largest frontal face in an RGB image, with its eyes (estimated when not found)."""
    grey = cv2.equalizeHist(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY))
    side = min(grey.shape)
    faces = _cascade("haarcascade_frontalface_default.xml").detectMultiScale(
        grey, scaleFactor=1.1, minNeighbors=5, minSize=(side // 8, side // 8)
    )
    if len(faces) == 0:
        raise NoFaceFound("no frontal face found")
    x, y, w, h = (int(v) for v in max(faces, key=lambda f: f[2] * f[3]))
    # Eyes sit in the upper half of the box; one each side of its middle.
    upper = grey[y : y + int(h * 0.6), x : x + w]
    eyes = _cascade("haarcascade_eye.xml").detectMultiScale(
        upper, scaleFactor=1.1, minNeighbors=5, minSize=(w // 10, w // 10)
    )
    centres = [(x + ex + ew / 2, y + ey + eh / 2, ew) for ex, ey, ew, eh in eyes]
    middle = x + w / 2
    left = [c for c in centres if c[0] < middle]
    right = [c for c in centres if c[0] >= middle]
    if left and right:
        lx, ly, _ = max(left, key=lambda c: c[2])
        rx, ry, _ = max(right, key=lambda c: c[2])
        return Face((x, y, w, h), (lx, ly), (rx, ry), 2)
    if left or right:
        # Glasses often hide one eye from the cascade: a frontal face is near symmetric.
        ex, ey, _ = max(left or right, key=lambda c: c[2])
        other = (2 * middle - ex, ey)
        pair = sorted([(ex, ey), other])
        return Face((x, y, w, h), pair[0], pair[1], 1)
    # Typical proportions of a Haar face box when the eye cascade finds nothing.
    return Face((x, y, w, h), (x + 0.3 * w, y + 0.4 * h), (x + 0.7 * w, y + 0.4 * h), 0)


def eye_alignment(source: Face, target: Face) -> np.ndarray:
    """The similarity transform (rotation, uniform scale, shift) taking the source's eyes onto
    the target's: a 2x3 matrix for cv2.warpAffine."""
    s0, s1 = np.array(source.left_eye), np.array(source.right_eye)
    t0, t1 = np.array(target.left_eye), np.array(target.right_eye)
    sv, tv = s1 - s0, t1 - t0
    scale = np.linalg.norm(tv) / np.linalg.norm(sv)
    angle = np.arctan2(tv[1], tv[0]) - np.arctan2(sv[1], sv[0])
    c, s = scale * np.cos(angle), scale * np.sin(angle)
    rotation = np.array([[c, -s], [s, c]])
    shift = t0 - rotation @ s0
    return np.hstack([rotation, shift[:, None]])


def face_mask(shape: tuple[int, ...], face: Face) -> np.ndarray:
    """A filled ellipse (255 inside) over the face, clear of the image border."""
    x, y, w, h = face.box
    mask = np.zeros(shape[:2], np.uint8)
    centre = (int(x + w / 2), int(y + h * MASK_CENTRE_Y))
    axes = (int(w * MASK_AXES[0]), int(h * MASK_AXES[1]))
    cv2.ellipse(mask, centre, axes, 0, 0, 360, 255, -1)
    # The image border is never pasted over: a face cut by the frame edge stays the target's.
    mask[:2, :] = mask[-2:, :] = 0
    mask[:, :2] = mask[:, -2:] = 0
    return mask


def mask_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """The pixel box (x, y, w, h) a swap may change: the mask's bounding box."""
    x, y, w, h = cv2.boundingRect(mask)
    return int(x), int(y), int(w), int(h)


def match_colour(face: np.ndarray, target: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Shift the pasted face's colour (mean and spread in Lab, under the mask) to the target's.

    Only the averages move: the light's direction and the skin's texture stay the source's,
    which is exactly the mismatch a careful viewer can spot.
    """
    inside = mask > 0
    face_lab = cv2.cvtColor(face, cv2.COLOR_RGB2LAB).astype(np.float32)
    target_lab = cv2.cvtColor(target, cv2.COLOR_RGB2LAB).astype(np.float32)
    for channel in range(3):
        f, t = face_lab[..., channel], target_lab[..., channel]
        f_mean, f_std = f[inside].mean(), f[inside].std() + 1e-6
        t_mean, t_std = t[inside].mean(), t[inside].std()
        face_lab[..., channel] = (f - f_mean) * (t_std / f_std) + t_mean
    return cv2.cvtColor(np.clip(face_lab, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


@dataclass(frozen=True)
class SwapResult:
    image: np.ndarray
    changed_box: tuple[int, int, int, int]
    source_face: Face
    target_face: Face

    def params(self) -> dict:
        return {
            "source_face": self.source_face.as_dict(),
            "target_face": self.target_face.as_dict(),
            "changed_box": list(self.changed_box),
            "mask": {"centre_y": MASK_CENTRE_Y, "axes": list(MASK_AXES)},
            "alignment": "similarity transform on the eye centres (cv2.warpAffine, bicubic)",
            "colour": "Lab mean/std matched under the mask",
            "blend": f"alpha blend, feathered over {FEATHER:.0%} of the face width",
        }


def swap_face(
    source: np.ndarray,
    target: np.ndarray,
    *,
    source_face: Face | None = None,
    target_face: Face | None = None,
    mix: float = 1.0,
) -> SwapResult:
    """Paste the source's face over the target's (RGB arrays). `mix` < 1 pastes a morph: the
    source face blended with the target's own face in that proportion."""
    source_face = source_face or detect_face(source)
    target_face = target_face or detect_face(target)
    height, width = target.shape[:2]
    warped = cv2.warpAffine(
        source,
        eye_alignment(source_face, target_face),
        (width, height),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_REFLECT,
    )
    if mix < 1.0:
        warped = cv2.addWeighted(warped, mix, target, 1.0 - mix, 0.0)
    mask = face_mask(target.shape, target_face)
    warped = match_colour(warped, target, mask)
    alpha = feathered(mask, target_face)
    result = warped * alpha + target * (1.0 - alpha)
    result = np.clip(np.rint(result), 0, 255).astype(np.uint8)
    return SwapResult(result, mask_box(mask), source_face, target_face)


def feathered(mask: np.ndarray, face: Face) -> np.ndarray:
    """The mask as an alpha ramp that fades in over FEATHER of the face width, all of it inside
    the ellipse: no pixel outside the mask ever changes."""
    width = max(3, int(face.box[2] * FEATHER)) | 1
    inner = cv2.erode(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (width, width)))
    alpha = cv2.GaussianBlur(inner, (2 * width + 1, 2 * width + 1), 0).astype(np.float32) / 255
    alpha[mask == 0] = 0.0
    return alpha[..., None]
