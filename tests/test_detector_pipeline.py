"""The detector in the product: analysis after processing, the curator's breakdown, the reveal,
the results comparison and the analyze_clip / evaluate_detector commands, on real media."""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
from io import StringIO
from pathlib import Path
from unittest import mock

from django.core.files import File
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from media_library.detector.analysis import Analysis, analyze_file
from media_library.detector.scoring import HeldOut, Weights
from media_library.detector.signals.face import ALL_NAMES as FACE_SIGNALS
from media_library.importers import IMPORTERS
from media_library.importers.base import Entry
from media_library.management.commands import evaluate_detector
from media_library.models import AnalysisStatus, Clip, ClipAnalysis, PublicationState, Verdict
from quiz.models import ItemKind
from tests.base import IsolatedMediaTestCase
from tests.factories import (
    DEV_MEDIA,
    answer_key,
    dev_clip,
    make_image,
    make_item,
    make_quiz,
    make_video,
    requires_dev_media,
    run_ffmpeg,
    start,
)

DEEPFAKE = "ffpp/manipulated_sequences/Deepfakes/c40/videos/183_253.mp4"
ITS_ORIGINAL = "ffpp/original_sequences/youtube/c40/videos/183.mp4"


def informative_weights() -> Weights:
    """The default weights as if measured out of sample, better than chance on both kinds."""
    figure = HeldOut(auc=0.71, low=0.62, high=0.80, fakes=42, reals=26).as_json()
    both = {"video": figure, "image": figure}
    return dataclasses.replace(
        Weights.default(), version="test-held-out", out_of_sample={"face": both, "editing": both}
    )


