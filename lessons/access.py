"""Who may do what in lessons and classes.

Lessons are written in the site by staff users and curators (the Curators group). A class exists
only for its owner and co-teachers (teacher pages) and for its students (their own pages).
Anyone else gets 404, never 403: another teacher's class, its students and their answers must
not even be confirmed to exist.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from lessons.models import Assignment, Classroom, Membership
from media_library.roles import Role, has_role, role_required


def is_lesson_editor(user) -> bool:
    # Staff users write lessons too: the admin's people are trusted with the site's text.
    return has_role(user, Role.CURATOR, staff=True)


editor_required = role_required(Role.CURATOR, staff=True)
teacher_required = role_required(Role.TEACHER)


def teaches_a_class_set(user, quiz) -> bool:
    """Whether the user owns or co-teaches a class this quiz is set to (an assignment, or a
    pre-test, post-test or retest): registered with quiz/draft_viewers.py, so a class's
    teachers can open its draft quizzes, whichever of them built one."""
    classes = Classroom.objects.taught_by(user)
    return Assignment.objects.filter(quiz=quiz, classroom__in=classes).exists()


def get_classroom_for_teacher(request: HttpRequest, code: str) -> Classroom:
    """A class the requester owns or co-teaches, or 404."""
    try:
        return (
            Classroom.objects.taught_by(request.user).select_related("owner").get(code=code.upper())
        )
    except Classroom.DoesNotExist:
        raise Http404 from None


def get_membership(request: HttpRequest, code: str) -> Membership:
    """The requester's own place in a class they joined, or 404."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("classroom").get(
            classroom__code=code.upper(), student=request.user
        )
    except Membership.DoesNotExist:
        raise Http404 from None
