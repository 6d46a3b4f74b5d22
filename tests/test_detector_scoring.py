"""The detector's numbers: scores with intervals and abstentions, the fit (grouped folds, Platt),
the evaluation measures against hand-computed values, and fit_detector / evaluate_detector on
a library of analysed clips."""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import tempfile
from io import StringIO
from pathlib import Path

import numpy as np
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, override_settings
from django.utils import timezone

from media_library import detector_weights
from media_library.detector.evaluation import (
    auc,
    auc_interval,
    binary_metrics,
    expected_calibration_error,
    log_loss,
    reliability_svg,
)
from media_library.detector.fitting import (
    NotEnoughData,
    fit_logistic,
    fit_platt,
    fit_weights,
    grouped_folds,
)
from media_library.detector.measurements import Family, Measurement, Reason
from media_library.detector.scoring import SIGNALS_VERSION, Weights, combined_probability
from media_library.detector_weights import WEIGHTS_FOLDER
from media_library.models import (
    AnalysisStatus,
    ClipAnalysis,
    ProcessingStatus,
    PublicationState,
    Technique,
    Verdict,
)
from tests.base import BaseTestCase
from tests.factories import make_clip


def face(name: str, feature: float, strength: float = 1.0, text: str = "") -> Measurement:
    reasons = [Reason(text or f"{name} stands out", 3.0, 5.0)] if feature else []
    return Measurement(name, Family.FACE, "face_edges", feature, "u", feature, strength, reasons)


def editing(name: str, feature: float, strength: float = 1.0) -> Measurement:
    return Measurement(name, Family.EDITING, "speed_change", feature, "u", feature, strength)


class EvaluationMeasureTests(SimpleTestCase):
    def test_it_computes_auc_by_hand(self) -> None:
        # Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 3 of 4 pairs ordered right.
        self.assertEqual(auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])), 0.75)
        # A tie counts half.
        self.assertEqual(auc(np.array([0, 1]), np.array([0.5, 0.5])), 0.5)
        self.assertIsNone(auc(np.array([1, 1]), np.array([0.2, 0.9])))

    def test_it_computes_log_loss_brier_accuracy_and_ece_by_hand(self) -> None:
        self.assertAlmostEqual(
            log_loss(np.array([1, 0]), np.array([0.8, 0.4])),
            -(math.log(0.8) + math.log(0.6)) / 2,
        )
        y, p = np.array([1, 1, 0, 0]), np.array([0.9, 0.9, 0.1, 0.3])
        # Bins: 0.9 (two clips, all fake: off by 0.1), 0.1 (off by 0.1), 0.3 (off by 0.3).
        expected = 0.5 * 0.1 + 0.25 * 0.1 + 0.25 * 0.3
        self.assertAlmostEqual(expected_calibration_error(y, p), expected)
        metrics = binary_metrics(y, p)
        self.assertEqual(metrics["accuracy"], 1.0)
        self.assertAlmostEqual(metrics["brier"], (0.01 + 0.01 + 0.01 + 0.09) / 4)
        self.assertEqual(metrics["auc"], 1.0)

    def test_the_bootstrap_interval_surrounds_the_auc(self) -> None:
        rng = np.random.default_rng(1)
        y = np.array([0] * 40 + [1] * 40)
        p = np.clip(y * 0.3 + rng.normal(0.35, 0.2, 80), 0, 1)
        low, high = auc_interval(y, p)
        self.assertLess(low, auc(y, p))
        self.assertGreater(high, auc(y, p))
        self.assertGreater(low, 0.5)

    def test_the_reliability_diagram_says_in_words_what_it_draws(self) -> None:
        svg = reliability_svg(np.array([1, 0, 1]), np.array([0.82, 0.1, 0.85]), "On three clips")
        self.assertIn("<title", svg)
        self.assertIn("0.8 to 0.9: 2 clips, 100% manipulated", svg)
        self.assertIn("0.1 to 0.2: 1 clips, 0% manipulated", svg)


