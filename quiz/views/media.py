"""The clips of a quiz item as the learner sees them before answering: the blind renditions
(no metadata, random stored names) behind URLs made of the attempt and the item's position, so
nothing in a URL or a file ties the item to a clip in the library."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from media_library.views.serving import serve_file
from quiz.access import get_attempt
from quiz.models import AttemptItem, ItemKind, Slot

VARIANT_FIELDS = {"media": "quiz_media", "feed": "feed_media", "poster": "quiz_poster"}


@require_safe
def item_media(
    request: HttpRequest, uid: UUID, position: int, slot: str, variant: str
) -> HttpResponse:
    attempt = get_attempt(request, uid)
    try:
        entry = attempt.entry_at(position)
    except AttemptItem.DoesNotExist:
        raise Http404 from None
    # A withdrawn clip stops being served at once, to attempts in progress and to the reveal
    # of an answered item alike: withdrawal is also how consent is withdrawn.
    if not entry.is_answerable:
        raise Http404
    if slot not in Slot.values or (slot == Slot.B and entry.item.kind != ItemKind.PAIR):
        raise Http404
    clip = entry.clip_in_slot(Slot(slot))
    if variant == "captions":
        if not clip.captions_vtt.strip():
            raise Http404
        return HttpResponse(
            clip.captions_vtt.encode(),
            content_type="text/vtt; charset=utf-8",
            headers={
                "Cache-Control": "private, no-store",
                "Content-Disposition": content_disposition_header(False, "captions.vtt"),
            },
        )
    field = VARIANT_FIELDS.get(variant)
    file = getattr(clip, field) if field else None
    if not file:
        raise Http404
    # Private: the URL belongs to one attempt, and a shared cache must not keep it.
    return serve_file(request, file, public=False, label="clip")