def command(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


class AnalyzeClipCommandTests(IsolatedMediaTestCase):
    def test_it_reports_no_face_honestly_on_a_test_pattern(self) -> None:
        video = self.fixture("pattern.mp4", make_video, seconds=3, width=320, height=240)
        out = command("analyze_clip", str(video))
        self.assertIn("Face manipulation: no score. No face was found", out)
        self.assertIn("uncalibrated", out)
        # Every signal is listed, measured or not, with why not.
        self.assertIn("lip_sync", out)
        self.assertIn("not measured", out)

    def test_it_prints_json_with_every_measurement(self) -> None:
        video = self.fixture("pattern.mp4", make_video, seconds=3, width=320, height=240)
        data = json.loads(command("analyze_clip", str(video), "--json"))
        names = [m["name"] for m in data["measurements"]]
        # Every face signal and the 11 editing signals, measured or not.
        self.assertEqual(len(names), len(FACE_SIGNALS) + 11)
        self.assertIn("repeated_frames", names)
        self.assertTrue(data["scores"]["face"]["abstained"])
        editing = data["scores"]["editing"]
        self.assertFalse(editing["abstained"])
        low, high = editing["interval"]
        self.assertLessEqual(low, editing["probability"])
        self.assertLessEqual(editing["probability"], high)
        # An unedited clip: the editing signals see nothing unusual.
        features = {
            m["name"]: m["feature"] for m in data["measurements"] if m["family"] == "editing"
        }
        self.assertEqual(features["repeated_frames"], 0)
        self.assertEqual(features["cuts"], 0)

    def test_it_refuses_what_is_not_media_with_the_reason(self) -> None:
        text = self.fixtures / "notes.txt"
        text.write_text("not a video\n")
        with self.assertRaisesMessage(CommandError, "text file"):
            command("analyze_clip", str(text))
        with self.assertRaisesMessage(CommandError, "is not a file"):
            command("analyze_clip", str(self.fixtures / "missing.mp4"))

    @requires_dev_media
    def test_it_tracks_the_face_and_compares_with_the_original(self) -> None:
        out = command(
            "analyze_clip",
            str(dev_clip(DEEPFAKE)),
            "--original",
            str(dev_clip(ITS_ORIGINAL)),
            "--json",
        )
        data = json.loads(out)
        self.assertGreater(data["face_seconds"], 8)
        self.assertFalse(data["scores"]["face"]["abstained"])
        by_name = {m["name"]: m for m in data["measurements"]}
        # Frames of a face swap keep the original's timing.
        self.assertAlmostEqual(by_name["speed_vs_original"]["value"], 1.0, delta=0.05)
        self.assertAlmostEqual(by_name["removed_vs_original"]["value"], 0.0, delta=0.5)


@override_settings(DETECTOR_ANALYZE_AFTER_PROCESSING=True)
class AnalysisAfterProcessingTests(IsolatedMediaTestCase):
    def add_clip(self, path: Path, title: str, **fields) -> Clip:
        """A clip uploaded and processed (tasks run at once in tests), then analysed."""
        with path.open("rb") as handle, self.captureOnCommitCallbacks(execute=True):
            clip = Clip.objects.create_from_upload(
                File(handle, name=path.name), self.curator, title=title, **fields
            )
        clip.refresh_from_db()
        return clip

    def test_processing_queues_the_detector_and_the_curator_sees_every_signal(self) -> None:
        video = self.fixture("talk.mp4", make_video, seconds=3, width=320, height=240)
        clip = self.add_clip(video, "Pattern", verdict=Verdict.REAL)
        analysis = ClipAnalysis.objects.get(clip=clip)
        self.assertEqual(analysis.status, AnalysisStatus.DONE, analysis.error)
        self.assertTrue(analysis.face_abstained)
        self.assertFalse(analysis.editing_abstained)
        self.assertEqual(analysis.attempts, 1)

        self.client.force_login(self.curator)
        page = self.client.get(clip.get_absolute_url()).content.decode()
        self.assertIn('id="detector"', page)
        self.assertIn("Every signal the detector measured", page)
        self.assertIn("Repeated frames", page)
        self.assertIn("No face was found", page)
        # The default weights were never measured on clips they had not seen: no percentage.
        self.assertIn("this score has not been tested on clips it had never seen", page)
        self.assertNotIn("detector-probability", page)
        # Neither a student nor an outsider sees the curator's page.
        for user in (self.student, self.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(clip.get_absolute_url()).status_code, 403)

    def test_analyse_again_runs_it_once_more_and_htmx_gets_the_panel(self) -> None:
        video = self.fixture("talk.mp4", make_video, seconds=3, width=320, height=240)
        clip = self.add_clip(video, "Pattern", verdict=Verdict.REAL)
        self.client.force_login(self.curator)
        url = reverse("media_library:clip-analyze", args=[clip.slug])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, headers={"HX-Request": "true"})
        self.assertContains(response, 'id="detector"')
        self.assertNotContains(response, "<html")
        self.assertEqual(ClipAnalysis.objects.get(clip=clip).attempts, 2)
        # Only curators may ask, and only by POST.
        self.client.force_login(self.student)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.curator)
        self.assertEqual(self.client.get(url).status_code, 405)

    def test_a_clip_whose_file_is_gone_fails_with_a_reason_and_can_be_retried(self) -> None:
        video = self.fixture("talk.mp4", make_video, seconds=3, width=320, height=240)
        clip = self.add_clip(video, "Pattern", verdict=Verdict.REAL)
        kept = self.fixtures / "kept.mp4"
        shutil.copy(clip.source_file.path, kept)
        Path(clip.source_file.path).write_bytes(b"\x00\x00\x00\x18ftypmp42 broken")
        with self.captureOnCommitCallbacks(execute=True):
            clip.enqueue_analysis()
        analysis = ClipAnalysis.objects.get(clip=clip)
        self.assertEqual(analysis.status, AnalysisStatus.FAILED)
        self.assertIn("could not be read", analysis.error)
        self.client.force_login(self.curator)
        page = self.client.get(clip.get_absolute_url())
        self.assertContains(page, "The analysis failed.")
        self.assertContains(page, analysis.error)
        self.assertContains(page, "Analyse again")

        shutil.copy(kept, clip.source_file.path)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("media_library:clip-analyze", args=[clip.slug]))
        analysis.refresh_from_db()
        self.assertEqual(analysis.status, AnalysisStatus.DONE, analysis.error)
        self.assertEqual(analysis.error, "")

    def test_a_still_image_gets_no_editing_score_and_says_why(self) -> None:
        image = self.fixture("photo.png", make_image, size=(320, 240), fmt="PNG")
        clip = self.add_clip(image, "Photo", verdict=Verdict.REAL)
        analysis = ClipAnalysis.objects.get(clip=clip)
        self.assertEqual(analysis.status, AnalysisStatus.DONE, analysis.error)
        self.assertTrue(analysis.editing_abstained)
        self.assertEqual(analysis.editing_why, "A still image has no frames to compare.")

    @requires_dev_media
    def test_reasons_for_a_still_image_name_no_time(self) -> None:
        # A frame of a face swap whose pasted face is smoother than its surroundings: the
        # face-edge reason fires, and a still has no moment to point at.
        still = self.fixtures / "swapped-face.png"
        run_ffmpeg("-ss", "1", "-i", str(dev_clip(DEEPFAKE)), "-frames:v", "1", str(still))
        clip = self.add_clip(still, "Swapped still", verdict=Verdict.DEEPFAKE)
        analysis = ClipAnalysis.objects.get(clip=clip)
        self.assertEqual(analysis.status, AnalysisStatus.DONE, analysis.error)
        reasons = [r for family in analysis.reasons.values() for s in family for r in s["reasons"]]
        self.assertIn(
            "The face is smoother than the hair, skin and background just around it, as when "
            "a pasted face is blended in.",
            [reason["text"] for reason in reasons],
        )
        self.assertTrue(all(reason["start"] is None for reason in reasons), reasons)
        self.client.force_login(self.curator)
        page = self.client.get(clip.get_absolute_url()).content.decode()
        self.assertIn("detector-reasons", page)
        self.assertNotIn("most of all at 0:00", page)
        self.assertNotIn('class="seek-link"', page)

    @requires_dev_media
    def test_the_reveal_shows_the_score_and_reasons_only_after_the_answer(self) -> None:
        original = self.add_clip(dev_clip(ITS_ORIGINAL), "Newsreader", verdict=Verdict.REAL)
        fake = self.add_clip(
            dev_clip(DEEPFAKE),
            "Newsreader swapped",
            verdict=Verdict.DEEPFAKE,
            technique="face_swap",
            original=original,
        )
        analysis = ClipAnalysis.objects.get(clip=fake)
        self.assertEqual(analysis.status, AnalysisStatus.DONE, analysis.error)
        self.assertTrue(analysis.compared_with_original)
        self.assertFalse(analysis.face_abstained)
        self.assertTrue(analysis.timeline)
        # Weights whose scores beat chance out of sample, so the reveal may show percentages.
        self.assertTrue(analysis.rescore(informative_weights()))
        for clip in (original, fake):
            Clip.objects.filter(pk=clip.pk).update(
                publication_state=PublicationState.PUBLISHED, licence="research"
            )
        item = make_item(fake, ItemKind.VERDICT)
        quiz = make_quiz([item])
        attempt = start(self.client, quiz)

        before = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        for leak in ("detector-scores", "Face manipulation", "No analysis yet"):
            self.assertNotIn(leak, before)

        self.client.post(
            f"/attempts/{attempt.uid}/items/1/answer/",
            {"key": answer_key(self.client, attempt, 1), "verdict": "real", "confidence": "70"},
        )
        after = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        self.assertIn("detector-scores", after)
        self.assertIn("Face manipulation", after)
        self.assertIn(f"{round(100 * analysis.face_probability)} %", after)
        self.assertNotIn("No analysis yet", after)

        results = self.client.get(f"/attempts/{attempt.uid}/results/")
        right = (analysis.manipulation_probability >= 0.5) is True
        self.assertEqual(results.context["detector"].accuracy, 1.0 if right else 0.0)


