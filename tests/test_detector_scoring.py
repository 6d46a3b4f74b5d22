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
from media_library.detector import held_out
from media_library.detector.evaluation import (
    auc,
    auc_interval,
    binary_metrics,
    expected_calibration_error,
    log_loss,
    reliability_svg,
)
from media_library.detector.fitting import NotEnoughData, fit_model, fit_weights, grouped_splits
from media_library.detector.measurements import Family, Measurement, Reason
from media_library.detector.samples import Sample
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
        svg = reliability_svg(np.array([1, 0, 1]), np.array([0.82, 0.12, 0.85]), "On three clips")
        self.assertIn("<title", svg)
        self.assertIn("0.8 to 0.9: 2 clips, 100% manipulated", svg)
        self.assertIn("0.1 to 0.2: 1 clips, 0% manipulated", svg)


def sample(features: dict, label: int, source: str, group, method: str = "") -> Sample:
    """A video sample with these face features (strength 1) and face label."""
    return Sample(
        measurements=[face(name, value) for name, value in features.items()],
        face_seconds=10.0,
        labels={"face": label, "editing": None},
        group=group,
        technique="face_swap" if label else "none",
        source=source,
        method=method if label else "",
    )


class FittingTests(SimpleTestCase):
    def test_the_fit_recovers_known_weights_with_their_uncertainty(self) -> None:
        rng = np.random.default_rng(7)
        x = rng.uniform(0, 3, 3000)
        y = (rng.random(3000) < 1 / (1 + np.exp(-(-2.0 + 1.5 * x)))).astype(int)
        samples = [
            sample({"boundary_blending": v, "colour_flicker": 0.0}, int(label), "a", n)
            for n, (v, label) in enumerate(zip(x, y, strict=True))
        ]
        model = fit_model(["boundary_blending", "colour_flicker"], samples, "face")
        # The slope is the signal's; the intercept is fitted with both classes weighing the
        # same, and calibration gives the clips' own share of fakes back.
        self.assertAlmostEqual(model.coefficients[1], 1.5, delta=0.2)
        for value in (0.0, 1.0, 2.0, 3.0):
            truth = 1 / (1 + math.exp(-(-2.0 + 1.5 * value)))
            p, low, high = model.probability(np.array([1.0, value, 0.0]))
            self.assertAlmostEqual(p, truth, delta=0.05)
            self.assertLessEqual(low, p)
            self.assertLessEqual(p, high)
        # The covariance is the inverse Hessian: small, positive variances with this much data.
        self.assertTrue(0 < model.covariance[1][1] < 0.01)
        self.assertGreater(model.platt[0], 0.5)

    def test_folds_never_split_a_fake_from_its_original(self) -> None:
        groups = np.array([1, 1, 1, 2, 2, 3, 4, 4, 5, 6, 6, 6, 7, 7, 8, 8])
        y = np.array([0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 1, 0, 1])
        splits = grouped_splits(y, groups)
        tested = np.concatenate([test for _train, test in splits])
        self.assertEqual(sorted(tested.tolist()), list(range(len(groups))))
        for train, test in splits:
            self.assertFalse(set(groups[test].tolist()) & set(groups[train].tolist()))

    def test_it_refuses_to_fit_on_too_few_clips(self) -> None:
        with self.assertRaisesMessage(NotEnoughData, "at least 3 of each"):
            fit_weights([])


def three_datasets(pairs: int) -> list[Sample]:
    """`pairs` real and fake clips from each of three datasets, measured by two signals: one
    marks fakes everywhere, the other marks them in A and B and real clips in C."""
    rng = np.random.default_rng(5)
    samples = []
    for source, quirk_sign in (("A", 1), ("B", 1), ("C", -1)):
        for n in range(pairs):
            for label in (0, 1):
                general = rng.normal(1.2 * label, 0.6)
                quirk = rng.normal(1.0 + quirk_sign * (label - 0.5) * 2, 0.4)
                samples.append(
                    sample(
                        {"boundary_blending": max(0, general), "colour_flicker": max(0, quirk)},
                        label,
                        source,
                        f"{source}{n}",
                        method=f"method {source}",
                    )
                )
    return samples


