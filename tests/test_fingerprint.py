"""Finding a clip's original by its fingerprint: the hashes on real footage (a slow pan over a
photograph, so every frame moves and has texture), the workshop's own edits of it, and the
library lookup through the curator page, the analysis and the backfill command."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from media_library.demo.sources import COLLINS, HOPPER
from media_library.detector import fingerprint as fp
from media_library.detector.footage import read_footage
from media_library.models import ClipAnalysis, ClipFingerprint, FingerprintKey, Verdict
from media_library.workshop import RECIPES, SourceInfo
from tests.base import IsolatedMediaTestCase
from tests.factories import FAST_H264, run_ffmpeg

SECONDS = 4
# What each workshop recipe does to the pan, and what the lookup must say about it.
EDITS = {
    "slowed": ("slow_speech", {"factor": 0.75}),
    "sped_up": ("speed_up_moment", {"start": 1.0, "end": 2.6, "factor": 2}),
    "spliced": ("splice", {"start": 1.5, "end": 2.5}),
    "blended": ("slow_motion", {"factor": 2.0}),
}


def make_pan(photo: Path, path: Path, seconds: float = SECONDS) -> Path:
    """A slow, uneven pan over a photograph with a tone: real texture, motion in every frame."""
    run_ffmpeg(
        "-loop", "1", "-i", str(photo),
        "-f", "lavfi", "-i", f"sine=frequency=220:duration={seconds}",
        "-t", str(seconds), "-r", "25",
        "-vf", "scale=640:-2,crop=320:240:x='(in_w-320)*(0.5+0.5*sin(t*0.9))'"
        ":y='(in_h-240)*(0.5+0.5*sin(t*0.6+1))',format=yuv420p",
        *FAST_H264, "-c:a", "aac", "-shortest", str(path),
    )  # fmt: skip
    return path


def render(recipe: str, params: dict, source: Path, target: Path) -> Path:
    """The workshop's own ffmpeg command for `recipe` applied to `source`."""
    command = RECIPES[recipe].command([source], target, params, SourceInfo.of_file(source))
    subprocess.run(command, check=True)
    return target


def reframe(source: Path, target: Path) -> Path:
    """Re-encoded smaller, with 4 % cropped off each side: what a re-upload does to a clip."""
    run_ffmpeg(
        "-i", str(source), "-vf", "crop=iw*0.92:ih*0.92,scale=288:-2", *FAST_H264,
        "-crf", "30", "-c:a", "aac", str(target),
    )  # fmt: skip
    return target


class Media:
    """The pan, an unrelated pan over another photograph, and every edit, made once."""

    folder: Path | None = None

    @classmethod
    def get(cls) -> Path:
        # pytest-django runs database tests first: this module may be torn down and come back.
        if cls.folder is None or not cls.folder.is_dir():
            cls.folder = Path(tempfile.mkdtemp(prefix="telltale-fingerprint-"))
            original = make_pan(COLLINS.path, cls.folder / "original.mp4")
            make_pan(HOPPER.path, cls.folder / "unrelated.mp4")
            reframe(original, cls.folder / "reframed.mp4")
            for name, (recipe, params) in EDITS.items():
                render(recipe, params, original, cls.folder / f"{name}.mp4")
        return cls.folder


def tearDownModule() -> None:
    if Media.folder is not None:
        shutil.rmtree(Media.folder, ignore_errors=True)
        Media.folder = None


class FingerprintTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        folder = Media.get()
        cls.footage = {
            name: read_footage(folder / f"{name}.mp4")
            for name in ["original", "unrelated", "reframed", *EDITS]
        }
        cls.prints = {name: fp.fingerprint(f) for name, f in cls.footage.items()}

    def test_it_hashes_two_keyframes_a_second(self):
        original = self.prints["original"]
        self.assertEqual(len(original), SECONDS * 2)
        self.assertTrue(original.informative.all())
        self.assertLessEqual(len(original.band_keys()), len(original) * fp.BANDS)
        again = fp.Fingerprint.from_json(original.as_json())
        self.assertEqual(list(again.phash), list(original.phash))
        self.assertEqual(list(again.dhash), list(original.dhash))

    def test_every_edit_keeps_keys_and_near_twins_of_the_original(self):
        original = self.prints["original"]
        for name in ["reframed", *EDITS]:
            with self.subTest(name):
                edited = self.prints[name]
                self.assertGreaterEqual(len(edited.query_keys() & original.band_keys()), 3)
                self.assertGreaterEqual(fp.similarity(edited, original), fp.MIN_SIMILARITY)

    def test_an_unrelated_pan_shares_nothing(self):
        unrelated, original = self.prints["unrelated"], self.prints["original"]
        self.assertLess(len(unrelated.query_keys() & original.band_keys()), 3)
        self.assertLess(fp.similarity(unrelated, original), 0.1)
        self.assertIsNone(fp.verify(self.footage["unrelated"], self.footage["original"], 0.0))

    def test_verifying_describes_each_edit(self):
        original = self.footage["original"]
        slowed = fp.verify(self.footage["slowed"], original, 1.0)
        self.assertAlmostEqual(slowed.speed, 0.75, delta=0.03)
        self.assertEqual((slowed.stretches, slowed.removed), ([], []))
        blended = fp.verify(self.footage["blended"], original, 1.0)
        self.assertAlmostEqual(blended.speed, 0.5, delta=0.03)
        spliced = fp.verify(self.footage["spliced"], original, 1.0)
        ((at, seconds),) = spliced.removed
        self.assertAlmostEqual(at, 1.5, delta=0.1)
        self.assertAlmostEqual(seconds, 1.0, delta=0.1)
        sped_up = fp.verify(self.footage["sped_up"], original, 1.0)
        ((start, _end, speed),) = sped_up.stretches
        self.assertGreater(speed, 1.3)
        self.assertLess(start, 1.6)
        for match in (slowed, blended, spliced, sped_up):
            self.assertFalse(match.is_duplicate)
            self.assertLess(match.original_from, 0.1)
        self.assertTrue(fp.verify(self.footage["reframed"], original, 1.0).is_duplicate)


