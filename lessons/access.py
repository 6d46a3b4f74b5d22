"""Who may write lessons in the site: staff users and curators (the Curators group)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from media_library.access import is_curator


def is_lesson_editor(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or is_curator(user)


def editor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the log-in page; signed-in non-editors get 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_lesson_editor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
