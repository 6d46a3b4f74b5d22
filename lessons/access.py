"""Who may do what in lessons and classes.

Lessons are written in the site by staff users and curators (the Curators group). A class exists
only for its owner and co-teachers (teacher pages) and for its students (their own pages).
Anyone else gets 404, never 403: another teacher's class, its students and their answers must
not even be confirmed to exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from lessons.models import Classroom, Membership
from lessons.models.classroom import is_teacher
from media_library.access import is_curator

View = Callable[..., HttpResponse]


def is_lesson_editor(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or is_curator(user)


def role_required(allowed: Callable[..., bool]) -> Callable[[View], View]:
    """Anonymous visitors go to the log-in page; signed-in users without the role get 403."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


editor_required = role_required(is_lesson_editor)
teacher_required = role_required(is_teacher)


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


def classroom_context(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {"is_teacher": is_teacher(user) if user is not None else False}
