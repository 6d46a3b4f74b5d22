"""Processing state and steps of a clip: queued, claimed by one worker, its progress, and the
files it ends with (media_library/processing does the work on files; this module keeps the row).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from media_library.choices import MediaKind, ProcessingStatus
from media_library.processing import liveness, pipeline, provenance, renditions
from media_library.processing.workdir import local_path


class ClipProcessing:
    """Mixed into Clip: everything between an upload and a READY clip."""

    # The blind renditions a quiz shows (processing/renditions.py), and every file processing
    # makes, in the order the pipeline stores them.
    QUIZ_FIELDS = ("quiz_media", "quiz_poster", "feed_media")
    PROCESSED_FIELDS = ("media_file", "poster", "thumbnail_strip", *QUIZ_FIELDS)

    @property
    def processing_worker_gone(self) -> bool:
        """The worker that claimed this clip is known to have died (it ran on this machine)."""
        return self.processing_status == ProcessingStatus.PROCESSING and liveness.is_gone(
            self.processing_holder
        )

    @property
    def is_processing_stalled(self) -> bool:
        """Nobody is working on this 'processing' clip: its worker died (known at once on this
        machine), or its heartbeat is older than MEDIA_PROCESSING_STALL_SECONDS (a worker
        elsewhere, or one that hangs)."""
        if self.processing_status != ProcessingStatus.PROCESSING:
            return False
        if self.processing_worker_gone:
            return True
        last_sign = self.processing_heartbeat_at or self.processing_started_at
        if last_sign is None:
            return False
        limit = timedelta(seconds=settings.MEDIA_PROCESSING_STALL_SECONDS)
        return timezone.now() - last_sign > limit

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

    @contextlib.contextmanager
    def detector_file(self) -> Iterator[Path | None]:
        """A local path to what the detector should look at: the upload as received when it is
        kept (re-encoding would smooth away editing traces), else the processed file."""
        stored = self.source_file or self.media_file
        if not stored:
            yield None
            return
        with local_path(stored.storage, stored.name) as path:
            yield path

    def enqueue_fingerprint(self) -> None:
        """Queue fingerprinting and the library lookup once the transaction commits."""
        from media_library.tasks import fingerprint_clip  # cycle: tasks import the models

        transaction.on_commit(lambda: fingerprint_clip.enqueue(self.pk))

    def enqueue_analysis(self):
        """Queue the detector on this clip (again); returns its ClipAnalysis."""
        # ClipAnalysis (models/analysis.py) has a one-to-one field to Clip, so it is reached
        # through that relation rather than imported by the module it imports.
        analysis_model = self._meta.get_field("analysis").related_model
        return analysis_model.objects.queue_for(self)

    def retry_processing(self, user) -> bool:
        if not self.can_retry_processing:
            return False
        # Conditional on the state just read, so a retry and a worker's recovery of the same
        # stalled job queue it once; a stalled run that wakes up finds it lost its claim.
        now = timezone.now()
        won = self._job_rows().update(
            processing_status=ProcessingStatus.PENDING,
            processing_progress=0,
            processing_error="",
            updated_by=user,
            updated_at=now,
        )
        if not won:
            return False
        self.refresh_from_db()
        self.enqueue_processing()
        return True

    def recover_stalled_processing(self) -> str:
        """A stalled job (its worker gone): queue it again, or mark it FAILED (retryable) once it
        has been tried MEDIA_PROCESSING_MAX_ATTEMPTS times, so a file that kills the worker
        cannot kill every worker in turn. Returns "requeued", "failed" or "" (not stalled, or
        another worker or a curator got to it first)."""
        if not self.is_processing_stalled:
            return ""
        if self.processing_attempts < settings.MEDIA_PROCESSING_MAX_ATTEMPTS:
            won = self._job_rows().update(
                processing_status=ProcessingStatus.PENDING,
                processing_progress=0,
                updated_at=timezone.now(),
            )
            if won:
                self.refresh_from_db()
                self.enqueue_processing()
            return "requeued" if won else ""
        reason = _(
            "The worker stopped while processing this clip, %(count)s times in a row (it may "
            "have run out of memory or been restarted). Retry processing to try once more."
        ) % {"count": self.processing_attempts}
        return "failed" if self.mark_processing_failed(reason) else ""

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
                processing_heartbeat_at=now,
                processing_holder=liveness.current_token(),
                processing_attempts=models.F("processing_attempts") + 1,
                processing_progress=0,
                processing_error="",
                updated_at=now,
            )
        )
        if claimed:
            self.refresh_from_db()
            self._last_beat = time.monotonic()
        return bool(claimed)

    def _job_rows(self) -> models.QuerySet:
        """This clip's row while it is in the state this object last saw. For a PROCESSING
        clip that means the same run (its attempt number is the fencing token): a run that was
        taken for dead and retried must not overwrite the newer run's progress or result."""
        rows = type(self).objects.filter(pk=self.pk, processing_status=self.processing_status)
        if self.processing_status == ProcessingStatus.PROCESSING:
            rows = rows.filter(processing_attempts=self.processing_attempts)
        return rows

    def beat_processing(self, *, progress: int | None = None) -> bool:
        """Renew this run's lease (at most every MEDIA_PROCESSING_HEARTBEAT_SECONDS unless
        there is progress to save); False once the run has lost the clip to a retry."""
        now = time.monotonic()
        due = now - getattr(self, "_last_beat", 0.0) >= settings.MEDIA_PROCESSING_HEARTBEAT_SECONDS
        if progress is None and not due:
            return True
        values: dict = {"processing_heartbeat_at": timezone.now()}
        if progress is not None:
            values["processing_progress"] = self.processing_progress = max(0, min(100, progress))
        self._last_beat = now
        return bool(self._job_rows().update(**values))

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
        self.beat_processing(progress=int(percent))

    def mark_processing_ready(self) -> bool:
        """Record the finished files; False (nothing written) when this run lost the clip."""
        rows = self._job_rows()
        self.processing_status = ProcessingStatus.READY
        self.processing_progress = 100
        self.processing_error = ""
        self.processed_at = timezone.now()
        self.updated_at = timezone.now()
        fields = [
            "kind",
            *self.PROCESSED_FIELDS,
            "thumbnail_count",
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
        if not rows.update(**{field: getattr(self, field) for field in fields}):
            self.refresh_from_db()
            return False
        # Tells marked before the media existed (imports, manifests) get their stills now,
        # whichever worker runs first.
        for tell in self.tells.filter(still=""):
            tell.enqueue_still()
        if settings.DETECTOR_ANALYZE_AFTER_PROCESSING:
            self.enqueue_analysis()  # it fingerprints the clip from its own decoding pass
        elif settings.FINGERPRINT_AFTER_PROCESSING and self.kind == MediaKind.VIDEO:
            self.enqueue_fingerprint()
        return True

    def mark_processing_failed(self, reason: str) -> bool:
        """Record why processing failed; False (nothing written) when this run lost the clip."""
        rows = self._job_rows()
        self.processing_status = ProcessingStatus.FAILED
        self.processing_progress = 0
        self.processing_error = str(reason)
        for field in self.PROCESSED_FIELDS:
            setattr(self, field, "")
        self.thumbnail_count = 0
        self.updated_at = timezone.now()
        fields = [
            "processing_status",
            "processing_progress",
            "processing_error",
            *self.PROCESSED_FIELDS,
            "thumbnail_count",
            "updated_at",
        ]
        if not rows.update(**{field: getattr(self, field) for field in fields}):
            self.refresh_from_db()
            return False
        return True

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
