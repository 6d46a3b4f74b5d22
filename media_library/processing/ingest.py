"""Receiving an upload: size cap, sniffing, SHA-256 and a staged copy, before a Clip exists."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from media_library.choices import MediaKind
from media_library.processing import MediaRejected
from media_library.processing.images import check_header
from media_library.processing.sniff import HEAD_BYTES, Sniffed, sniff
from media_library.processing.workdir import discard, new_work_path


@dataclass
class StagedUpload:
    path: Path
    sha256: str
    size: int
    sniffed: Sniffed


def size_refusal(size: int) -> str | None:
    cap = settings.MEDIA_MAX_UPLOAD_BYTES
    if size > cap:
        return _("The file is %(size)s; uploads may be at most %(max)s.") % {
            "size": megabytes(size),
            "max": megabytes(cap),
        }
    return None


def megabytes(size: int) -> str:
    return _("%(mb)s MB") % {"mb": f"{size / 1_000_000:.1f}"}


def read_head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def check_upload(upload: UploadedFile) -> Sniffed:
    """Refusals that need no copy of the file: its size and what its first bytes say it is."""
    if (message := size_refusal(upload.size or 0)) is not None:
        raise MediaRejected(message)
    sniffed = sniff(read_head(upload))
    if sniffed.kind == MediaKind.IMAGE:
        check_header(upload, sniffed.demuxer)
    return sniffed


def stage_upload(upload: UploadedFile) -> StagedUpload:
    """Copy the upload into the work dir, hashing as it goes; the caller owns the copy."""
    sniffed = check_upload(upload)
    path = new_work_path(".upload")
    digest, size = hashlib.sha256(), 0
    try:
        with open(path, "wb") as out:
            for chunk in upload.chunks():
                size += len(chunk)
                # The declared size can lie; the bytes cannot.
                if (message := size_refusal(size)) is not None:
                    raise MediaRejected(message)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise MediaRejected(_("The file is empty."))
    except BaseException:
        discard(path)
        raise
    return StagedUpload(path, digest.hexdigest(), size, sniffed)
