"""Who may reach the curator area: members of the Curators group (and superusers)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

CURATORS_GROUP = "Curators"


def is_curator(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    # Asked by the view and again by every template's navigation: one query per request.
    if not hasattr(user, "_is_curator"):
        user._is_curator = user.is_superuser or user.groups.filter(name=CURATORS_GROUP).exists()
    return user._is_curator


def curator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the log-in page; signed-in non-curators get 403, never data."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_curator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def curator_context(request: HttpRequest) -> dict:
    return {"is_curator": is_curator(request.user) if hasattr(request, "user") else False}
