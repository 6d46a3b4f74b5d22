"""Who may do what in the quiz engine.

Anyone (signed in or not) takes published quizzes. Curators and teachers build quizzes; an
attempt is seen only by whoever started it (their account, or for visitors their session).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from media_library.access import is_curator
from quiz.models import Attempt, AttemptItem, Item, Quiz

TEACHERS_GROUP = "Teachers"


def is_quiz_builder(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if not hasattr(user, "_is_quiz_builder"):
        user._is_quiz_builder = is_curator(user) or user.groups.filter(name=TEACHERS_GROUP).exists()
    return user._is_quiz_builder


def builder_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_quiz_builder(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def get_attempt(request: HttpRequest, uid: UUID) -> Attempt:
    """The requester's attempt, or 404: someone else's attempt does not exist for them."""
    try:
        return Attempt.objects.owned_by(request).select_related("quiz").get(uid=uid)
    except Attempt.DoesNotExist:
        raise Http404 from None


# What answering reads of a clip: judging needs the truth, the form the duration. The other
# ~60 columns of two clips made the hot query slow to build in Django and to plan in PostgreSQL.
ANSWER_CLIP_FIELDS = ("verdict", "technique", "kind", "duration_seconds")


def get_entry(
    request: HttpRequest, uid: UUID, position: int, *, answering: bool = False
) -> AttemptItem:
    """One item of the requester's attempt, or 404, with the attempt, the item and its clips
    in the same query (and the quiz, unless `answering`: the answer endpoint, a campaign's hot
    path, loads only the clip fields it judges with)."""
    owned = Attempt.objects.owned_by(request).filter(uid=uid)
    entries = AttemptItem.objects.filter(attempt__in=owned, position=position)
    if answering:
        clip_fields = [
            f"item__{clip}__{field}"
            for clip in ("clip", "other_clip")
            for field in ANSWER_CLIP_FIELDS
        ]
        entries = entries.select_related("attempt", "item__clip", "item__other_clip").only(
            *[f.name for f in AttemptItem._meta.concrete_fields],
            *[f"attempt__{f.name}" for f in Attempt._meta.concrete_fields],
            *[f"item__{f.name}" for f in Item._meta.concrete_fields],
            *clip_fields,
        )
    else:
        entries = entries.select_related("attempt__quiz", "item__clip", "item__other_clip")
    try:
        return entries.get()
    except AttemptItem.DoesNotExist:
        raise Http404 from None


def visible_quiz(request: HttpRequest, quiz: Quiz) -> Quiz:
    """Drafts are seen by builders only (to try them out); learners get 404."""
    if not quiz.is_published and not is_quiz_builder(request.user):
        raise Http404
    return quiz


def builder_context(request: HttpRequest) -> dict:
    return {"is_quiz_builder": is_quiz_builder(request.user) if hasattr(request, "user") else False}
