"""Serving processed media: clip videos and images, posters, thumbnail strips, stills, captions.

Access is decided here, by one helper: a published teaching example's files are public (lessons
show them with their truth); a published clip kept for tests is for curators and teachers (learners
see it only through their attempt's URLs, quiz/views/media.py); a draft's are for curators only;
everyone else gets 404, not 403, so nobody learns that such a clip exists. URLs carry the clip's
uid and a variant name, never a title or verdict, and the raw upload (source_file) has no URL.

How the bytes travel is settings.MEDIA_SERVING (see docs/deployment.md):
- "django": streamed from storage here, with Range requests (media_library.ranges), ETag and
  Last-Modified validators, 304s and If-Range;
- "x-accel": an empty response with X-Accel-Redirect, so nginx sends the file and its ranges;
- "storage": a 302 to the storage backend's URL (object storage, CDN, presigned S3 URLs that
  also fix the type, file name and cache rule the bucket answers with: stored_files.browser_url).
On S3, "django" mode fetches only the range it sends (stored_files.open_range).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Callable
from typing import IO
from urllib.parse import quote
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date, quote_etag
from django.views.decorators.http import require_safe

from media_library import stored_files
from media_library.models import Clip, Tell
from media_library.ranges import RangeNotSatisfiable, if_range_matches, resolve_range
from media_library.roles import Role, has_role

SERVING_MODES = ("django", "x-accel", "storage")

# A URL whose ?v= names the stored file it serves never changes content: cache it for a year.
VERSIONED_MAX_AGE = 365 * 24 * 60 * 60
# An unversioned URL of a published clip starts serving the new file if the clip is reprocessed.
PUBLISHED_MAX_AGE = 60 * 60
# Drafts must not linger in any cache, shared or private.
DRAFT_CACHE_CONTROL = "private, no-store"

# Neutral download names: the Content-Disposition filename must not carry the clip's title.
VARIANT_FILENAMES = {"media": "clip", "poster": "poster", "strip": "strip"}
# Processed files are video, audio or raster images; anything else is sent as opaque bytes,
# so a stray HTML or SVG file could never run script on our origin.
SAFE_CONTENT_TYPE = re.compile(
    r"(video|audio)/[a-z0-9.+-]+|image/(jpeg|png|webp|gif|avif)", re.ASCII
)
SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}", re.ASCII)


def visible_clip(request: HttpRequest, clip: Clip) -> Clip:
    """The access rule for every library file: a published teaching example is public; a
    published clip kept for tests is for the people who build quizzes (curators, teachers),
    since a learner who could fetch it could look its truth up before answering; drafts are
    for curators. Learners see a clip kept for tests only through their attempt's own URLs."""
    # The role is only asked for clips that are not public: public responses then never touch
    # the session, so they carry no "Vary: Cookie" and shared caches may keep them.
    if clip.is_public:
        return clip
    allowed = (Role.CURATOR, Role.TEACHER) if clip.is_published else (Role.CURATOR,)
    if not has_role(request.user, *allowed):
        raise Http404
    return clip


@require_safe
def clip_file(request: HttpRequest, uid: UUID, variant: str) -> HttpResponse:
    clip = visible_clip(request, get_object_or_404(Clip, uid=uid))
    file = clip.served_file(variant)
    if file is None:
        raise Http404
    content_type = clip.media_content_type if variant == "media" else ""
    return serve_file(
        request,
        file,
        public=clip.is_public,
        label=VARIANT_FILENAMES[variant],
        content_type=content_type,
    )


@require_safe
def tell_still(request: HttpRequest, pk: int) -> HttpResponse:
    tell = get_object_or_404(Tell.objects.select_related("clip"), pk=pk)
    clip = visible_clip(request, tell.clip)
    if not tell.still:
        raise Http404
    return serve_file(request, tell.still, public=clip.is_public, label="tell")


@require_safe
def clip_captions(request: HttpRequest, uid: UUID, language: str | None = None) -> HttpResponse:
    """A clip's captions: in `language` only (one <track> per language), or without one in the
    page's language, falling back to English (the address of old pages)."""
    clip = visible_clip(request, get_object_or_404(Clip, uid=uid))
    captions = clip.captions_asked(language)
    if not captions:
        raise Http404
    version = Clip.serving_version(captions)
    headers = common_headers(request, clip.is_public, version, "captions.vtt")
    headers["ETag"] = quote_etag(version)
    response = HttpResponse(
        captions.encode(), content_type="text/vtt; charset=utf-8", headers=headers
    )
    return get_conditional_response(request, etag=headers["ETag"], response=response)


