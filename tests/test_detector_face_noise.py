"""The noise, compression and motion face signals (signals/face_noise.py) on real encoded clips:
a real photograph filmed with a slow pan and camera noise stays near 0, and the same footage with
a face pasted in (smoothed, compressed on its own, blended along a mask, shaking against the head)
raises them. The clips are made here with numpy and the app's ffmpeg, a few seconds each."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np
from django.test import SimpleTestCase

from media_library.demo.sources import COLLINS
from media_library.detector.faces import OUTLINE, FaceTracker
from media_library.detector.footage import read_footage
from media_library.detector.measurements import Family
from media_library.detector.signals.face import ALL_NAMES, measure_face
from media_library.ffmpeg import ffmpeg_binary

NEW_SIGNALS = (
    "noise_mismatch",
    "blocking_grid",
    "blend_boundary",
    "noise_flicker",
    "landmark_jitter",
)
SIDE, FPS, SECONDS = 384, 25, 3


def encode(frames: list[np.ndarray], path: Path) -> Path:
    """BGR frames to an H.264 clip through the app's ffmpeg (near-lossless, so what the test
    put into the pixels survives)."""
    command = [
        ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{SIDE}x{SIDE}", "-r", str(FPS), "-i", "-",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "12", "-pix_fmt", "yuv420p", str(path),
    ]  # fmt: skip
    subprocess.run(command, input=b"".join(f.tobytes() for f in frames), check=True)
    return path


def examine(path: Path) -> dict:
    track = FaceTracker()
    footage = read_footage(path, on_face_frame=track, face_fps=12)
    return {m.name: m for m in measure_face(footage, track)}


def face_mask(photo: np.ndarray) -> np.ndarray:
    """A feathered mask of the face in the photograph, from its landmarks (as a face swap's)."""
    track = FaceTracker()
    track(photo, 0.0)
    points = track.frames[0].landmarks[OUTLINE]
    hull = cv2.convexHull(points).reshape(-1, 2)
    centre = hull.mean(axis=0)
    mask = np.zeros(photo.shape[:2], np.float32)
    cv2.fillConvexPoly(mask, np.round((hull - centre) * 0.95 + centre).astype(np.int32), 1.0)
    return cv2.GaussianBlur(mask, (0, 0), 3)[:, :, None]


def film(photo: np.ndarray, paste: bool, seed: int, shake: int = 2) -> list[np.ndarray]:
    """A slow pan over the photograph with camera noise; with `paste`, the face in each frame
    is replaced by a copy of itself smoothed by a varying amount, compressed on its own as a
    JPEG, shifted by up to `shake` px at random (it shakes against the head) and blended in
    along a mask."""
    rng = np.random.default_rng(seed)
    mask = face_mask(photo) if paste else None
    frames = []
    for i in range(SECONDS * FPS):
        x = y = round(i * 0.4)  # the camera pans 10 px a second
        frame = photo.astype(np.float32)
        if paste:
            dx, dy = rng.integers(-shake, shake + 1, size=2)
            face = np.roll(photo, (dy, dx), axis=(0, 1))
            face = cv2.GaussianBlur(face, (0, 0), rng.uniform(0.8, 4.0))
            _, jpeg = cv2.imencode(".jpg", face, [cv2.IMWRITE_JPEG_QUALITY, 20])
            face = cv2.imdecode(jpeg, cv2.IMREAD_COLOR).astype(np.float32)
            noise = rng.normal(0, 3.0, photo.shape).astype(np.float32) * (1 - mask)
            frame = frame * (1 - mask) + face * mask + noise
        else:
            frame = frame + rng.normal(0, 3.0, photo.shape).astype(np.float32)
        frames.append(np.clip(frame, 0, 255).astype(np.uint8)[y : y + SIDE, x : x + SIDE])
    return frames


class FaceNoiseSignalTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        tmp = Path(tempfile.mkdtemp(prefix="telltale-face-noise-"))
        cls.addClassCleanup(shutil.rmtree, tmp, ignore_errors=True)
        photo_path = tmp / "collins.png"
        photo_path.write_bytes(COLLINS.read_bytes())
        photo = cv2.imread(str(photo_path))
        cls.real = examine(encode(film(photo, paste=False, seed=1), tmp / "real.mp4"))
        cls.pasted = examine(encode(film(photo, paste=True, seed=2), tmp / "pasted.mp4"))
        # A face that also shakes against the head as much as a badly tracked swap's does.
        shaking = encode(film(photo, paste=True, seed=3, shake=14), tmp / "shaking.mp4")
        cls.shaking = examine(shaking)
        cls.photo = examine(photo_path)
        # A still whose face was made at half the resolution and upsampled, as generators do.
        small = cv2.resize(photo, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        upsampled = cv2.resize(small, photo.shape[1::-1], interpolation=cv2.INTER_CUBIC)
        mask = face_mask(photo) > 0.5
        generated = np.where(mask, upsampled, photo)
        cv2.imwrite(str(tmp / "generated.png"), generated)
        cls.generated = examine(tmp / "generated.png")

    def test_every_new_signal_is_a_face_signal_in_order(self) -> None:
        self.assertEqual(tuple(self.real), ALL_NAMES)
        for name in (*NEW_SIGNALS, "face_spectrum"):
            self.assertEqual(self.real[name].family, Family.FACE)

    def test_a_real_face_stays_near_zero(self) -> None:
        for name in NEW_SIGNALS:
            measurement = self.real[name]
            self.assertTrue(measurement.measured, name)
            self.assertLess(measurement.feature, 0.5, name)

    def test_a_pasted_face_raises_them(self) -> None:
        for name in NEW_SIGNALS:
            real = self.real[name]
            pasted = (self.shaking if name == "landmark_jitter" else self.pasted)[name]
            self.assertTrue(pasted.measured, name)
            self.assertGreater(pasted.feature, real.feature, name)
            self.assertGreater(pasted.feature, 0.5, name)

    def test_its_reasons_say_when_in_a_video(self) -> None:
        reason = self.pasted["noise_mismatch"].reasons[0]
        self.assertIn("smoother", reason.text)
        self.assertIsNotNone(reason.start)

    def test_the_face_spectrum_of_a_photograph_is_ordinary(self) -> None:
        spectrum = self.photo["face_spectrum"]
        self.assertTrue(spectrum.measured)
        self.assertEqual(spectrum.feature, 0.0)
        self.assertIsNone(spectrum.reasons[0].start)

    def test_the_face_spectrum_of_an_upsampled_face_stands_out(self) -> None:
        # The face here is under 100 px: a weak signal, as on the dev media's crops.
        generated, photo = self.generated["face_spectrum"], self.photo["face_spectrum"]
        self.assertGreater(generated.feature, 0.0)
        self.assertGreater(generated.value, 2 * photo.value)

    def test_motion_signals_are_not_measured_on_a_still(self) -> None:
        for name in ("noise_flicker", "landmark_jitter"):
            self.assertFalse(self.photo[name].measured, name)