@requires_dev_media
class EvaluateDetectorTests(IsolatedMediaTestCase):
    def test_it_evaluates_a_dataset_folder_by_its_own_labels(self) -> None:
        svg = self.fixtures / "reliability.svg"
        figures = self.fixtures / "figures.json"
        analysed: dict[Path, Analysis] = {}

        def recording(path: Path, *args, **kwargs) -> Analysis:
            analysed[path] = analyze_file(path, *args, **kwargs)
            return analysed[path]

        with mock.patch.object(evaluate_detector, "analyze_file", recording):
            out = command(
                "evaluate_detector",
                str(DEV_MEDIA / "ffpp"),
                "--format",
                "ffpp",
                "--limit",
                "4",
                "--svg",
                str(svg),
                "--json",
                str(figures),
            )
        self.assertIn("Evaluated 4 ffpp folder", out)
        self.assertIn("0.693 for always saying 50 %", out)
        self.assertIn("manipulated (either score): n=4", out)
        data = json.loads(figures.read_text())
        overall = data["scores"]["manipulated (either score)"]
        self.assertEqual(overall["n"], 4)
        # The figures are those of the four clips' own scores: either score's probability
        # (50 % where both abstained) against the dataset's labels, worked out here by hand.
        labels = {
            entry.path: entry.verdict != Verdict.REAL
            for entry in IMPORTERS["ffpp"](DEV_MEDIA / "ffpp").entries()
            if isinstance(entry, Entry)
        }
        self.assertEqual(len(analysed), 4)
        losses, squares = [], []
        for path, result in analysed.items():
            answered = [s.probability for s in result.scores.values() if not s.abstained]
            p = 1 - math.prod(1 - q for q in answered) if answered else 0.5
            fake = labels[path]
            losses.append(-math.log(p if fake else 1 - p))
            squares.append((p - fake) ** 2)
        self.assertAlmostEqual(overall["log_loss"], sum(losses) / 4, places=9)
        self.assertAlmostEqual(overall["brier"], sum(squares) / 4, places=9)
        self.assertTrue(svg.read_text().startswith("<svg"))
        self.assertIn("<desc", svg.read_text())

    def test_it_recognises_the_layout_or_asks_for_it(self) -> None:
        svg = str(self.fixtures / "reliability.svg")
        out = command("evaluate_detector", str(DEV_MEDIA / "dfdc"), "--svg", svg)
        # Both DFDC samples here are fakes: no AUC without a real clip, and it says so.
        self.assertIn("Evaluated 2 dfdc folder", out)
        self.assertIn("AUC n/a (one class only)", out)
        with self.assertRaisesMessage(CommandError, "no known layout fits it"):
            command("evaluate_detector", str(self.fixtures), "--svg", svg)