class HeldOutTests(SimpleTestCase):
    """Two signals on three datasets: one marks fakes everywhere, the other marks them in two
    datasets and real clips in the third (a quirk of how those were made). Fitted on all of
    them, the quirk looks useful; held out by dataset, it shows what it is."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.samples = three_datasets(30)

    def test_leaving_a_dataset_out_shows_which_signal_transfers(self) -> None:
        report = held_out.evaluate(self.samples)["face/video"]
        signals = report["per_signal"]
        self.assertGreater(signals["boundary_blending"]["auc"], 0.75)
        self.assertLess(signals["colour_flicker"]["auc"], 0.6)
        headline = report["headline"]
        self.assertEqual(
            set(headline),
            {
                held_out.IN_SAMPLE,
                held_out.CROSS_VALIDATED,
                held_out.LEAVE_ONE_DATASET_OUT,
                held_out.LEAVE_ONE_METHOD_OUT,
                held_out.DEFAULT_WEIGHTS,
            },
        )
        # Every figure carries its interval and what it rests on.
        lodo = headline[held_out.LEAVE_ONE_DATASET_OUT]
        self.assertEqual((lodo["fakes"], lodo["reals"]), (90, 90))
        low, high = lodo["auc_interval"]
        self.assertLess(low, lodo["auc"])
        self.assertGreater(high, lodo["auc"])
        # The dataset whose quirk runs the other way is where the held-out model suffers.
        self.assertLess(report["per_source"]["C"]["auc"], report["per_source"]["A"]["auc"])

    def only(self, name: str) -> list[Sample]:
        """The samples with one of the two signals left as measured, the other at 0."""
        other = {"boundary_blending": "colour_flicker", "colour_flicker": "boundary_blending"}
        return [
            dataclasses.replace(
                s,
                measurements=[m for m in s.measurements if m.name == name]
                + [face(other[name], 0.0)],
                _scored={},
            )
            for s in self.samples
        ]

    def test_the_fitted_weights_carry_their_held_out_figure(self) -> None:
        weights, _notes = held_out.fit_and_hold_out(self.only("boundary_blending"))
        figure = weights.held_out("face", "video")
        # The most pessimistic of the ways it was held out.
        self.assertIn(
            figure.scheme,
            {
                held_out.LEAVE_ONE_DATASET_OUT,
                held_out.LEAVE_ONE_METHOD_OUT,
                held_out.CROSS_VALIDATED,
            },
        )
        self.assertTrue(figure.informative)
        self.assertIsNone(weights.held_out("face", "image"))  # no still was measured
        # A clip scored with them says so.
        score = weights.score_family(
            Family.FACE, [face("boundary_blending", 2.0), face("colour_flicker", 0.0)], 10.0
        )
        self.assertEqual(score.held_out["auc"], figure.auc)
        # And the figure survives the trip through JSON (media storage, the shipped file).
        again = Weights.from_json(json.loads(json.dumps(weights.to_json())))
        self.assertEqual(again.held_out("face", "video"), figure)

    def test_a_signal_that_only_works_in_sample_gets_an_interval_that_includes_chance(self):
        weights, _notes = held_out.fit_and_hold_out(self.only("colour_flicker"))
        figure = weights.held_out("face", "video")
        self.assertFalse(figure.informative)
        self.assertLessEqual(figure.low, 0.5)


class SamplesFileCommandTests(SimpleTestCase):
    """What `make evaluate-detector` does with its samples file: the held-out tables, and the
    weights shipped with the code."""

    def setUp(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix="telltale-samples-"))
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        self.folder = folder
        self.samples_file = folder / "samples.json"
        self.samples_file.write_text(
            json.dumps(
                {
                    "signals_version": SIGNALS_VERSION,
                    "samples": [s.as_json() for s in three_datasets(12)],
                }
            )
        )

    def test_evaluate_prints_the_held_out_tables_beside_the_in_sample_one(self) -> None:
        out = StringIO()
        figures = self.folder / "figures.json"
        call_command(
            "evaluate_detector", "--samples", str(self.samples_file), "--json", str(figures),
            stdout=out,
        )  # fmt: skip
        text = out.getvalue()
        for line in (
            "Face manipulation score, videos",
            "in sample (fitted on these clips)",
            "held out: leave one dataset out",
            "held out: leave one method out",
            "per source (held out: leave one dataset out)",
            "per signal alone, left out by dataset",
            "boundary_blending",
        ):
            self.assertIn(line, text)
        saved = json.loads(figures.read_text())["held_out"]["face/video"]
        self.assertEqual(set(saved["per_source"]), {"A", "B", "C"})
        self.assertEqual(saved["headline"]["in-sample"]["fakes"], 36)

    def test_samples_of_other_signals_are_refused(self) -> None:
        self.samples_file.write_text(json.dumps({"signals_version": -1, "samples": []}))
        with self.assertRaisesMessage(CommandError, "run make evaluate-detector again"):
            call_command("evaluate_detector", "--samples", str(self.samples_file))

    def test_ship_writes_the_weights_an_installation_falls_back_to(self) -> None:
        shipped = self.folder / "shipped.json"
        with override_settings(DETECTOR_SHIPPED_WEIGHTS=str(shipped), MEDIA_ROOT=self.folder):
            self.assertEqual(detector_weights.current().version, Weights.default().version)
            out = StringIO()
            call_command("fit_detector", "--samples", str(self.samples_file), "--ship", stdout=out)
            self.assertIn("held out (leave-one-dataset-out), face score on video", out.getvalue())
            current = detector_weights.current()
        self.assertTrue(current.calibrated)
        self.assertEqual(current.version, Weights.shipped(shipped).version)
        self.assertIsNotNone(current.held_out("face", "video"))

    def test_an_unreadable_samples_file_is_refused_with_its_reason(self) -> None:
        self.samples_file.write_text("{")
        with self.assertRaisesMessage(CommandError, "Cannot read the samples file"):
            call_command("evaluate_detector", "--samples", str(self.samples_file))
        with self.assertRaisesMessage(CommandError, "Cannot read the samples file"):
            call_command("fit_detector", "--samples", str(self.folder / "absent.json"))

    def test_ship_needs_a_samples_file(self) -> None:
        with self.assertRaisesMessage(CommandError, "--ship fits on --samples only"):
            call_command("fit_detector", "--ship")

    def test_ship_refuses_where_shipped_weights_are_switched_off(self) -> None:
        with self.assertRaisesMessage(CommandError, "switched off"):
            call_command("fit_detector", "--samples", str(self.samples_file), "--ship")


class ShippedWeightsTests(SimpleTestCase):
    def test_the_committed_weights_match_the_signals_and_carry_their_held_out_figures(self):
        weights = Weights.shipped()
        self.assertIsNotNone(weights, "run make evaluate-detector ARGS=--ship and commit it")
        self.assertTrue(weights.calibrated)
        for family, kind in (("face", "video"), ("editing", "video")):
            figure = weights.held_out(family, kind)
            self.assertIsNotNone(figure, f"{family}/{kind}")
            self.assertGreater(figure.fakes, 10)
            self.assertGreater(figure.reals, 10)


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
        weights_version=f"default-{SIGNALS_VERSION}",
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
        self.assertEqual(detector_weights.current().version, f"default-{SIGNALS_VERSION}")

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
        self.assertEqual(analysis.weights_version, f"default-{SIGNALS_VERSION}")

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
        self.assertEqual(analysis.weights_version, f"default-{SIGNALS_VERSION}")
