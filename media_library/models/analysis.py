"""The detector's result for one clip, and running the detector on a clip of the library.

The detector itself (`media_library.detector`) knows nothing of clips or the database: a
`ClipAnalysis` hands it the clip's file with processing's container rules and the weights kept in
media storage, and stores what comes back.
"""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from media_library import detector_weights
from media_library.choices import ProcessingStatus, Technique, Verdict
from media_library.detector.analysis import Analysis, analyze_file
from media_library.detector.footage import DecodeError
from media_library.detector.measurements import Measurement
from media_library.detector.samples import Sample
from media_library.detector.scoring import (
    SIGNALS_VERSION,
    FamilyScore,
    HeldOut,
    Weights,
    combined_probability,
)
from media_library.models.clip import Clip
from media_library.models.fingerprint import ClipFingerprint
from media_library.processing.probe import detector_rules

# Shallowfakes whose edit shows in the frames; the others are left out of the editing fit.
EDITING_TECHNIQUES = {Technique.SPEED_CHANGE, Technique.SPLICE}
# The two scores, in the order pages show them.
FAMILIES = ("face", "editing")

logger = logging.getLogger(__name__)


class AnalysisStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the detector")
    RUNNING = "running", _("Being analysed")
    DONE = "done", _("Analysed")
    FAILED = "failed", _("Analysis failed")


class ClipAnalysisQuerySet(models.QuerySet["ClipAnalysis"]):
    def done(self) -> ClipAnalysisQuerySet:
        return self.filter(status=AnalysisStatus.DONE)

    def queue_for(self, clip: Clip) -> ClipAnalysis:
        """Mark the clip's analysis QUEUED and enqueue the task on commit. A job running now
        is left alone (it measures the same file); a stalled one is queued again."""
        # Deferred: the tasks module loads the models it runs on (models <-> tasks).
        from media_library.tasks import analyze_clip

        analysis, _created = self.get_or_create(clip=clip)
        if analysis.status == AnalysisStatus.RUNNING and not analysis.is_stalled:
            return analysis
        self.filter(pk=analysis.pk).update(status=AnalysisStatus.QUEUED, error="")
        analysis.status, analysis.error = AnalysisStatus.QUEUED, ""
        transaction.on_commit(lambda: analyze_clip.enqueue(clip.pk))
        return analysis

    def rescore(self, weights: Weights | None = None) -> int:
        """After a re-fit: score every done analysis with the current weights (no decoding);
        analyses measured by older signals are queued to be measured again. Returns how many
        were re-scored."""
        weights = weights or detector_weights.current()
        rescored = 0
        for analysis in self.done().select_related("clip").iterator():
            if analysis.signals_version != SIGNALS_VERSION:
                analysis.clip.enqueue_analysis()
            elif analysis.weights_version != weights.version:
                rescored += analysis.rescore(weights)
        return rescored