class FitAfterAnalysingTests(IsolatedMediaTestCase):
    def test_fit_detector_analyses_what_is_missing_and_fits_on_it(self) -> None:
        # Processed with the detector off, as clips processed before it existed were.
        for n, (verdict, technique) in enumerate(
            [(Verdict.REAL, "none")] * 3 + [(Verdict.SHALLOWFAKE, "speed_change")] * 3
        ):
            # Sizes differ so the files do (identical uploads are refused as duplicates).
            video = self.fixture(
                f"clip-{n}.mp4", make_video, seconds=2, width=160 + 16 * n, height=120
            )
            with video.open("rb") as handle, self.captureOnCommitCallbacks(execute=True):
                clip = Clip.objects.create_from_upload(
                    File(handle, name=video.name),
                    self.curator,
                    title=f"Clip {n}",
                    verdict=verdict,
                    technique=technique,
                )
            Clip.objects.filter(pk=clip.pk).update(publication_state=PublicationState.PUBLISHED)
        self.assertFalse(ClipAnalysis.objects.exists())
        with self.captureOnCommitCallbacks(execute=True):
            out = command("fit_detector", "--analyze-missing", "--dry-run")
        self.assertEqual(ClipAnalysis.objects.done().count(), 6)
        self.assertNotIn("no current analysis", out)
        self.assertIn("Fitted weights fit-", out)
        self.assertIn("editing: 3 manipulated / 3 others", out)
        self.assertIn("kept the default weights for face: 0 manipulated", out)