class FittingTests(SimpleTestCase):
    def test_logistic_regression_recovers_known_weights(self) -> None:
        rng = np.random.default_rng(7)
        x = rng.normal(size=4000)
        y = (rng.random(4000) < 1 / (1 + np.exp(-(-1.0 + 2.0 * x)))).astype(float)
        beta, covariance = fit_logistic(np.column_stack([np.ones_like(x), x]), y, ridge=0.01)
        self.assertAlmostEqual(beta[0], -1.0, delta=0.15)
        self.assertAlmostEqual(beta[1], 2.0, delta=0.2)
        # The covariance is the inverse Hessian: small, positive variances with this much data.
        self.assertTrue(0 < covariance[1][1] < 0.01)

    def test_platt_scaling_leaves_calibrated_logits_alone(self) -> None:
        rng = np.random.default_rng(3)
        logits = rng.normal(0, 2, 5000)
        y = (rng.random(5000) < 1 / (1 + np.exp(-logits))).astype(float)
        a, b = fit_platt(logits, y)
        self.assertAlmostEqual(a, 1.0, delta=0.1)
        self.assertAlmostEqual(b, 0.0, delta=0.1)

    def test_folds_never_split_a_fake_from_its_original(self) -> None:
        groups = np.array([1, 1, 1, 2, 2, 3, 4, 4, 5, 6, 6, 6])
        folds = grouped_folds(groups, 3)
        self.assertEqual(sorted(np.concatenate(folds).tolist()), list(range(len(groups))))
        for test in folds:
            inside = set(groups[test].tolist())
            outside = set(np.delete(groups, test).tolist())
            self.assertFalse(inside & outside)

    def test_it_refuses_to_fit_on_too_few_clips(self) -> None:
        with self.assertRaisesMessage(NotEnoughData, "at least 3 of each"):
            fit_weights([])


class ScoringTests(SimpleTestCase):
    def test_stronger_evidence_means_a_higher_score_inside_its_interval(self) -> None:
        weights = Weights.default()
        quiet = [face("boundary_blending", 0.0), face("colour_flicker", 0.0)]
        loud = [face("boundary_blending", 2.5), face("colour_flicker", 1.5)]
        low = weights.score(quiet, face_seconds=10)["face"]
        high = weights.score(loud, face_seconds=10)["face"]
        self.assertGreater(high.probability, low.probability)
        for score in (low, high):
            self.assertLess(score.low, score.probability)
            self.assertGreater(score.high, score.probability)
        self.assertEqual(low.reasons, [])
        self.assertEqual(
            [r["signal"] for r in high.reasons], ["boundary_blending", "colour_flicker"]
        )
        self.assertEqual(high.reasons[0]["reasons"][0]["start"], 3.0)

    def test_weak_evidence_counts_for_less(self) -> None:
        weights = Weights.default()
        strong = weights.score([face("boundary_blending", 2), face("colour_flicker", 0)], 10)
        weak = weights.score(
            [face("boundary_blending", 2, strength=0.3), face("colour_flicker", 0)], 10
        )
        self.assertGreater(strong["face"].probability, weak["face"].probability)

    def test_it_abstains_when_the_face_is_tracked_too_briefly_or_too_little_was_measured(self):
        weights = Weights.default()
        signals = [face("boundary_blending", 1), face("colour_flicker", 1)]
        brief = weights.score(signals, face_seconds=1.2)["face"]
        self.assertTrue(brief.abstained)
        self.assertIsNone(brief.probability)
        self.assertIn("only 1.2 s", brief.why)
        self.assertIn("No face was found", weights.score(signals, face_seconds=0)["face"].why)
        one = weights.score([editing("repeated_frames", 2)], face_seconds=None)["editing"]
        self.assertTrue(one.abstained)
        self.assertIn("Only 1 of the signals", one.why)
        thin = weights.score(
            [editing("cuts", 0, 0.1), editing("jumps", 0, 0.1), editing("timestamps", 0, 0.1)],
            None,
        )["editing"]
        self.assertIn("Too little evidence", thin.why)

    def test_either_kind_of_manipulation_combines_the_answered_scores(self) -> None:
        self.assertAlmostEqual(combined_probability([0.5, 0.2]), 0.6)
        self.assertAlmostEqual(combined_probability([None, 0.2]), 0.2)
        self.assertIsNone(combined_probability([None, None]))


