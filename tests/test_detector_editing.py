"""The editing-trace signals on real media: workshop shallowfakes rendered by the app's ffmpeg
with the workshop's own filter graphs, real research clips, and clips made on the spot."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from media_library.detector.footage import Footage, read_footage
from media_library.detector.measurements import Measurement
from media_library.detector.signals.editing import SIGNALS, measure_editing
from media_library.workshop import RECIPES
from media_library.workshop.forms import SourceInfo
from tests.factories import (
    DEV_MEDIA,
    FAST_H264,
    dev_clip,
    make_image,
    make_video,
    requires_dev_media,
    run_ffmpeg,
)

NAMES = [name for name, _, _ in SIGNALS]
SPLICE_AT, SPLICE_TO = 4.0, 7.0
FAST_FROM, FAST_TO, FAST_FACTOR = 4.0, 8.0, 1.5


def render(recipe: str, params: dict, source: Path, target: Path) -> Path:
    """The workshop's own ffmpeg command for `recipe` applied to `source`."""
    subprocess.run(
        RECIPES[recipe].command([source], target, params, SourceInfo.of_file(source)), check=True
    )
    return target


def by_name(measurements: list[Measurement]) -> dict[str, Measurement]:
    return {measurement.name: measurement for measurement in measurements}


class TempDirTestCase(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.folder = Path(tempfile.mkdtemp(prefix="telltale-editing-"))
        cls.addClassCleanup(shutil.rmtree, cls.folder, ignore_errors=True)


@requires_dev_media
class WorkshopEditTests(TempDirTestCase):
    """One real 30 fps research clip, shrunk as processing would, then edited by the workshop."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        # Stands in for the processed MP4 the workshop reads (smaller, so the renders are quick).
        original = cls.folder / "original.mp4"
        run_ffmpeg(
            "-i",
            str(dev_clip("ffpp/original_sequences/youtube/c40/videos/183.mp4")),
            "-vf",
            "scale=384:-2",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "18",
            "-pix_fmt",
            "yuv420p",
            str(original),
        )
        edits = {
            "slowed": ("slow_speech", {"factor": 0.75}),
            "sped_up": (
                "speed_up_moment",
                {"start": FAST_FROM, "end": FAST_TO, "factor": FAST_FACTOR},
            ),
            "doubled": ("speed_up_moment", {"start": FAST_FROM, "end": FAST_TO, "factor": 2.0}),
            "spliced": ("splice", {"start": SPLICE_AT, "end": SPLICE_TO}),
            "blended": ("slow_motion", {"factor": 2.0}),
        }
        cls.original = read_footage(original)
        cls.plain = by_name(measure_editing(cls.original))
        cls.self_aligned = by_name(measure_editing(cls.original, cls.original))
        cls.edited: dict[str, dict[str, Measurement]] = {}
        cls.alone: dict[str, dict[str, Measurement]] = {}
        for name, (recipe, params) in edits.items():
            footage = read_footage(render(recipe, params, original, cls.folder / f"{name}.mp4"))
            cls.edited[name] = by_name(measure_editing(footage, cls.original))
            cls.alone[name] = by_name(measure_editing(footage))

    def test_it_reads_one_frame_in_four_repeated_in_slowed_speech(self):
        repeats = self.edited["slowed"]["repeated_frames"]
        self.assertAlmostEqual(repeats.detail["cadence"], 4.0, delta=0.4)
        self.assertAlmostEqual(repeats.detail["implied_speed"], 0.75, delta=0.075)
        self.assertGreaterEqual(repeats.feature, 1.0)
        self.assertIn("One frame in 4", repeats.reasons[0].text)
        self.assertIn("0.75", repeats.reasons[0].text)

    def test_it_measures_the_slowdown_against_the_original(self):
        speed = self.edited["slowed"]["speed_vs_original"]
        self.assertAlmostEqual(speed.value, 0.75, delta=0.075)
        self.assertGreaterEqual(speed.feature, 2.0)
        self.assertEqual(self.edited["slowed"]["removed_vs_original"].value, 0)

    def test_it_finds_the_sped_up_stretch(self):
        speed = self.edited["sped_up"]["speed_vs_original"]
        self.assertAlmostEqual(speed.value, FAST_FACTOR, delta=0.1 * FAST_FACTOR)
        [stretch] = speed.detail["stretches"]
        self.assertAlmostEqual(stretch["start"], FAST_FROM, delta=0.5)
        self.assertAlmostEqual(stretch["end"], FAST_FROM + (FAST_TO - FAST_FROM) / 1.5, delta=0.5)
        self.assertAlmostEqual(speed.reasons[0].start, stretch["start"], delta=0.01)

    def test_a_stretch_at_twice_the_speed_measures_within_five_percent(self):
        # The stretch's edges lie where a window half inside it crosses the threshold, not at
        # the window's centre: measured from its centre, a 2x stretch came out at 1.88x.
        speed = self.edited["doubled"]["speed_vs_original"]
        [stretch] = speed.detail["stretches"]
        self.assertAlmostEqual(stretch["ratio"], 2.0, delta=0.1)
        self.assertAlmostEqual(stretch["start"], FAST_FROM, delta=0.2)
        self.assertAlmostEqual(stretch["end"], FAST_FROM + (FAST_TO - FAST_FROM) / 2, delta=0.2)

    def test_it_finds_the_splice_point_without_the_original(self):
        alone = self.alone["spliced"]
        found = alone["jumps"].detail["times"] + alone["cuts"].detail["times"]
        self.assertTrue(any(abs(t - SPLICE_AT) <= 0.2 for t in found), found)
        self.assertEqual(alone["removed_vs_original"].value, None)

    def test_it_measures_the_removed_stretch_against_the_original(self):
        removed = self.edited["spliced"]["removed_vs_original"]
        self.assertAlmostEqual(removed.value, SPLICE_TO - SPLICE_AT, delta=0.5)
        [cut] = removed.detail["removed"]
        self.assertAlmostEqual(cut["at"], SPLICE_AT, delta=0.2)
        self.assertAlmostEqual(cut["original_from"], SPLICE_AT, delta=0.2)
        self.assertGreaterEqual(removed.feature, 2.0)
        self.assertAlmostEqual(self.edited["spliced"]["speed_vs_original"].value, 1.0, delta=0.03)

    def test_it_flags_blended_slow_motion(self):
        blends = self.alone["blended"]["blended_frames"]
        self.assertGreaterEqual(blends.feature, 1.5)
        self.assertGreaterEqual(blends.value, 0.3)
        self.assertAlmostEqual(self.edited["blended"]["speed_vs_original"].value, 0.5, delta=0.05)
        self.assertLess(self.alone["blended"]["repeated_frames"].feature, 0.5)

    def test_it_finds_the_sped_up_stretch_blind_by_its_alternating_steps(self):
        steps = self.alone["sped_up"]["motion_steps"]
        self.assertGreaterEqual(steps.feature, 0.5, steps.detail)
        self.assertLess(steps.detail["start"], FAST_FROM + (FAST_TO - FAST_FROM) / FAST_FACTOR)
        self.assertGreater(steps.detail["end"], FAST_FROM)
        self.assertIn("alternating short and long steps", steps.reasons[0].text)

    def test_it_scores_the_unedited_clip_as_ordinary(self):
        for name in (
            "repeated_frames",
            "blended_frames",
            "cuts",
            "jumps",
            "timestamps",
            "motion_steps",
            "blend_cadence",
            "splice_continuity",
        ):
            with self.subTest(name):
                self.assertLess(self.plain[name].feature, 0.3)
        self.assertAlmostEqual(self.self_aligned["speed_vs_original"].value, 1.0, delta=0.02)
        self.assertEqual(self.self_aligned["speed_vs_original"].feature, 0)
        self.assertEqual(self.self_aligned["removed_vs_original"].value, 0)

    def test_it_leaves_speed_and_removal_unmeasured_without_an_original(self):
        for name in ("speed_vs_original", "removed_vs_original"):
            with self.subTest(name):
                self.assertFalse(self.plain[name].measured)
                self.assertIn("original", self.plain[name].detail["not_measured"])

    def test_it_always_returns_the_same_signals_in_order(self):
        self.assertEqual(list(self.plain), NAMES)
        for measurements in [*self.edited.values(), *self.alone.values()]:
            self.assertEqual(list(measurements), NAMES)


def shrunk(source: Path, target: Path, seconds: float) -> Path:
    """The first `seconds` of a research clip, as the processed MP4 the workshop reads."""
    run_ffmpeg(
        "-i", str(source), "-t", str(seconds), "-vf", "scale=640:-2",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
        str(target),
    )  # fmt: skip
    return target


@requires_dev_media
class BlindCueTests(TempDirTestCase):
    """The blind cues on workshop outputs of two more real clips (their first 12 s): blended slow
    motion at 0.8x of a 24 fps clip, and a 2-second splice of a clip whose camera moves."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.cases = {}
        for name, relative, recipe, params in (
            (
                "blended_slow",
                "ffpp/original_sequences/actors/c40/videos/01__kitchen_pan.mp4",
                "slow_motion",
                {"factor": 1.25},  # plays at 0.8x
            ),
            (
                "spliced",
                "ffpp/original_sequences/youtube/c40/videos/481.mp4",
                "splice",
                {"start": 4.0, "end": 6.0},
            ),
        ):
            source = shrunk(dev_clip(relative), cls.folder / f"{name}-source.mp4", 12)
            edited = render(recipe, params, source, cls.folder / f"{name}.mp4")
            cls.cases[name] = (
                by_name(measure_editing(read_footage(source))),
                by_name(measure_editing(read_footage(edited))),
            )

    def test_it_finds_the_cadence_of_blended_slow_motion_at_0_8x(self):
        plain, edited = self.cases["blended_slow"]
        cadence = edited["blend_cadence"]
        self.assertGreaterEqual(cadence.feature, 0.5, cadence.detail)
        self.assertAlmostEqual(cadence.detail["period"], 5.0, delta=0.3)
        self.assertIn("every 5.0 frames", cadence.reasons[0].text)
        self.assertEqual(plain["blend_cadence"].feature, 0, plain["blend_cadence"].detail)

    def test_it_finds_the_splice_by_the_picture_and_its_background_jumping(self):
        plain, edited = self.cases["spliced"]
        splice = edited["splice_continuity"]
        self.assertGreater(splice.feature, 0, splice.detail)
        self.assertAlmostEqual(splice.detail["at"], SPLICE_AT, delta=0.2)
        self.assertAlmostEqual(splice.reasons[0].start, SPLICE_AT, delta=0.2)
        self.assertEqual(plain["splice_continuity"].feature, 0, plain["splice_continuity"].detail)


class MadeClipTests(TempDirTestCase):
    def test_it_measures_sound_longer_than_the_picture(self):
        path = self.folder / "long-sound.mp4"
        run_ffmpeg(
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25:duration=2",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=4",
            *FAST_H264,
            "-c:a",
            "aac",
            str(path),
        )
        length = by_name(measure_editing(read_footage(path)))["av_length"]
        self.assertAlmostEqual(length.value, 2.0, delta=0.1)
        self.assertGreaterEqual(length.feature, 3.0)
        self.assertIn("sound runs 2.0 s longer", length.reasons[0].text)

    def test_it_finds_sound_and_picture_of_equal_length_ordinary(self):
        footage = read_footage(make_video(self.folder / "plain.mp4", seconds=3))
        length = by_name(measure_editing(footage))["av_length"]
        self.assertLess(abs(length.value), 0.15)
        self.assertEqual(length.feature, 0)

    def test_it_finds_a_hole_in_the_timestamps(self):
        path = self.folder / "hole.mp4"
        run_ffmpeg(
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25:duration=3",
            "-vf",
            "setpts=PTS+gte(N\\,25)*0.6/TB",
            "-fps_mode",
            "passthrough",
            *FAST_H264,
            str(path),
        )
        stamps = by_name(measure_editing(read_footage(path)))["timestamps"]
        [gap] = stamps.detail["gaps"]
        self.assertAlmostEqual(gap["at"], 0.96, delta=0.05)
        self.assertAlmostEqual(gap["seconds"], 0.64, delta=0.05)
        self.assertGreaterEqual(stamps.feature, 1.0)

    def test_it_leaves_a_still_image_unmeasured(self):
        footage = read_footage(make_image(self.folder / "still.jpg"))
        measurements = measure_editing(footage, footage)
        self.assertEqual([m.name for m in measurements], NAMES)
        for measurement in measurements:
            with self.subTest(measurement.name):
                self.assertFalse(measurement.measured)
                self.assertEqual(
                    measurement.detail["not_measured"], "A still image has no frames to compare."
                )


@requires_dev_media
class RealClipTests(SimpleTestCase):
    """False alarms matter as much as hits: unedited research originals stay ordinary."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        folder = DEV_MEDIA / "ffpp" / "original_sequences"
        cls.clips: list[tuple[str, Footage]] = [
            (str(path.relative_to(DEV_MEDIA)), read_footage(path))
            for path in sorted(folder.rglob("*.mp4"))
        ]

    def test_it_keeps_real_originals_below_one_on_every_editing_signal(self):
        self.assertTrue(self.clips)
        for label, footage in self.clips:
            for measurement in measure_editing(footage):
                if measurement.measured:
                    with self.subTest(clip=label, signal=measurement.name):
                        self.assertLess(measurement.feature, 1.0, measurement.reasons)
