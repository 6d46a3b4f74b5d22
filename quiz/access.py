"""Who may do what in the quiz engine.

Anyone (signed in or not) takes published quizzes; a draft is seen by its builder, the teachers
of a class it is set to, curators and staff (`Quiz.is_visible_to`). Curators and teachers build
quizzes; an attempt is seen only by whoever started it (their account, or for visitors their
session).
"""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest

from media_library.roles import Role, role_required
from quiz.answer_lookup import entry_for_answer
from quiz.models import Attempt, AttemptItem, Quiz
from quiz.models.attempts import in_session, ownership

QUIZ_BUILDERS = (Role.CURATOR, Role.TEACHER)
builder_required = role_required(*QUIZ_BUILDERS)


def get_attempt(request: HttpRequest, uid: UUID) -> Attempt:
    """The requester's attempt, or 404: someone else's attempt does not exist for them."""
    try:
        return Attempt.objects.owned_by(request).select_related("quiz").get(uid=uid)
    except Attempt.DoesNotExist:
        raise Http404 from None


def get_entry(
    request: HttpRequest, uid: UUID, position: int, *, answering: bool = False
) -> AttemptItem:
    """One item of the requester's attempt, or 404, with the attempt, its quiz, the item and
    its clips in the same query. `answering` is the answer endpoint, a campaign's hot path: it
    loads only what judging needs, through `quiz.answer_lookup`."""
    if answering:
        entry = entry_for_answer(
            uid,
            position,
            user_id=request.user.pk if request.user.is_authenticated else None,
            in_session=in_session(request, uid),
        )
        if entry is None:
            raise Http404
        return entry
    entries = AttemptItem.objects.filter(
        ownership(request, uid, via="attempt__"), attempt__uid=uid, position=position
    ).select_related("attempt__quiz", "item__clip", "item__other_clip")
    try:
        return entries.get()
    except AttemptItem.DoesNotExist:
        raise Http404 from None


def visible_quiz(request: HttpRequest, quiz: Quiz) -> Quiz:
    """The quiz if the requester may see it (`Quiz.is_visible_to`), or 404: a draft is
    not confirmed to exist to anyone who may not open it."""
    if not quiz.is_visible_to(request.user):
        raise Http404
    return quiz
