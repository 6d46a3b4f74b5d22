"""The product's URLconf plus two bench-only views; served only by `make bench-answer`.

The bare view is the floor the answer endpoint is measured against: the same request (a POST
with the session and CSRF cookies and the same form body) through the same middleware stack,
answered with the same kind of response (a 302), but without any work of its own: no session
read, no queries, no form.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST


@require_GET
@ensure_csrf_cookie
def csrf(request: HttpRequest) -> HttpResponse:
    """Hands a load-generator client its CSRF cookie without rendering a template."""
    return HttpResponse(status=204)


@require_POST
@never_cache
def bare(request: HttpRequest) -> HttpResponse:
    # The answer endpoint is @require_POST @never_cache and redirects: the same here, so the
    # two differ only by what the endpoint does.
    return HttpResponseRedirect("/bench/bare/")


urlpatterns = [
    path("bench/csrf/", csrf),
    path("bench/bare/", bare),
    path("", include("config.urls")),
]
