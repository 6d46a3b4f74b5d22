"""The face tracker and the face-manipulation signals, on real media: research clips when present,
the demo pack's photographs and offline face swaps, and ffmpeg test patterns with no face."""

from __future__ import annotations

import math
import shutil
import tempfile
from pathlib import Path

import cv2
import numpy as np
from django.test import SimpleTestCase

from media_library.demo import items
from media_library.demo.sources import COLLINS, HOPPER
from media_library.detector.faces import FaceTracker
from media_library.detector.footage import Footage, read_footage
from media_library.detector.measurements import Family, Measurement
from media_library.detector.signals.blinking import find_blinks, probability_of_so_few_blinks
from media_library.detector.signals.face import ALL_NAMES, face_timeline, measure_face
from tests.factories import FAST_H264, dev_clip, make_video, requires_dev_media, run_ffmpeg

REAL_TALKING = "ffpp/original_sequences/youtube/c40/videos/481.mp4"
NEVER_BLINKS = "ffpp/manipulated_sequences/Deepfakes/c40/videos/469_481.mp4"
WITH_SOUND = "dfdc/train_sample_videos/abqwwspghj.mp4"


def examine(path: Path) -> tuple[Footage, FaceTracker, dict[str, Measurement]]:
    track = FaceTracker()
    footage = read_footage(path, on_face_frame=track)
    measurements = measure_face(footage, track)
    return footage, track, {m.name: m for m in measurements}


def still_video(image: Path, path: Path, seconds: float) -> Path:
    """A real H.264 clip of a photograph held still (no blinking, no motion)."""
    run_ffmpeg(
        "-loop", "1", "-i", str(image), "-t", str(seconds), "-r", "25", *FAST_H264, str(path)
    )
    return path


class TempDirTestCase(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.tmp = Path(tempfile.mkdtemp(prefix="telltale-face-"))
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)


class BlinkArithmeticTests(SimpleTestCase):
    def test_it_computes_the_chance_of_so_few_blinks_by_hand(self) -> None:
        # 15 a minute: 3 expected in 12 s, 5 in 20 s, 15 in 60 s.
        self.assertAlmostEqual(probability_of_so_few_blinks(0, 12), math.exp(-3), places=12)
        self.assertAlmostEqual(probability_of_so_few_blinks(1, 20), 6 * math.exp(-5), places=12)
        self.assertAlmostEqual(
            probability_of_so_few_blinks(2, 60), math.exp(-15) * (1 + 15 + 112.5), places=15
        )
        self.assertAlmostEqual(probability_of_so_few_blinks(50, 10), 1.0, places=9)

    def test_it_finds_short_dips_as_blinks_and_long_ones_as_closures(self) -> None:
        times = np.arange(0, 10, 1 / 15)
        ear = np.full(len(times), 0.3) + 0.005 * np.sin(times * 7)
        for moment in (2.0, 5.0):  # 200 ms blinks
            ear[(times >= moment) & (times < moment + 0.2)] = 0.12
        ear[(times >= 7.0) & (times < 8.5)] = 0.1  # eyes down for 1.5 s
        blinks, closures = find_blinks(times, ear)
        self.assertEqual(len(blinks), 2)
        self.assertAlmostEqual(blinks[0], 2.0, delta=0.2)
        self.assertAlmostEqual(blinks[1], 5.0, delta=0.2)
        self.assertEqual(len(closures), 1)


