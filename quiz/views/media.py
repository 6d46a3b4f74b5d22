"""The clips of a quiz item as the learner sees them, always behind URLs made of the attempt and
the item's position, so nothing in a URL ties an item to a clip in the library.

Before the answer (`item_media`): the blind renditions (no metadata, random stored names), made
for this attempt alone (quiz.attempt_media), so no hash, size or ETag is the same in two attempts.
They are always sent from here, whatever settings.MEDIA_SERVING says: a redirect to the stored
file would hand every attempt the same bytes.

After it (`revealed_media`): the library files of the item's clips, their tells' stills and a
fake's original, once the attempt may show that item's truth. A clip kept for tests has no public
library URL (media_library.views.serving), so this is how its reveal reaches the learner.
"""

from __future__ import annotations

from io import BytesIO
from uuid import UUID

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from media_library.models import Clip
from media_library.stored_files import open_range
from media_library.views.serving import serve_file, stream_bytes
from quiz.access import get_attempt
from quiz.attempt_media import (
    PaddedRange,
    attempt_key,
    canvas_for,
    etag_for,
    framed_picture,
    free_box,
    image_for_attempt,
    is_matted,
)
from quiz.models import AttemptItem, ItemKind, Slot
from quiz.models.attempts import Attempt

VARIANT_FIELDS = {"media": "quiz_media", "feed": "feed_media", "poster": "quiz_poster"}
# Private: a URL belongs to one attempt; the browser may keep it, a shared cache must not.
ATTEMPT_CACHE_CONTROL = "private, max-age=3600"
# How long a drawn image stays in the cache for the Range and repeat requests of its attempt.
IMAGE_CACHE_SECONDS = 10 * 60
FRAMED_CACHE_SECONDS = 24 * 60 * 60
NEUTRAL_NAMES = {"video": "clip.mp4", "image": "clip.jpg"}


def _entry(attempt: Attempt, position: int) -> AttemptItem:
    try:
        return attempt.entry_at(position)
    except AttemptItem.DoesNotExist:
        raise Http404 from None


def _captions(clip: Clip, variant: str) -> HttpResponse:
    """ "captions" in the page's language (English when it has none), "captions-<language>" in
    that language only: a player has one <track> per language (Clip.caption_tracks)."""
    language = variant.removeprefix("captions-") if variant != "captions" else None
    captions = clip.captions_asked(language)
    if not captions:
        raise Http404
    return HttpResponse(
        captions.encode(),
        content_type="text/vtt; charset=utf-8",
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": content_disposition_header(False, "captions.vtt"),
        },
    )


@require_safe
def item_media(
    request: HttpRequest, uid: UUID, position: int, slot: str, variant: str
) -> HttpResponse:
    attempt = get_attempt(request, uid)
    entry = _entry(attempt, position)
    # A withdrawn clip stops being served at once, to attempts in progress and to the reveal
    # of an answered item alike: withdrawal is also how consent is withdrawn.
    if not entry.is_answerable:
        raise Http404
    if slot not in Slot.values or (slot == Slot.B and entry.item.kind != ItemKind.PAIR):
        raise Http404
    clip = entry.clip_in_slot(Slot(slot))
    if variant == "captions" or variant.startswith("captions-"):
        return _captions(clip, variant)
    field = VARIANT_FIELDS.get(variant)
    file = getattr(clip, field) if field else None
    if not file:
        raise Http404
    key = attempt_key(attempt.uid, position, slot, variant, file.name)
    is_image = variant == "poster" or clip.kind != "video"
    headers = {
        "Cache-Control": ATTEMPT_CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": content_disposition_header(
            False, NEUTRAL_NAMES["image" if is_image else "video"]
        ),
    }
    if is_image:
        body = _drawn_image(file, key, canvas_for(variant), matted=is_matted(entry.item.kind))
        return stream_bytes(
            request,
            lambda start, length: BytesIO(body[start : start + length]),
            size=len(body),
            etag=etag_for(key),
            last_modified=None,
            content_type="image/jpeg",
            headers=headers,
        )
    try:
        size = file.storage.size(file.name)
    except FileNotFoundError:
        raise Http404 from None
    tail = free_box(key)
    return stream_bytes(
        request,
        lambda start, length: PaddedRange(
            lambda at, count: open_range(file.storage, file.name, at, count),
            size,
            tail,
            start,
            length,
        ),
        size=size + len(tail),
        etag=etag_for(key),
        last_modified=None,
        content_type="video/mp4",
        headers=headers,
    )


def _drawn_image(file, key: bytes, canvas: tuple[int, int], *, matted: bool) -> bytes:
    return cache.get_or_set(
        f"quiz-media:{key.hex()}",
        lambda: image_for_attempt(_framed(file, canvas, matted=matted), key),
        IMAGE_CACHE_SECONDS,
    )


def _framed(file, canvas: tuple[int, int], *, matted: bool) -> bytes:
    """The stored picture fitted onto the canvas, shared by every attempt (cached a day: the
    stored name changes whenever the file does)."""

    def frame() -> bytes:
        try:
            with file.storage.open(file.name, "rb") as handle:
                return framed_picture(handle, canvas, matted=matted)
        except OSError:
            # Gone from storage, or no longer a picture Pillow can read: nothing to send.
            raise Http404 from None

    key = "quiz-framed:" + Clip.serving_version(f"{file.name}:{canvas}:{matted}")
    return cache.get_or_set(key, frame, FRAMED_CACHE_SECONDS)


@require_safe
def revealed_media(
    request: HttpRequest, uid: UUID, position: int, which: str, variant: str
) -> HttpResponse:
    """A library file of an answered item whose truth the attempt may show: `which` is a slot
    ("a", "b") or a slot's original ("a-original": the clip the fake in slot a was made from);
    `variant` a library variant (media, poster, captions) or "tell-<pk>", a tell's still."""
    attempt = get_attempt(request, uid)
    entry = _entry(attempt, position)
    # Withdrawn clips stop being served to the reveal too (quiz.models.AttemptItem.is_answerable).
    if not attempt.reveals(answered=entry.is_answered) or not entry.is_answerable:
        raise Http404
    clip = entry.revealed_clip(which)
    if clip is None or not clip.is_published:
        raise Http404
    if variant == "captions" or variant.startswith("captions-"):
        return _captions(clip, variant)
    if variant.startswith("tell-"):
        pk = variant.removeprefix("tell-")
        tell = clip.tells.filter(pk=pk).first() if pk.isdigit() else None
        if tell is None or not tell.still:
            raise Http404
        return serve_file(request, tell.still, public=False, label="tell")
    file = clip.served_file(variant)
    if file is None:
        raise Http404
    content_type = clip.media_content_type if variant == "media" else ""
    return serve_file(request, file, public=False, label=variant, content_type=content_type)
