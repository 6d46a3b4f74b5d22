"""Who may see a class.

A class exists only for its owner and co-teachers (teacher pages) and for its students (their
own pages). Anyone else gets 404, never 403: another teacher's class, its students and their
answers must not even be confirmed to exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from lessons.models import Classroom, Membership
from lessons.models.classroom import is_teacher


def teacher_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_teacher(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


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
