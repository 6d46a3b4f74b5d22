from __future__ import annotations

from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from media_library.models.clip import Clip


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
        from media_library.tasks import analyze_clip

        analysis, _created = self.get_or_create(clip=clip)
        if analysis.status == AnalysisStatus.RUNNING and not analysis.is_stalled:
            return analysis
        self.filter(pk=analysis.pk).update(status=AnalysisStatus.QUEUED, error="")
        analysis.status, analysis.error = AnalysisStatus.QUEUED, ""
        transaction.on_commit(lambda: analyze_clip.enqueue(clip.pk))
        return analysis


class ClipAnalysis(models.Model):
    """The detector's latest view of one clip: its measurements and the two scores made from
    them with the weights of `weights_version`. A re-fit re-scores the stored measurements;
    a change of the signals themselves (`signals_version`) measures the clip again."""

    # A job that has run this long was killed with its worker: it may be claimed again.
    STALLED_AFTER = timedelta(minutes=30)

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
    face_seconds = models.FloatField(null=True, blank=True)
    measurements = models.JSONField(default=list, blank=True)  # Measurement.as_json() each
    reasons = models.JSONField(default=dict, blank=True)  # family -> top reasons
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
        from media_library.detector.scoring import SIGNALS_VERSION

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
        }

    @property
    def families(self) -> list[dict]:
        return [self.family("face"), self.family("editing")]

    @property
    def manipulation_probability(self) -> float | None:
        """Either kind of manipulation; None when both scores abstained."""
        from media_library.detector.scoring import combined_probability

        return combined_probability(
            [
                None if self.face_abstained else self.face_probability,
                None if self.editing_abstained else self.editing_probability,
            ]
        )