def serve_file(
    request: HttpRequest, file: FieldFile, *, public: bool, label: str, content_type: str = ""
) -> HttpResponse:
    """Answer for one stored file the way settings.MEDIA_SERVING says."""
    name = file.name
    suffix = SAFE_SUFFIX.fullmatch(name[name.rfind(".") :].lower()) if "." in name else None
    filename = label + (suffix[0] if suffix else "")
    guessed = content_type or mimetypes.guess_type(filename)[0] or ""
    content_type = guessed if SAFE_CONTENT_TYPE.fullmatch(guessed) else "application/octet-stream"
    headers = common_headers(request, public, Clip.serving_version(name), filename)

    mode = settings.MEDIA_SERVING
    if mode == "django":
        return stream_file(request, file, content_type, headers)
    if mode == "x-accel":
        # nginx keeps Content-Type, Content-Disposition and Cache-Control from this response and
        # sends the file (with ranges and validators) from its `internal` location.
        response = HttpResponse(content_type=content_type, headers=headers)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_PREFIX + quote(name)
        return response
    if mode == "storage":
        url = stored_files.browser_url(
            file.storage,
            name,
            content_type=content_type,
            disposition=headers["Content-Disposition"],
            cache=headers["Cache-Control"],
        )
        response = HttpResponseRedirect(url)
        # Presigned URLs expire, and access is checked on every request: never cache the hop.
        response["Cache-Control"] = "no-store"
        return response
    raise ImproperlyConfigured(f"MEDIA_SERVING must be one of {SERVING_MODES}, not {mode!r}.")


def common_headers(request: HttpRequest, public: bool, version: str, filename: str) -> dict:
    if not public:
        cache_control = DRAFT_CACHE_CONTROL
    elif request.GET.get("v") == version:
        cache_control = f"public, max-age={VERSIONED_MAX_AGE}, immutable"
    else:
        cache_control = f"public, max-age={PUBLISHED_MAX_AGE}"
    return {
        "Cache-Control": cache_control,
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": content_disposition_header(False, filename),
    }


def stream_file(
    request: HttpRequest, file: FieldFile, content_type: str, headers: dict
) -> HttpResponse:
    """Send a stored file, or the one byte range asked for, reading only the bytes sent."""
    storage, name = file.storage, file.name
    try:
        size, modified = stored_files.stat(storage, name)
    except FileNotFoundError:
        raise Http404 from None
    # Whole seconds since the epoch, as HTTP dates count.
    last_modified = int(modified.timestamp()) if modified else None
    # The stored name is unique per processed file; size and mtime catch a rewrite in place.
    etag = quote_etag(hashlib.sha256(f"{name}:{size}:{last_modified}".encode()).hexdigest()[:32])
    return stream_bytes(
        request,
        lambda start, length: stored_files.open_range(storage, name, start, length),
        size=size,
        etag=etag,
        last_modified=last_modified,
        content_type=content_type,
        headers=headers,
    )


def stream_bytes(
    request: HttpRequest,
    opener: Callable[[int, int], IO[bytes]],
    *,
    size: int,
    etag: str,
    last_modified: int | None,
    content_type: str,
    headers: dict,
) -> HttpResponse:
    """Send `size` bytes, or the one range asked for, with the validators given: ETag always,
    Last-Modified when known. `opener(start, length)` gives a file that reads those bytes
    (only they are fetched from storage: one ranged GET on S3)."""
    headers = {**headers, "ETag": etag, "Accept-Ranges": "bytes"}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)

    # Preconditions first (RFC 9110 13.2.2): a matching If-None-Match wins over any Range.
    probe = HttpResponse(headers=headers)
    conditional = get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=probe
    )
    if conditional is not probe:
        return conditional

    byte_range = None
    # Range is defined for GET only; HEAD answers as a plain GET would, and a stale
    # If-Range (the file changed since the client's first part) means "send it all".
    if request.method == "GET" and if_range_matches(
        request.headers.get("If-Range"), etag, last_modified
    ):
        try:
            byte_range = resolve_range(request.headers.get("Range"), size)
        except RangeNotSatisfiable:
            response = HttpResponse(status=416, headers=headers)
            response["Content-Range"] = f"bytes */{size}"
            return response

    start, length = (byte_range.start, byte_range.length) if byte_range else (0, size)
    status = 206 if byte_range else 200
    if request.method == "HEAD":
        response = HttpResponse(status=status, content_type=content_type, headers=headers)
    else:
        try:
            handle = opener(start, length)
        except FileNotFoundError:
            raise Http404 from None
        response = MediaFileResponse(
            ByteRangeReader(handle, length),
            status=status,
            content_type=content_type,
            headers=headers,
        )
    response["Content-Length"] = str(length)
    if byte_range:
        response["Content-Range"] = byte_range.content_range(size)
    return response


class MediaFileResponse(FileResponse):
    # Larger blocks than FileResponse's 4 KiB: far fewer reads and writes for video.
    block_size = 64 * 1024


class ByteRangeReader:
    """A file-like view of the next `length` bytes of `handle`.

    FileResponse reads it block by block, so only the bytes being sent are read, whatever the
    file's size. It has no fileno() on purpose: a WSGI server's sendfile() would otherwise send
    from the descriptor's offset to the end, ignoring the range.
    """

    def __init__(self, handle: IO[bytes], length: int) -> None:
        self._handle = handle
        self._remaining = length

    def read(self, size: int = -1) -> bytes:
        if self._remaining <= 0:
            return b""
        size = self._remaining if size < 0 else min(size, self._remaining)
        data = self._handle.read(size)
        # A file that shrank under us ends the stream rather than looping forever.
        self._remaining = self._remaining - len(data) if data else 0
        return data

    def close(self) -> None:
        self._handle.close()