@override_settings(LANGUAGE_CODE="en", FINGERPRINT_AFTER_PROCESSING=True)
class LibraryLookupTests(IsolatedMediaTestCase):
    """A library per test: the original, then clips uploaded as if by strangers (no original
    named, said to be real): its re-edits and an unrelated pan of the same kind."""

    def library(self, *names: str) -> dict:
        folder = Media.get()
        self.original = self.create_clip(folder / "original.mp4", "Harbour pan")
        self.client.force_login(self.curator)
        return {name: self.create_clip(folder / f"{name}.mp4", f"Upload {name}") for name in names}

    def page(self, clip) -> str:
        response = self.client.get(reverse("media_library:clip-detail", args=[clip.slug]))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_curator_page_names_the_original_of_every_edit_and_the_backfill_agrees(self):
        uploads = self.library("reframed", *EDITS, "unrelated")
        link = f'href="{self.original.get_absolute_url()}"'
        expected = {
            "reframed": ["Likely duplicate of", "matches 0:00–0:04 of “Harbour pan”."],
            "slowed": ["Re-edit of", "slowed to 0.75×"],
            "blended": ["Re-edit of", "slowed to 0.50×"],
            "spliced": ["Re-edit of", "1.0 s removed at 0:01"],
            "sped_up": ["Re-edit of", "sped up to"],
        }

        def check_pages() -> None:
            for name, phrases in expected.items():
                with self.subTest(name):
                    page = self.page(uploads[name])
                    self.assertIn(link, page)
                    for phrase in phrases:
                        self.assertIn(phrase, page)
            # The original matches nothing (not itself, not what was made from it later) and
            # an unrelated pan of the same kind is refused.
            for clip in (self.original, uploads["unrelated"]):
                page = self.page(clip)
                self.assertIn("No clip added to the library before this one matches it.", page)
                self.assertNotIn("Re-edit of", page)

        check_pages()
        self.assertGreater(FingerprintKey.objects.filter(clip=self.original).count(), 10)

        # Clips from before fingerprints: the backfill finds the same, whatever the order.
        ClipFingerprint.objects.all().delete()
        FingerprintKey.objects.all().delete()
        self.assertIn("has no fingerprint yet", self.page(uploads["slowed"]))
        out = StringIO()
        call_command("fingerprint_library", "--dry-run", stdout=out)
        self.assertIn("7 clips would be fingerprinted.", out.getvalue())
        out = StringIO()
        call_command("fingerprint_library", stdout=out)
        self.assertIn("7 clips fingerprinted, 5 matched a clip of the library.", out.getvalue())
        self.assertIn("Upload slowed: This clip matches", out.getvalue())
        check_pages()
        out = StringIO()
        call_command("fingerprint_library", stdout=out)
        self.assertIn("0 clips fingerprinted", out.getvalue())

    def test_the_analysis_uses_the_original_it_found_unless_it_is_labelled_fake(self):
        uploads = self.library("slowed", "reframed")
        clip = uploads["slowed"]
        with self.captureOnCommitCallbacks(execute=True):
            clip.enqueue_analysis()
        analysis = ClipAnalysis.objects.get(clip=clip)
        self.assertTrue(analysis.is_done, analysis.error)
        self.assertTrue(analysis.compared_with_original)
        self.assertEqual(analysis.original_found["clip"], self.original.pk)
        self.assertEqual(analysis.original_found["by"], "lookup")
        speed = next(m for m in analysis.measurements if m["name"] == "speed_vs_original")
        self.assertAlmostEqual(speed["value"], 0.75, delta=0.03)
        self.assertIn("found in the library by its fingerprint", self.page(clip))

        self.original.verdict = Verdict.SHALLOWFAKE
        self.original.save(update_fields=["verdict"])
        clip = uploads["reframed"]
        with self.captureOnCommitCallbacks(execute=True):
            clip.enqueue_analysis()
        analysis = ClipAnalysis.objects.get(clip=clip)
        self.assertTrue(analysis.is_done, analysis.error)
        self.assertEqual(analysis.original_found, {})
        self.assertFalse(analysis.compared_with_original)

        # The curator still sees the duplicate.
        self.assertIn("Likely duplicate of", self.page(clip))
