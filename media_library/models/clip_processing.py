"""Processing state and steps of a clip: queued, claimed by one worker, its progress, and the
files it ends with (media_library/processing does the work on files; this module keeps the row).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from media_library.choices import ProcessingStatus
from media_library.processing import pipeline, provenance, renditions


class ClipProcessing:
    """Mixed into Clip: everything between an upload and a READY clip."""

    # The blind renditions a quiz shows (processing/renditions.py), and every file processing
    # makes, in the order the pipeline stores them.
    QUIZ_FIELDS = ("quiz_media", "quiz_poster", "feed_media")
    PROCESSED_FIELDS = ("media_file", "poster", "thumbnail_strip", *QUIZ_FIELDS)

    @property
    def is_processing_stalled(self) -> bool:
        """A worker that died mid-job leaves the clip 'processing' with nobody on it."""
        if self.processing_status != ProcessingStatus.PROCESSING or not self.processing_started_at:
            return False
        limit = timedelta(seconds=settings.MEDIA_TRANSCODE_TIMEOUT_SECONDS + 120)
        return timezone.now() - self.processing_started_at > limit

    @property
    def can_retry_processing(self) -> bool:
        if self.consent_withdrawn_at is not None:
            return False  # nothing is left to process, and nothing may come back
        return self.processing_status == ProcessingStatus.FAILED or self.is_processing_stalled

    # Queueing. media_library.tasks loads clips by primary key, so it imports the models: the
    # task functions are looked up when a job is queued, once both modules are loaded.

    def enqueue_processing(self) -> None:
        """Queue the processing task once the surrounding transaction commits."""
        from media_library.tasks import process_clip  # cycle: tasks import the models

        transaction.on_commit(lambda: process_clip.enqueue(self.pk))

    def enqueue_rendering(self) -> None:
        """Queue the workshop's render of this derived clip once the transaction commits."""
        from media_library.tasks import make_shallowfake  # cycle: tasks import the models

        transaction.on_commit(lambda: make_shallowfake.enqueue(self.pk))

    def enqueue_analysis(self):
        """Queue the detector on this clip (again); returns its ClipAnalysis."""
        # ClipAnalysis (models/analysis.py) has a one-to-one field to Clip, so it is reached
        # through that relation rather than imported by the module it imports.
        analysis_model = self._meta.get_field("analysis").related_model
        return analysis_model.objects.queue_for(self)

    def retry_processing(self, user) -> bool:
        if not self.can_retry_processing:
            return False
        self.processing_status = ProcessingStatus.PENDING
        self.processing_progress = 0
        self.processing_error = ""
        self.updated_by = user
        self.save(
            update_fields=[
                "processing_status",
                "processing_progress",
                "processing_error",
                "updated_by",
                "updated_at",
            ]
        )
        self.enqueue_processing()
        return True

    # Running.

    def process(self) -> bool:
        """Run processing if this clip is PENDING; safe to call twice or concurrently."""
        return pipeline.process_clip(self)

    def claim_for_processing(self) -> bool:
        """Move PENDING -> PROCESSING in one conditional UPDATE: only one worker wins."""
        now = timezone.now()
        claimed = (
            type(self)
            .objects.filter(pk=self.pk, processing_status=ProcessingStatus.PENDING)
            .update(
                processing_status=ProcessingStatus.PROCESSING,
                processing_started_at=now,
                processing_attempts=models.F("processing_attempts") + 1,
                processing_progress=0,
                processing_error="",
                updated_at=now,
            )
        )
        if claimed:
            self.refresh_from_db()
        return bool(claimed)

    def read_provenance(self, path: Path) -> None:
        """Record the Content Credentials of the upload at `path`; never fails processing.

        Runs on the original upload, since processing strips every manifest. Saved on its own
        so the result stays whether or not the rest of processing succeeds.
        """
        found = provenance.read_provenance(path)
        self.provenance_status = found.status
        self.provenance_summary = found.summary
        self.save(update_fields=["provenance_status", "provenance_summary", "updated_at"])

    def save_processing_progress(self, percent: int) -> None:
        self.processing_progress = max(0, min(100, int(percent)))
        self.save(update_fields=["processing_progress"])

    def mark_processing_ready(self) -> None:
        self.processing_status = ProcessingStatus.READY
        self.processing_progress = 100
        self.processing_error = ""
        self.processed_at = timezone.now()
        self.save(
            update_fields=[
                "kind",
                "media_file",
                "poster",
                "thumbnail_strip",
                "thumbnail_count",
                "quiz_media",
                "quiz_poster",
                "feed_media",
                "media_content_type",
                "duration_seconds",
                "width",
                "height",
                "frame_rate",
                "has_audio",
                "source_format",
                "processing_status",
                "processing_progress",
                "processing_error",
                "processed_at",
                "updated_at",
            ]
        )
        # Tells marked before the media existed (imports, manifests) get their stills now,
        # whichever worker runs first.
        for tell in self.tells.filter(still=""):
            tell.enqueue_still()
        if settings.DETECTOR_ANALYZE_AFTER_PROCESSING:
            self.enqueue_analysis()

    def mark_processing_failed(self, reason: str) -> None:
        self.processing_status = ProcessingStatus.FAILED
        self.processing_progress = 0
        self.processing_error = str(reason)
        for field in self.PROCESSED_FIELDS:
            setattr(self, field, "")
        self.thumbnail_count = 0
        self.save(
            update_fields=[
                "processing_status",
                "processing_progress",
                "processing_error",
                *self.PROCESSED_FIELDS,
                "thumbnail_count",
                "updated_at",
            ]
        )

    # Quiz renditions for clips processed before they existed.

    @property
    def missing_quiz_fields(self) -> list[str]:
        return [field for field in self.QUIZ_FIELDS if not getattr(self, field)]

    def prepare_quiz_media(self) -> list[str]:
        """Make the quiz and feed renditions a READY clip lacks, from its media_file; returns
        the fields made. Does nothing for a clip that has them all or is not READY; safe to run
        twice or concurrently. Raises MediaRejected (nothing stored) when they cannot be made.
        """
        return renditions.prepare_quiz_media(self)

    def fill_quiz_field(self, field: str, stored: str) -> bool:
        """Record `stored` as the rendition `field`, if the field is still empty and the clip
        still has the processed file it was made from; False otherwise (a concurrent run or a
        re-processing won, and the caller deletes its file)."""
        won = (
            type(self)
            .objects.filter(
                pk=self.pk,
                processing_status=ProcessingStatus.READY,
                media_file=self.media_file.name,
                **{field: ""},
            )
            .update(**{field: stored, "updated_at": timezone.now()})
        )
        if won:
            getattr(self, field).name = stored
        return bool(won)