class NoFaceTests(TempDirTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.footage, cls.track, cls.found = examine(make_video(cls.tmp / "pattern.mp4", seconds=3))

    def test_it_tracks_no_face_in_a_test_pattern(self) -> None:
        self.assertEqual(self.track.tracked_seconds, 0.0)
        self.assertGreater(len(self.track.sampled_times), 30)
        self.assertEqual(face_timeline(self.track), [])

    def test_it_reports_every_signal_unmeasured_in_order(self) -> None:
        self.assertEqual(tuple(self.found), ALL_NAMES)
        for measurement in self.found.values():
            self.assertEqual(measurement.family, Family.FACE)
            self.assertFalse(measurement.measured, measurement.name)
            self.assertEqual(measurement.strength, 0.0)
        face_names = set(ALL_NAMES) - {"lip_sync", "spectrum", "face_spectrum"}
        for name in face_names:
            self.assertIn("No face", self.found[name].detail["not_measured"])


class PhotographTests(TempDirTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        photo = cls.tmp / "collins.png"
        photo.write_bytes(COLLINS.read_bytes())
        cls.photo = examine(photo)
        upscaled = cv2.resize(
            cv2.imread(str(photo)), None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC
        )
        cv2.imwrite(str(cls.tmp / "upscaled.png"), upscaled)
        cls.upscaled = examine(cls.tmp / "upscaled.png")
        hopper = cls.tmp / "hopper.jpg"
        hopper.write_bytes(HOPPER.read_bytes())
        cls.hopper = examine(hopper)
        items.make_collins_on_hopper(cls.tmp / "swap.png")
        cls.swap = examine(cls.tmp / "swap.png")
        cls.held = examine(still_video(photo, cls.tmp / "held.mp4", seconds=2))

    def test_it_finds_the_face_in_a_photograph(self) -> None:
        _, track, found = self.photo
        self.assertEqual(len(track.frames), 1)
        face = track.frames[0]
        self.assertGreater(face.face_width, 80)
        self.assertTrue(found["boundary_blending"].measured)
        self.assertEqual(found["boundary_blending"].feature, 0.0)

    def test_it_does_not_measure_motion_signals_on_a_still(self) -> None:
        _, _, found = self.photo
        for name in ("blink_rate", "colour_flicker", "lip_sync"):
            self.assertFalse(found[name].measured, name)

    def test_it_finds_an_ordinary_spectrum_in_a_photograph(self) -> None:
        spectrum = self.photo[2]["spectrum"]
        self.assertTrue(spectrum.measured)
        self.assertEqual(spectrum.feature, 0.0)

    def test_it_flags_the_spectrum_of_an_upscaled_photograph(self) -> None:
        spectrum = self.upscaled[2]["spectrum"]
        self.assertGreater(spectrum.feature, 1.0)
        self.assertGreater(spectrum.detail["high_band_deficit"], self.photo[2]["spectrum"].value)

    def test_it_sees_the_blurred_edge_of_a_pasted_face(self) -> None:
        original = self.hopper[2]["boundary_blending"]
        swapped = self.swap[2]["boundary_blending"]
        self.assertEqual(original.feature, 0.0)
        self.assertGreater(swapped.feature, 1.0)
        self.assertGreater(swapped.value, original.value)
        self.assertTrue(swapped.reasons[0].text.startswith("The face is smoother"))

    def test_it_abstains_from_blinking_when_the_face_is_seen_too_briefly(self) -> None:
        _, track, found = self.held
        self.assertGreater(track.tracked_seconds, 1.5)
        self.assertFalse(found["blink_rate"].measured)
        self.assertIn("too short", found["blink_rate"].detail["not_measured"])
        self.assertIn("no sound", found["lip_sync"].detail["not_measured"])


@requires_dev_media
class RealTalkingClipTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.footage, cls.track, cls.found = examine(dev_clip(REAL_TALKING))

    def test_it_tracks_the_face_for_most_of_the_clip(self) -> None:
        self.assertGreater(self.track.tracked_seconds, 0.8 * self.footage.video_duration)
        self.assertGreater(self.track.tracked_share, 0.8)
        width, height = self.track.frame_size
        for frame in self.track.frames:
            centre = frame.landmarks.mean(axis=0)
            self.assertTrue(0 <= centre[0] < width and 0 <= centre[1] < height)
        widths = [f.face_width for f in self.track.frames]
        self.assertLess(max(widths) / min(widths), 2.0)  # one face, not a jump to another

    def test_it_counts_a_human_blink_rate(self) -> None:
        blinks = self.found["blink_rate"]
        self.assertTrue(blinks.measured)
        self.assertGreaterEqual(blinks.value, 6)
        self.assertLessEqual(blinks.value, 60)
        self.assertEqual(blinks.feature, 0.0)
        self.assertLess(blinks.detail["longest_gap_seconds"], 8)
        self.assertIn("a minute", blinks.reasons[-1].text)

    def test_it_sits_at_zero_on_real_footage(self) -> None:
        for name in ("mouth_detail", "boundary_blending", "colour_flicker", "skin_tone"):
            self.assertTrue(self.found[name].measured, name)
            self.assertEqual(self.found[name].feature, 0.0, name)

    def test_it_leaves_lip_sync_unmeasured_without_sound(self) -> None:
        self.assertFalse(self.footage.has_audio)
        self.assertIn("no sound", self.found["lip_sync"].detail["not_measured"])

    def test_it_draws_a_timeline_of_every_tracked_frame(self) -> None:
        timeline = face_timeline(self.track)
        self.assertEqual(len(timeline), len(self.track.frames))
        self.assertTrue(all(0.0 <= value <= 1.0 for _, value in timeline))
        self.assertLess(np.mean([value for _, value in timeline]), 0.2)


@requires_dev_media
class ManipulatedClipTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.never_blinks = examine(dev_clip(NEVER_BLINKS))
        cls.with_sound = examine(dev_clip(WITH_SOUND))

    def test_it_explains_a_face_that_never_blinks_with_times(self) -> None:
        blinks = self.never_blinks[2]["blink_rate"]
        self.assertEqual(blinks.detail["blinks"], 0)
        self.assertGreater(blinks.feature, 0.0)
        self.assertLess(blinks.detail["probability_so_few"], 0.05)
        reason = blinks.reasons[0]
        self.assertTrue(reason.text.startswith("No blink"))
        self.assertGreater(reason.end - reason.start, 10)

    def test_it_measures_lip_sync_when_there_is_sound(self) -> None:
        footage, track, found = self.with_sound
        self.assertTrue(footage.has_audio)
        self.assertGreater(track.tracked_seconds, 8)
        lip_sync = found["lip_sync"]
        self.assertTrue(lip_sync.measured)
        self.assertTrue(-1.0 <= lip_sync.value <= 1.0)
        self.assertLessEqual(abs(lip_sync.detail["best_lag_seconds"]), 0.2 + 1e-9)
