"""Rule 5 of issue 15 through the pages: a detector score is shown as a percentage only where
its out-of-sample ranking beats chance (the low end of its interval above 0.5); elsewhere the
reveal, the curator's clip page and the results say the detector cannot tell, and why."""

from __future__ import annotations

import re
from dataclasses import replace

from django.utils import timezone

from lessons.models import Lesson, LessonKind
from media_library.detector.measurements import Family, Measurement, Reason
from media_library.detector.scoring import HeldOut, Weights
from media_library.models import AnalysisStatus, ClipAnalysis, Technique, Verdict
from tests.base import BaseTestCase
from tests.factories import answer_key, make_item, make_quiz, quizzable_clip, start

INFORMATIVE = HeldOut(auc=0.71, low=0.62, high=0.80, fakes=42, reals=26)
CHANCE = HeldOut(auc=0.55, low=0.41, high=0.68, fakes=42, reals=26)
# The reminder under every analysis quotes the DFDC winner's "65 %": the one percentage an
# abstaining panel may still carry.
REMINDER = re.compile(r"<p class=\"muted\">Detectors make mistakes of their own.*?</p>", re.S)


def weights_with(held_out: HeldOut | None) -> Weights:
    """The default weights, with `held_out` as both scores' out-of-sample figure on videos."""
    if held_out is None:
        return Weights.default()
    figure = {"video": held_out.as_json()}
    return replace(
        Weights.default(),
        version="test-held-out",
        out_of_sample={"face": figure, "editing": figure},
    )


def signal(name: str, family: Family, tell: str, feature: float, text: str = "") -> Measurement:
    reasons = [Reason(text, 3.0, 5.0)] if text else []
    return Measurement(name, family, tell, feature, "", feature, 1.0, reasons)


def analysed_fake(title: str, held_out: HeldOut | None):
    """A published face swap whose stored measurements are scored by weights carrying
    `held_out` (a re-score: no decoding)."""
    clip = quizzable_clip(title, Verdict.DEEPFAKE, technique=Technique.FACE_SWAP)
    measurements = [
        signal("boundary_blending", Family.FACE, "face_edges", 2.0, "The edge of the face blurs."),
        signal("colour_flicker", Family.FACE, "face_edges", 1.0),
        signal("repeated_frames", Family.EDITING, "speed_change", 0.0),
        signal("cuts", Family.EDITING, "speed_change", 0.0),
    ]
    analysis = ClipAnalysis.objects.create(
        clip=clip,
        status=AnalysisStatus.DONE,
        finished_at=timezone.now(),
        seconds_taken=1.0,
        face_seconds=10.0,
        measurements=[m.as_json() for m in measurements],
    )
    assert analysis.rescore(weights_with(held_out))
    return clip, analysis


def detector_panel(page: str) -> str:
    """The reveal's detector panel, or the curator page's detector card."""
    match = re.search(r'<section (?:class="detector-panel"|id="detector").*?</section>', page, re.S)
    return match.group(0) if match else ""


class DetectorRevealTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.informative, cls.informative_analysis = analysed_fake("Harbour swap", INFORMATIVE)
        cls.chance, cls.chance_analysis = analysed_fake("Market swap", CHANCE)
        cls.untested, cls.untested_analysis = analysed_fake("Square swap", None)
        cls.lesson = Lesson.objects.create(
            slug="why-detectors-fail",
            kind=LessonKind.BACKGROUND,
            title="Why detectors fail",
            body="New fakes, old training.",
        )

    def reveal(self, clip) -> tuple[str, str]:
        """The item page before and after answering, and the results afterwards."""
        attempt = start(self.client, make_quiz([make_item(clip)]))
        before = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        self.client.post(
            f"/attempts/{attempt.uid}/items/1/answer/",
            {"key": answer_key(self.client, attempt, 1), "verdict": "real", "confidence": "70"},
        )
        after = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        self.results = self.client.get(f"/attempts/{attempt.uid}/results/")
        return before, after

    def curator_panel(self, clip) -> str:
        self.client.force_login(self.curator)
        page = self.client.get(clip.get_absolute_url()).content.decode()
        self.client.logout()
        return detector_panel(page)

    def assert_nothing_before_the_answer(self, before: str) -> None:
        for leak in ("detector-scores", "times in 100", "cannot tell", "No analysis yet"):
            self.assertNotIn(leak, before)

    def assert_cannot_tell(self, panel: str, analysis: ClipAnalysis) -> None:
        self.assertIn("the detector cannot tell for clips like this", panel)
        self.assertIn(
            "one trained on some kinds of fake can fail on kinds it has never seen", panel
        )
        self.assertIn('href="/lessons/why-detectors-fail/"', panel)
        # No number, no meter, no interval for either score.
        self.assertNotIn("detector-probability", panel)
        self.assertNotIn("detector-meter", panel)
        self.assertNotIn("interval", panel)
        self.assertNotIn("%", REMINDER.sub("", panel))
        # What stood out is still listed, as something to check, not as evidence.
        self.assertIn("The edge of the face blurs.", panel)
        self.assertIn("observations, not evidence", panel)

    def test_an_informative_score_shows_its_percentage_and_how_it_did_out_of_sample(self):
        analysis = self.informative_analysis
        self.assertTrue(analysis.shows_percentage("face"))
        before, after = self.reveal(self.informative)
        self.assert_nothing_before_the_answer(before)
        sentence = (
            "On clips it had never seen, this score ranked a fake above a real clip 71 times "
            "in 100 (95 % interval: 62 to 80)."
        )
        for panel in (detector_panel(after), self.curator_panel(self.informative)):
            self.assertIn(f"{round(100 * analysis.face_probability)} %", panel)
            self.assertIn("detector-meter", panel)
            self.assertIn(sentence, panel)
            self.assertNotIn("cannot tell", panel)
            # The default weights behind it were never calibrated: the percentages are rough.
            self.assertIn("Uncalibrated", panel)
        self.assertEqual(self.results.context["detector"].accuracy, 1.0)
        self.assertEqual(self.results.context["detector"].cannot_tell, 0)

    def test_a_score_whose_interval_includes_chance_is_no_percentage_anywhere(self):
        analysis = self.chance_analysis
        self.assertFalse(analysis.shows_percentage("face"))
        self.assertIsNotNone(analysis.face_probability)  # scored, just not worth a number
        before, after = self.reveal(self.chance)
        self.assert_nothing_before_the_answer(before)
        why = (
            "on clips it had never seen, this score ranked a fake above a real clip only 55 "
            "times in 100, and could be as low as 41: no better than a coin toss."
        )
        for panel in (detector_panel(after), self.curator_panel(self.chance)):
            self.assert_cannot_tell(panel, analysis)
            self.assertIn(why, panel)
            self.assertNotIn("Uncalibrated", panel)
        # The results do not count it as the detector's answer.
        detector = self.results.context["detector"]
        self.assertIsNone(detector.accuracy)
        self.assertEqual(detector.cannot_tell, 1)
        results = self.results.content.decode()
        self.assertIn("On 1 item the detector cannot tell", results)
        self.assertNotIn("chart-bar-detector", results)
        self.assertIn("cannot tell", re.search(r"The detector</th><td[^>]*>([^<]*)", results)[1])

    def test_a_score_never_tested_out_of_sample_is_no_percentage_either(self):
        analysis = self.untested_analysis
        self.assertEqual(analysis.held_out, {})
        before, after = self.reveal(self.untested)
        self.assert_nothing_before_the_answer(before)
        for panel in (detector_panel(after), self.curator_panel(self.untested)):
            self.assert_cannot_tell(panel, analysis)
            self.assertIn("this score has not been tested on clips it had never seen", panel)
        self.assertIsNone(self.results.context["detector"].accuracy)

    def test_an_analysis_stored_before_the_figures_were_kept_cannot_tell(self):
        # A row written before held_out existed: a probability and nothing else.
        clip = quizzable_clip("Old swap", Verdict.DEEPFAKE, technique=Technique.FACE_SWAP)
        ClipAnalysis.objects.create(
            clip=clip,
            status=AnalysisStatus.DONE,
            finished_at=timezone.now(),
            face_probability=0.9,
            face_low=0.8,
            face_high=0.95,
            editing_abstained=True,
            editing_why="Too little evidence.",
        )
        _before, after = self.reveal(clip)
        panel = detector_panel(after)
        self.assertIn("has not been tested on clips it had never seen", panel)
        self.assertNotIn("90 %", panel)
        self.assertNotIn("%", REMINDER.sub("", panel))

    def test_a_figure_for_videos_says_nothing_of_a_still_image(self):
        # Out-of-sample figures are per kind of clip: one measured on videos does not let a
        # still image's score be shown as a percentage.
        clip = quizzable_clip("Swapped still", Verdict.DEEPFAKE, kind="image")
        analysis = ClipAnalysis.objects.create(
            clip=clip,
            status=AnalysisStatus.DONE,
            finished_at=timezone.now(),
            face_seconds=None,
            measurements=[
                signal("boundary_blending", Family.FACE, "face_edges", 2.0).as_json(),
                signal("spectrum", Family.FACE, "face_edges", 1.0).as_json(),
            ],
        )
        self.assertTrue(analysis.rescore(weights_with(INFORMATIVE)))
        self.assertFalse(analysis.face_abstained)
        self.assertFalse(analysis.shows_percentage("face"))
        self.assertTrue(analysis.cannot_tell)
        _before, after = self.reveal(clip)
        self.assertIn("has not been tested on clips it had never seen", detector_panel(after))