def analysed_clip(n: int, verdict: str, technique: str, features: dict, original=None):
    clip = make_clip(
        f"Clip {n}",
        verdict=verdict,
        technique=technique,
        original=original,
        processing_status=ProcessingStatus.READY,
        publication_state=PublicationState.PUBLISHED,
        licence="CC0",
    )
    measurements = [face(name, value) for name, value in features.get("face", {}).items()]
    measurements += [editing(name, value) for name, value in features.get("editing", {}).items()]
    ClipAnalysis.objects.create(
        clip=clip,
        status=AnalysisStatus.DONE,
        signals_version=SIGNALS_VERSION,
        weights_version="default-2",
        face_seconds=10.0,
        measurements=[m.as_json() for m in measurements],
    )
    return clip


class FitDetectorCommandTests(BaseTestCase):
    """A small library whose analyses carry signals that tell the classes apart (with noise),
    as real measurements would: the command must fit, calibrate, save and re-score."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        rng = np.random.default_rng(11)
        for n in range(12):
            real = analysed_clip(
                n,
                Verdict.REAL,
                Technique.NONE,
                {
                    "face": {"boundary_blending": rng.uniform(0, 0.8), "colour_flicker": 0.1},
                    "editing": {"repeated_frames": rng.uniform(0, 0.5), "cuts": 0.0},
                },
            )
            analysed_clip(
                100 + n,
                Verdict.DEEPFAKE,
                Technique.FACE_SWAP,
                {
                    "face": {"boundary_blending": rng.uniform(0.5, 2.5), "colour_flicker": 0.4},
                    "editing": {"repeated_frames": rng.uniform(0, 0.5), "cuts": 0.0},
                },
                original=real,
            )
            analysed_clip(
                200 + n,
                Verdict.SHALLOWFAKE,
                Technique.SPEED_CHANGE,
                {
                    "face": {"boundary_blending": rng.uniform(0, 0.8), "colour_flicker": 0.1},
                    "editing": {"repeated_frames": rng.uniform(0.4, 3.0), "cuts": 0.0},
                },
                original=real,
            )

    def setUp(self) -> None:
        media = Path(tempfile.mkdtemp(prefix="telltale-weights-"))
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        override = override_settings(MEDIA_ROOT=media)
        override.enable()
        self.addCleanup(override.disable)

    def test_it_fits_calibrates_saves_and_rescores(self) -> None:
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("fit_detector", stdout=out)
        text = out.getvalue()
        self.assertIn("Fitted weights fit-", text)
        self.assertIn("face: 12 manipulated / 24 others in 12 groups, 5 folds", text)
        self.assertIn("editing: 12 manipulated / 24 others", text)
        _folders, files = default_storage.listdir(WEIGHTS_FOLDER)
        self.assertEqual(len(files), 1)
        with default_storage.open(f"{WEIGHTS_FOLDER}/{files[0]}") as handle:
            saved = json.load(handle)
        self.assertTrue(saved["calibrated"])
        self.assertGreater(saved["metrics"]["face"]["auc"], 0.8)
        current = detector_weights.current()
        self.assertEqual(current.version, saved["version"])
        # The task re-scored every stored analysis with the new weights.
        self.assertEqual(
            set(ClipAnalysis.objects.values_list("weights_version", flat=True)), {current.version}
        )
        fake = ClipAnalysis.objects.get(clip__title="Clip 100")
        self.assertTrue(fake.calibrated)
        self.assertIsNotNone(fake.face_probability)

    def test_a_dry_run_saves_nothing(self) -> None:
        out = StringIO()
        call_command("fit_detector", "--dry-run", stdout=out)
        self.assertIn("Dry run: nothing saved.", out.getvalue())
        self.assertEqual(detector_weights.current().version, "default-2")

    def test_a_damaged_weights_file_falls_back_to_the_next(self) -> None:
        call_command("fit_detector", stdout=StringIO())
        good = detector_weights.current().version
        default_storage.save(f"{WEIGHTS_FOLDER}/weights-fit-99999999T000000.json", StringIO("{"))
        self.assertEqual(detector_weights.current().version, good)

    def test_evaluate_the_library_reports_every_measure(self) -> None:
        call_command("fit_detector", stdout=StringIO())
        from media_library.tasks import rescore_analyses

        rescore_analyses.call()
        svg = Path(default_storage.path("reliability.svg"))
        out = StringIO()
        call_command("evaluate_detector", "library", "--svg", str(svg), stdout=out)
        text = out.getvalue()
        self.assertIn("Evaluated 36 published library clips", text)
        self.assertIn("face score: deepfake vs real: n=24, scored 100%, AUC", text)
        self.assertIn("Speed change", text)
        self.assertTrue(svg.is_file())

    def test_it_says_what_is_missing_when_the_library_is_too_small(self) -> None:
        ClipAnalysis.objects.filter(clip__verdict=Verdict.DEEPFAKE).delete()
        ClipAnalysis.objects.filter(clip__verdict=Verdict.SHALLOWFAKE).delete()
        with self.assertRaisesMessage(CommandError, "0 manipulated and 12 other labelled clips"):
            call_command("fit_detector", stdout=StringIO())


class RescoreTests(BaseTestCase):
    """Re-scoring after a re-fit writes only the scores, and only on the result it read."""

    def setUp(self) -> None:
        self.clip = analysed_clip(
            1,
            Verdict.REAL,
            Technique.NONE,
            {"face": {"boundary_blending": 1.5, "colour_flicker": 0.5}},
        )
        self.weights = dataclasses.replace(Weights.default(), version="fit-rescore-test")
        # What a rescore_analyses run read before anything else happened to the clip.
        self.read = ClipAnalysis.objects.get(clip=self.clip)

    def test_it_writes_the_new_scores_on_the_done_analysis(self) -> None:
        self.assertTrue(self.read.rescore(self.weights))
        analysis = ClipAnalysis.objects.get(clip=self.clip)
        self.assertEqual(analysis.status, AnalysisStatus.DONE)
        self.assertEqual(analysis.weights_version, "fit-rescore-test")
        self.assertIsNotNone(analysis.face_probability)

    def test_it_never_resets_a_reanalysis_queued_or_running_meanwhile(self) -> None:
        queued = ClipAnalysis.objects.queue_for(self.clip)
        self.assertFalse(self.read.rescore(self.weights))
        analysis = ClipAnalysis.objects.get(clip=self.clip)
        self.assertEqual(analysis.status, AnalysisStatus.QUEUED)
        self.assertEqual(analysis.weights_version, "default-2")

        self.assertTrue(queued.claim())
        self.assertFalse(self.read.rescore(self.weights))
        analysis.refresh_from_db()
        self.assertEqual(analysis.status, AnalysisStatus.RUNNING)
        self.assertEqual(analysis.attempts, 1)

    def test_it_leaves_a_newer_result_alone(self) -> None:
        # A re-analysis finished meanwhile, with new measurements and scores of its own.
        ClipAnalysis.objects.filter(pk=self.read.pk).update(
            finished_at=timezone.now(), measurements=[], face_probability=0.25
        )
        self.assertFalse(self.read.rescore(self.weights))
        analysis = ClipAnalysis.objects.get(clip=self.clip)
        self.assertEqual(analysis.measurements, [])
        self.assertEqual(analysis.face_probability, 0.25)
        self.assertEqual(analysis.weights_version, "default-2")