class ClipAnalysis(models.Model):
    """The detector's latest view of one clip: its measurements and the two scores made from
    them with the weights of `weights_version`. A re-fit re-scores the stored measurements;
    a change of the signals themselves (`signals_version`) measures the clip again."""

    # A job that has run this long was killed with its worker: it may be claimed again.
    STALLED_AFTER = timedelta(minutes=30)
    # What `store()` writes besides the scores; the claim's started_at and attempts stay as
    # the claim wrote them.
    RESULT_FIELDS = (
        "measurements",
        "timeline",
        "face_seconds",
        "compared_with_original",
        "original_found",
        "signals_version",
        "seconds_taken",
        "status",
        "error",
        "finished_at",
    )

    clip = models.OneToOneField(Clip, on_delete=models.CASCADE, related_name="analysis")
    status = models.CharField(max_length=10, choices=AnalysisStatus, default=AnalysisStatus.QUEUED)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds_taken = models.FloatField(null=True, blank=True)

    signals_version = models.PositiveSmallIntegerField(default=0)
    weights_version = models.CharField(max_length=60, blank=True)
    calibrated = models.BooleanField(default=False)
    # Face manipulation and editing: a probability with its 95 % interval, or an abstention.
    face_probability = models.FloatField(null=True, blank=True)
    face_low = models.FloatField(null=True, blank=True)
    face_high = models.FloatField(null=True, blank=True)
    face_abstained = models.BooleanField(default=False)
    face_why = models.TextField(blank=True)
    editing_probability = models.FloatField(null=True, blank=True)
    editing_low = models.FloatField(null=True, blank=True)
    editing_high = models.FloatField(null=True, blank=True)
    editing_abstained = models.BooleanField(default=False)
    editing_why = models.TextField(blank=True)
    # Whether the clip's original was compared with it (speed ratio, removed stretches).
    compared_with_original = models.BooleanField(default=False)
    # When no original was named: the clip of the library the lookup found and used as the
    # original ({"clip": pk, "title": …, "by": "lookup", "match": …}), else {}. Curators only.
    original_found = models.JSONField(default=dict, blank=True)
    face_seconds = models.FloatField(null=True, blank=True)
    measurements = models.JSONField(default=list, blank=True)  # Measurement.as_json() each
    reasons = models.JSONField(default=dict, blank=True)  # family -> top reasons
    # family -> how its score did out of sample on clips of this kind (HeldOut.as_json()), or
    # absent when the weights carry no such figure; see scoring.HeldOut.
    held_out = models.JSONField(default=dict, blank=True)
    timeline = models.JSONField(default=list, blank=True)  # [[seconds, 0..1], …] face signal

    objects = ClipAnalysisQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "clip analyses"

    def __str__(self) -> str:
        return f"Analysis of {self.clip}"

    @property
    def is_done(self) -> bool:
        return self.status == AnalysisStatus.DONE

    @property
    def is_current(self) -> bool:
        """Done, by the signals this code measures (weights may be older: re-scoring is cheap)."""
        return self.is_done and self.signals_version == SIGNALS_VERSION

    @property
    def is_stalled(self) -> bool:
        return (
            self.status == AnalysisStatus.RUNNING
            and self.started_at is not None
            and timezone.now() - self.started_at > self.STALLED_AFTER
        )

    @property
    def can_retry(self) -> bool:
        return self.status == AnalysisStatus.FAILED or self.is_stalled

    def claim(self) -> bool:
        """QUEUED (or stalled RUNNING) -> RUNNING in one conditional UPDATE: one worker wins."""
        now = timezone.now()
        claimable = models.Q(status=AnalysisStatus.QUEUED) | models.Q(
            status=AnalysisStatus.RUNNING, started_at__lt=now - self.STALLED_AFTER
        )
        claimed = (
            ClipAnalysis.objects.filter(claimable, pk=self.pk).update(
                status=AnalysisStatus.RUNNING,
                started_at=now,
                attempts=models.F("attempts") + 1,
                error="",
            )
            > 0
        )
        if claimed:
            self.refresh_from_db()
        return claimed

    def run(self, weights: Weights | None = None) -> bool:
        """Measure and score the clip of a claimed analysis, store the outcome. Any failure is
        stored as a reason a curator can read, and the analysis can be retried."""
        clip = self.clip
        started = time.perf_counter()
        if clip.processing_status != ProcessingStatus.READY:
            self.store_failure("The clip has not been processed yet.")
            return False
        original = clip.original if clip.is_manipulated and clip.original_id else None
        if original is not None and original.processing_status != ProcessingStatus.READY:
            original = None
        try:
            with clip.detector_file() as path, contextlib.ExitStack() as stack:
                if path is None:
                    self.store_failure("The clip has no file to analyse.")
                    return False
                original_path = stack.enter_context(original.detector_file()) if original else None
                result = analyze_file(
                    path,
                    original_path,
                    weights or detector_weights.current(),
                    rules=detector_rules(),
                    lookup=self.lookup_original(named=original is not None),
                )
        except DecodeError as error:
            self.store_failure(str(error))
            return False
        except Exception as error:
            # The worker stays up and the curator sees a reason; the traceback goes to the log.
            self.store_failure(f"The detector failed on this clip ({type(error).__name__}).")
            raise
        result.seconds_taken = time.perf_counter() - started
        self.store(result)
        return True

    def lookup_original(self, named: bool):
        """What the detector calls with the clip's decoded footage: it keeps the clip's
        fingerprint from those frames (no second decode) and, when no original was named, finds
        one in the library. Only a clip not itself labelled manipulated stands in as original."""

        def lookup(footage):
            try:
                if named:
                    ClipFingerprint.objects.record(self.clip, footage)
                    return None
                found = ClipFingerprint.objects.fingerprint_and_match(self.clip, footage)
            except Exception:
                # The analysis goes on without a found original; the traceback goes to the log.
                logger.exception("Fingerprint lookup failed for clip %s", self.clip_id)
                return None
            if found is None or found.clip.is_manipulated:
                return None
            note = {
                "clip": found.clip.pk,
                "title": found.clip.title,
                "by": "lookup",
                "match": found.match.as_json(),
            }
            return found.footage, note

        return lookup

    def store(self, result: Analysis) -> None:
        """Keep a finished analysis: measurements, both scores, done."""
        self.measurements = [m.as_json() for m in result.measurements]
        self.timeline = [[round(t, 3), round(v, 4)] for t, v in result.timeline]
        self.face_seconds = result.face_seconds
        self.compared_with_original = result.compared_with_original
        self.original_found = result.original_found or {}
        self.signals_version = SIGNALS_VERSION
        self.seconds_taken = round(result.seconds_taken, 3)
        self.status = AnalysisStatus.DONE
        self.error = ""
        self.finished_at = timezone.now()
        fields = score_fields(result.scores, result.weights)
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=[*self.RESULT_FIELDS, *fields])

    def store_failure(self, reason: str) -> None:
        self.status = AnalysisStatus.FAILED
        self.error = reason
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "error", "finished_at"])

    def rescore(self, weights: Weights) -> bool:
        """New weights on the stored measurements: no decoding needed. Writes the scores only
        while this analysis is still the done one it read, in one conditional UPDATE: a
        re-analysis queued or running meanwhile (or finished with new measurements) is left
        alone. Returns whether the scores were written."""
        measurements = [Measurement.from_json(m) for m in self.measurements]
        fields = score_fields(weights.score(measurements, self.face_seconds), weights)
        written = ClipAnalysis.objects.filter(
            pk=self.pk, status=AnalysisStatus.DONE, finished_at=self.finished_at
        ).update(**fields)
        if written:
            for name, value in fields.items():
                setattr(self, name, value)
        return written > 0

    def as_sample(self) -> Sample:
        """This analysis as a labelled sample for fitting and held-out figures: the face
        score learns deepfakes against everything else; the editing score learns speed
        changes and splices against everything but other shallowfakes (a false caption or a
        crop leaves no trace in the frames)."""
        clip = self.clip
        if clip.verdict == Verdict.SHALLOWFAKE:
            editing = 1 if clip.technique in EDITING_TECHNIQUES else None
        else:
            editing = 0
        fake = clip.verdict != Verdict.REAL
        return Sample(
            measurements=[Measurement.from_json(m) for m in self.measurements],
            face_seconds=self.face_seconds,
            labels={"face": int(clip.verdict == Verdict.DEEPFAKE), "editing": editing},
            group=clip.original_id or clip.pk,
            technique=clip.technique,
            source=clip.import_source or "uploads",
            method=clip.technique if fake else "",
            with_original=self.compared_with_original,
        )

    def out_of_sample(self, name: str) -> HeldOut | None:
        """How family `name`'s score did on clips of this kind it had never seen, as stored
        with the score; None when its weights carry no such figure (the default weights, or
        an analysis scored before the figures were kept)."""
        data = self.held_out.get(name)
        try:
            return HeldOut.from_json(data) if data else None
        except (KeyError, TypeError, ValueError):
            return None

    def shows_percentage(self, name: str) -> bool:
        """The one rule for every page: a family's score is shown as a percentage only when
        it did not abstain and its out-of-sample ranking beats chance even at the low end of
        its interval. Otherwise the detector cannot tell for clips like this one, and a
        number would claim what nobody measured."""
        if getattr(self, f"{name}_abstained") or getattr(self, f"{name}_probability") is None:
            return False
        held_out = self.out_of_sample(name)
        return held_out is not None and held_out.informative

    def family(self, name: str) -> dict:
        """One family's score as the templates show it."""
        return {
            "name": name,
            "probability": getattr(self, f"{name}_probability"),
            "low": getattr(self, f"{name}_low"),
            "high": getattr(self, f"{name}_high"),
            "abstained": getattr(self, f"{name}_abstained"),
            "why": getattr(self, f"{name}_why"),
            "reasons": self.reasons.get(name, []),
            "held_out": self.out_of_sample(name),
            "shows_percentage": self.shows_percentage(name),
        }

    @property
    def families(self) -> list[dict]:
        return [self.family(name) for name in FAMILIES]

    @property
    def manipulation_probability(self) -> float | None:
        """Either kind of manipulation, from the scores that may be shown as percentages;
        None when there is none (both abstained, or the detector cannot tell)."""
        return combined_probability(
            [
                getattr(self, f"{name}_probability") if self.shows_percentage(name) else None
                for name in FAMILIES
            ]
        )

    @property
    def cannot_tell(self) -> bool:
        """It scored the clip, but no score beats chance out of sample (or none was tested):
        the detector's honest answer is "cannot tell", not a percentage."""
        scored = [name for name in FAMILIES if not getattr(self, f"{name}_abstained")]
        return bool(scored) and not any(self.shows_percentage(name) for name in scored)


def score_fields(scores: dict[str, FamilyScore], weights: Weights) -> dict:
    """The ClipAnalysis fields that hold both families' scores and the weights behind them."""
    fields: dict = {}
    for name, score in scores.items():
        fields[f"{name}_probability"] = score.probability
        fields[f"{name}_low"] = score.low
        fields[f"{name}_high"] = score.high
        fields[f"{name}_abstained"] = score.abstained
        fields[f"{name}_why"] = score.why
    fields["reasons"] = {name: score.reasons for name, score in scores.items()}
    fields["held_out"] = {
        name: score.held_out for name, score in scores.items() if score.held_out is not None
    }
    fields["weights_version"] = weights.version
    fields["calibrated"] = weights.calibrated
    return fields
