"""seed_demo: the pack built for real (package photos, OpenCV, Pillow, ffmpeg), once per class."""

from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
from pathlib import Path

import numpy as np
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
from PIL import Image

from campaigns.models import Campaign
from media_library.demo.items import ITEMS
from media_library.demo.sources import PHOTOS
from media_library.models import Clip, MediaKind, ProcessingStatus, PublicationState, Tell, Verdict
from quiz.models import Answer, Attempt, Item, ItemKind, Mode, Quiz, QuizItem


def run_seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def decoded(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB")).astype(int)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a - b) ** 2).mean())
    return float("inf") if mse == 0 else 10 * np.log10(255**2 / mse)


class TempMediaTestCase(TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        root = Path(tempfile.mkdtemp(prefix="telltale-demo-"))
        cls.media_root, cls.work = root / "media", root / "work"
        cls.media_root.mkdir()
        cls.work.mkdir()
        cls.settings_override = override_settings(
            DEBUG=True, MEDIA_ROOT=cls.media_root, MEDIA_WORK_DIR=cls.work
        )
        cls.settings_override.enable()
        cls.addClassCleanup(shutil.rmtree, root, ignore_errors=True)
        cls.addClassCleanup(cls.settings_override.disable)
        super().setUpClass()

    def stored_files(self) -> dict[str, tuple[int, int]]:
        return {
            str(p.relative_to(self.media_root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in self.media_root.rglob("*")
            if p.is_file()
        }


class DemoPackTests(TempMediaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = run_seed()
        cls.clips = {clip.import_key: clip for clip in Clip.objects.filter(import_source="demo")}

    def test_it_builds_every_item_ready_published_and_badged(self) -> None:
        self.assertEqual(set(self.clips), {item.key for item in ITEMS})
        self.assertEqual(Clip.objects.count(), len(ITEMS))
        for clip in self.clips.values():
            self.assertTrue(clip.is_demo, clip.title)
            self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.title)
            self.assertEqual(clip.publication_state, PublicationState.PUBLISHED, clip.title)
            self.assertTrue(clip.media_file and clip.poster, clip.title)
        self.assertEqual(list(self.work.iterdir()), [])

    def test_it_has_four_of_each_verdict_with_images_and_videos_among_the_fakes(self) -> None:
        for verdict in Verdict:
            with self.subTest(verdict=verdict):
                clips = [c for c in self.clips.values() if c.verdict == verdict]
                self.assertGreaterEqual(len(clips), 4)
                if verdict != Verdict.REAL:
                    kinds = {c.kind for c in clips}
                    self.assertEqual(kinds, {MediaKind.IMAGE, MediaKind.VIDEO})
        for clip in self.clips.values():
            if clip.kind == MediaKind.VIDEO:
                self.assertGreaterEqual(clip.duration_seconds, 3.5)

    def test_it_keeps_every_real_item_the_package_file_re_encoded_only(self) -> None:
        for photo in PHOTOS:
            with self.subTest(photo=photo.key):
                clip = self.clips[f"real/{photo.key}"]
                self.assertEqual(clip.verdict, Verdict.REAL)
                self.assertIsNone(clip.recipe)
                self.assertEqual(clip.licence, "Public domain")
                self.assertIn(photo.distribution, clip.attribution)
                self.assertIn(f"{photo.module}/{photo.relative_path}", clip.attribution)
                self.assertIn(photo.author, clip.attribution)
                self.assertIn(photo.licence_statement, clip.consent_notes)
                # The upload is the package file byte for byte...
                digest = hashlib.sha256(photo.path.read_bytes()).hexdigest()
                self.assertEqual(clip.source_sha256, digest)
                # ...and what is served is its pixels, re-encoded (lossless PNG stays exact).
                served, package = decoded(Path(clip.media_file.path)), decoded(photo.path)
                self.assertEqual(served.shape, package.shape)
                if photo.path.suffix == ".png":
                    self.assertTrue(np.array_equal(served, package))
                else:
                    # One JPEG re-encode (quality 88) of a noisy photo stays above 30 dB; any
                    # edit (a caption, a crop, a pasted face) drops far below or changes shape.
                    self.assertGreater(psnr(served, package), 30.0)

    def test_it_changes_only_the_face_in_a_face_swap(self) -> None:
        for key in (
            "deepfake/hopper-face-on-collins",
            "deepfake/collins-face-on-hopper",
            "deepfake/morph-on-collins",
        ):
            with self.subTest(key=key):
                clip = self.clips[key]
                self.assertEqual(clip.verdict, Verdict.DEEPFAKE)
                target = next(p for p in PHOTOS if clip.original.import_key == f"real/{p.key}")
                fake, real = decoded(Path(clip.media_file.path)), decoded(target.path)
                x, y, w, h = clip.recipe["params"]["changed_box"]
                changed = np.any(fake != real, axis=2)
                outside = changed.copy()
                outside[y : y + h, x : x + w] = False
                self.assertFalse(outside.any(), "pixels changed outside the face box")
                # The face itself really changed, over most of the box.
                self.assertGreater(changed[y : y + h, x : x + w].mean(), 0.5)
                face_box = clip.recipe["params"]["target_face"]["box"]
                self.assertLess(abs(x - face_box[0]), face_box[2])

    def test_it_records_how_each_fake_was_made_and_from_what(self) -> None:
        for item in ITEMS:
            clip = self.clips[item.key]
            if item.verdict == Verdict.REAL:
                continue
            with self.subTest(key=item.key):
                self.assertEqual(clip.original, self.clips[item.original])
                self.assertEqual(clip.recipe["operation"], item.operation)
                self.assertEqual(
                    [s["clip"] for s in clip.recipe["sources"]],
                    [str(self.clips[key].uid) for key in item.sources],
                )
                self.assertTrue(clip.recipe["code_version"])
                self.assertTrue(clip.licence and clip.consent_notes)
                tells = list(clip.tells.all())
                self.assertTrue(tells)
                for tell in tells:
                    self.assertTrue(tell.still, tell.explanation)
                    self.assertLessEqual(tell.end_seconds, clip.duration_seconds or 0)

    def test_it_marks_the_false_caption_where_it_is_drawn(self) -> None:
        clip = self.clips["shallowfake/rocket-false-date"]
        tell = clip.tells.get()
        picture = decoded(Path(clip.media_file.path))
        rocket = decoded(next(p for p in PHOTOS if p.key == "rocket").path)
        # The photo above the caption is untouched; the caption band is where the tell says.
        self.assertTrue(np.array_equal(picture[: rocket.shape[0]], rocket))
        self.assertAlmostEqual(tell.box_y, rocket.shape[0] / picture.shape[0], places=3)
        self.assertIn("Apollo 11", clip.recipe["params"]["caption"])

    def test_it_creates_the_demo_accounts_in_their_groups(self) -> None:
        expected = {
            "student": "Students",
            "teacher": "Teachers",
            "curator": "Curators",
            "organizer": "Organizers",
        }
        for username, group in expected.items():
            user = User.objects.get(username=username)
            self.assertTrue(user.check_password(f"{username}-demo"))
            self.assertEqual([g.name for g in user.groups.all()], [group])
            self.assertFalse(user.is_superuser)
            self.assertIn(f"{username}-demo", self.output)
        self.assertTrue(User.objects.get(username="admin").is_superuser)
        self.assertIn("3 demo quizzes (practice, assessment, feed) over 11 items", self.output)
        self.assertIn("11 ready to play", self.output)

    def test_it_makes_a_quiz_of_each_mode_with_every_item_type_ready_to_play(self) -> None:
        quizzes = {quiz.mode: quiz for quiz in Quiz.objects.published()}
        self.assertEqual(set(quizzes), set(Mode.values))
        practice = quizzes[Mode.PRACTICE]
        kinds = {item.kind for item in practice.fixed_items()}
        self.assertEqual(kinds, set(ItemKind.values))
        self.assertEqual(len(practice.fixed_items()), practice.items.count())
        feed = quizzes[Mode.FEED].draw()
        self.assertEqual(sum(item.clip.is_manipulated for item in feed), 1)
        self.assertEqual(len(feed), 5)
        # The assessment deals only clips kept for tests (the rocket and Hubble pictures and
        # their fakes): the portraits' family is what the lessons show.
        assessment = quizzes[Mode.ASSESSMENT].draw()
        self.assertEqual(len(assessment), 4)
        for item in assessment:
            self.assertFalse(item.clip.teaching_example, item.clip.title)
            self.assertIn(item.clip.original_id or item.clip.pk, self.kept_for_tests())
        self.assertTrue(Clip.objects.teaching_examples().filter(title__icontains="face").exists())

    def test_it_runs_the_feed_as_a_campaign_dealing_only_clips_kept_for_tests(self) -> None:
        campaign = Campaign.objects.get(slug="demo-election")
        self.assertEqual(campaign.organizer.username, "organizer")
        self.assertTrue(campaign.is_open())
        self.assertEqual(
            set(campaign.texts.values_list("language", flat=True)), {"en", "es", "zh-hans"}
        )
        dealt = campaign.deal()
        self.assertGreaterEqual(len(dealt), 2)
        self.assertTrue(any(item.clip.is_manipulated for item in dealt))
        self.assertTrue(any(not item.clip.is_manipulated for item in dealt))
        for item in dealt:
            self.assertIn(item.clip.original_id or item.clip.pk, self.kept_for_tests())

    def kept_for_tests(self) -> set[int]:
        return set(Clip.objects.unexposed().values_list("pk", flat=True))

    def test_it_changes_nothing_on_a_second_run(self) -> None:
        def snapshot() -> tuple:
            return (
                list(Clip.objects.order_by("pk").values()),
                list(Tell.objects.order_by("pk").values()),
                list(User.objects.order_by("pk").values()),
                list(Group.objects.order_by("pk").values_list("name", "user")),
                list(Item.objects.order_by("pk").values()),
                list(QuizItem.objects.order_by("pk").values()),
                self.stored_files(),
            )

        before = snapshot()
        output = run_seed()
        self.assertEqual(snapshot(), before)
        self.assertIn("0 made now", output)

    def test_it_rebuilds_an_item_a_stopped_run_left_unfinished(self) -> None:
        # No other test reads this item's files, which this one deletes.
        clip = self.clips["shallowfake/shuttle-model-crop"]
        # A run that stopped half way stopped before the demo class played anything.
        Attempt.objects.filter(entries__item__in=Item.objects.showing(clip)).delete()
        Clip.objects.filter(pk=clip.pk).update(processing_status=ProcessingStatus.FAILED)
        old_media = Path(clip.media_file.path)
        with self.captureOnCommitCallbacks(execute=True):
            run_seed()
        rebuilt = Clip.objects.get(import_source="demo", import_key=clip.import_key)
        self.assertNotEqual(rebuilt.pk, clip.pk)
        self.assertEqual(rebuilt.processing_status, ProcessingStatus.READY)
        self.assertEqual(Clip.objects.count(), len(ITEMS))
        self.assertFalse(old_media.exists())

    def test_it_keeps_an_unfinished_item_learners_have_answered(self) -> None:
        clip = self.clips["shallowfake/shuttle-model-crop"]
        answers = Answer.objects.filter(item__in=Item.objects.showing(clip)).count()
        self.assertGreater(answers, 0)
        Clip.objects.filter(pk=clip.pk).update(processing_status=ProcessingStatus.FAILED)
        with self.assertRaisesMessage(CommandError, "learners have answered it, so it is kept"):
            run_seed()
        self.assertTrue(Clip.objects.filter(pk=clip.pk).exists())
        self.assertEqual(
            Answer.objects.filter(item__in=Item.objects.showing(clip)).count(), answers
        )


class SeedDemoRefusalTests(TempMediaTestCase):
    def test_it_refuses_with_debug_off(self) -> None:
        with override_settings(DEBUG=False), self.assertRaisesMessage(CommandError, "DEBUG off"):
            run_seed()
        self.assertFalse(User.objects.exists())
        self.assertFalse(Clip.objects.exists())

    def test_dry_run_names_the_package_files_and_changes_nothing(self) -> None:
        output = run_seed("--dry-run")
        self.assertIn("skimage/data/astronaut.png", output)
        self.assertIn("matplotlib/mpl-data/sample_data/grace_hopper.jpg", output)
        self.assertFalse(User.objects.exists())
        self.assertFalse(Clip.objects.exists())
        self.assertEqual(self.stored_files(), {})

    def test_from_needs_a_dataset_folder(self) -> None:
        with self.assertRaisesMessage(CommandError, "no such folder"):
            run_seed("--from", str(self.work / "absent"))
        with self.assertRaisesMessage(CommandError, "ffpp or dfdc"):
            run_seed("--from", str(self.work))
        self.assertFalse(User.objects.exists())
