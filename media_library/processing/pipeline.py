"""One processing job for one clip, start to finish, with all-or-nothing results.

Work files live in MEDIA_WORK_DIR until every output exists (the processed media, its poster
and strip, and its quiz and feed renditions); only then are they moved into storage. Any
failure deletes what was made, marks the clip FAILED with a readable reason and keeps the
upload so the curator can retry.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from media_library.choices import MediaKind
from media_library.processing import MediaRejected, OutOfSpace, is_out_of_space
from media_library.processing.images import process_image
from media_library.processing.ingest import stage_upload
from media_library.processing.marks import mark_for, metadata_tags
from media_library.processing.names import display_filename
from media_library.processing.probe import probe_video
from media_library.processing.renditions import make_image_renditions, make_video_renditions
from media_library.processing.sniff import HEAD_BYTES, sniff
from media_library.processing.stills import make_poster, make_strip
from media_library.processing.transcode import Throttle, TranscodeFailed, transcode
from media_library.processing.workdir import (
    discard,
    local_path,
    new_work_path,
    save_work_file,
    sweep_stale,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from media_library.models import Clip, ClipQuerySet

logger = logging.getLogger(__name__)

# A transcode that yields much less than the source declared read a truncated file.
MIN_OUTPUT_SHARE = 0.9


def create_from_upload(queryset: ClipQuerySet, upload: UploadedFile, user, **fields) -> Clip:
    """Store an accepted upload as a new PENDING clip and queue its processing. A full disk
    (the work dir or the media volume) is a ValidationError with code "out_of_space", and
    leaves no file: the staged copy and any partly written stored file are deleted."""
    try:
        return _create_from_upload(queryset, upload, user, **fields)
    except OSError as error:
        if not is_out_of_space(error):
            raise
        logger.error("Out of space while storing an upload: %r", error)
        raise ValidationError(out_of_space_upload_message(), code="out_of_space") from error


def out_of_space_upload_message() -> str:
    return _("The server is out of space; nothing was saved. Try again once space is freed.")


def _create_from_upload(queryset: ClipQuerySet, upload: UploadedFile, user, **fields) -> Clip:
    try:
        staged = stage_upload(upload)
    except MediaRejected as error:
        raise ValidationError(error.message, code="rejected") from error
    stored_name = None
    storage = queryset.model._meta.get_field("source_file").storage
    try:
        duplicate_error = _duplicate_error(queryset, staged.sha256)
        if duplicate_error:
            raise duplicate_error
        clip = queryset.model(
            **fields,
            kind=staged.sniffed.kind,
            source_sha256=staged.sha256,
            source_size=staged.size,
            original_filename=display_filename(upload.name),
            created_by=user,
            updated_by=user,
        )
        clip.validate_constraints()
        with transaction.atomic():
            name = clip.source_file.field.generate_filename(clip, "upload")
            stored_name = save_work_file(storage, name, staged.path)
            clip.source_file.name = stored_name
            clip.save()
            clip.enqueue_processing()
        return clip
    except IntegrityError as error:
        # Two curators uploading the same file at once: the unique hash decides.
        if stored_name:
            storage.delete(stored_name)
        duplicate_error = _duplicate_error(queryset, staged.sha256)
        if duplicate_error:
            raise duplicate_error from error
        raise
    except BaseException:
        if stored_name:
            storage.delete(stored_name)
        raise
    finally:
        discard(staged.path)


def _duplicate_error(queryset: ClipQuerySet, sha256: str) -> ValidationError | None:
    existing = queryset.model.objects.filter(source_sha256=sha256).only("title").first()
    if existing is None:
        return None
    return ValidationError(
        _("This file was already uploaded as “%(title)s”.") % {"title": existing.title},
        code="duplicate",
    )


def process_clip(clip: Clip) -> bool:
    """Process a PENDING clip; returns False when another run has it or it is not pending."""
    sweep_stale()
    if not clip.claim_for_processing():
        return False
    job = _Job(clip)
    try:
        job.run()
    except Exception as error:
        job.undo()
        clip.mark_processing_failed(_failure_reason(clip, error))
    finally:
        discard(*job.work_files)
    return True


def _failure_reason(clip: Clip, error: Exception) -> str:
    """What the curator reads: a full disk is not a damaged file, and says so."""
    if is_out_of_space(error):
        logger.error("Out of space while processing clip %s: %r", clip.pk, error)
        return OutOfSpace().message
    if isinstance(error, MediaRejected):
        if isinstance(error, TranscodeFailed):
            logger.warning("ffmpeg failed on clip %s: %s", clip.pk, error.detail)
        return error.message
    logger.error("Processing clip %s failed", clip.pk, exc_info=error)
    return _(
        "Processing failed unexpectedly. Try again; if it fails again, the file may be damaged."
    )


class _Job:
    def __init__(self, clip: Clip) -> None:
        self.clip = clip
        self.storage = clip.media_file.storage
        self.work_files: list[Path] = []
        self.stored: list[str] = []

    def work_file(self, suffix: str) -> Path:
        path = new_work_path(suffix)
        self.work_files.append(path)
        return path

    def beat(self, _percent: float) -> None:
        self.clip.beat_processing()

    def undo(self) -> None:
        for name in self.stored:
            self.storage.delete(name)
        self.stored.clear()

    def keep(self, field: str, path: Path, suffix: str) -> str:
        """Move a finished work file into storage as the clip's `field`."""
        name = getattr(self.clip, field).field.generate_filename(self.clip, f"x{suffix}")
        stored = save_work_file(self.storage, name, path)
        self.stored.append(stored)
        return stored

    def run(self) -> None:
        clip = self.clip
        if not clip.source_file:
            raise MediaRejected(_("The clip has no uploaded file to process."))
        with local_path(clip.source_file.storage, clip.source_file.name) as source:
            # Before anything else: the upload still carries its Content Credentials, and the
            # result is kept even if processing then fails.
            clip.read_provenance(source)
            with open(source, "rb") as handle:
                sniffed = sniff(handle.read(HEAD_BYTES))
            if sniffed.kind == MediaKind.VIDEO:
                outputs = self.run_video(source, sniffed.demuxer, sniffed.label)
            else:
                outputs = self.run_image(source, sniffed.demuxer, sniffed.label)
        old = [getattr(clip, f).name for f in clip.PROCESSED_FIELDS if getattr(clip, f)]
        for field in clip.PROCESSED_FIELDS:
            path, suffix = outputs.get(field, (None, ""))
            getattr(clip, field).name = self.keep(field, path, suffix) if path else ""
            clip.beat_processing()
        clip.kind = sniffed.kind
        if not clip.mark_processing_ready():
            # Taken for dead and retried meanwhile: the newer run's files are the ones kept.
            logger.warning("Processing clip %s lost its claim; its results are dropped", clip.pk)
            self.undo()
            return
        for name in old:
            self.storage.delete(name)

    def run_video(self, source: Path, demuxer: str, label: str) -> dict:
        clip = self.clip
        info = probe_video(source, demuxer)
        output = self.work_file(".mp4")
        # A clip Telltale generated says so in its file; an upload's metadata is dropped.
        tags = metadata_tags(clip)
        transcode(source, output, info, Throttle(clip.save_processing_progress), tags=tags)
        clip.beat_processing()
        result = probe_video(output, "mov")
        if result.duration < info.duration * MIN_OUTPUT_SHARE - 0.5:
            raise MediaRejected(
                _(
                    "The file is incomplete: only %(got).1f of the %(declared).1f seconds it "
                    "declares could be read."
                )
                % {"got": result.duration, "declared": info.duration}
            )
        poster, strip = self.work_file(".jpg"), self.work_file(".jpg")
        make_poster(output, result.duration, poster)
        clip.thumbnail_count = make_strip(output, result.duration, strip)
        clip.width, clip.height = result.width, result.height
        clip.duration_seconds = round(result.duration, 3)
        clip.frame_rate = result.frame_rate
        clip.has_audio = result.has_audio
        codecs = "/".join(filter(None, [info.video_codec, info.audio_codec]))
        clip.source_format = f"{label} ({codecs})"[:60]
        clip.media_content_type = "video/mp4"
        # A clip is READY only with its blind quiz copies, so a quiz never lacks them.
        return {
            "media_file": (output, ".mp4"),
            "poster": (poster, ".jpg"),
            "thumbnail_strip": (strip, ".jpg"),
            **make_video_renditions(
                output, result, self.work_file, clip.QUIZ_FIELDS, on_progress=self.beat
            ),
        }

    def run_image(self, source: Path, fmt: str, label: str) -> dict:
        clip = self.clip
        # The suffix is only for the work file; the format came from the magic bytes.
        output, poster = self.work_file(".img"), self.work_file(".jpg")
        info = process_image(source, fmt, output, poster, mark=mark_for(clip))
        clip.width, clip.height = info.width, info.height
        clip.duration_seconds = None
        clip.frame_rate = None
        clip.has_audio = False
        clip.thumbnail_count = 0
        clip.source_format = label
        clip.media_content_type = info.content_type
        return {
            "media_file": (output, info.suffix),
            "poster": (poster, ".jpg"),
            **make_image_renditions(output, self.work_file, clip.QUIZ_FIELDS),
        }
