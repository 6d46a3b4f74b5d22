"""A campaign inside a partner's page: an iframe on another site.

Browsers do not send our cookies to a page framed by another site (SameSite=Lax, Safari's and
Firefox's third-party cookie blocking), so an embedded visitor's session cannot ride on a
cookie. It rides on the address instead: the embed's start makes the session, then every page
of that visit lives under `/v/<session key>/…`. `VisitorPassMiddleware` takes the prefix off
before URL resolution, hands the key to the session middleware as if it were the cookie, and
sets the script prefix so every `reverse()` and `{% url %}` of the visit carries it on. The CSRF
secret is derived from the key (a visit with no cookies has no ambient authority for CSRF to
guard; the key in the path is the visitor's proof, and a forged form cannot know it).

Only the quiz-taking pages and the campaign's own visitor pages answer under a pass; those
responses may be framed by the campaign's partner sites (CSP frame-ancestors), while the rest
of the site stays unframeable. The pass never leaves the visit: share links and partner links
are built without it, and the Referrer-Policy (same-origin) keeps it from other sites.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import string

from django.conf import settings
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.urls import get_script_prefix, set_script_prefix
from django.utils.csp import CSP, build_policy

PASS_PATH = re.compile(r"^/v/(?P<key>[a-z0-9]{32})(?P<rest>/.*)$")
SESSION_EMBED = "campaign_embed"  # {"origins": [...], "slug": ...} of the embedded visit
# What a visit under a pass may open: taking its quiz, and the campaign's visitor pages.
PASS_ROUTES = {
    "quiz": {
        "attempt",
        "feed",
        "feed-finish",
        "item",
        "item-answer",
        "item-media",
        "revealed-media",
        "results",
    },
    # Not the privacy notice: it is one cached page for everyone (campaigns/page_cache.py), and
    # rendered under a pass its links would hand that visit's key to every later reader. The
    # visit's pages link to it without the pass, in a new tab.
    "campaigns": {"result", "survey-after", "theme", "logo", "share-card"},
}
_CSRF_ALPHABET = string.ascii_letters + string.digits


def csrf_secret_for(key: str) -> str:
    """The visit's CSRF secret: a keyed hash of its pass, in the alphabet and length Django's
    CSRF middleware expects of a cookie's secret."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"embed-csrf:{key}".encode(), hashlib.sha256)
    number = int.from_bytes(digest.digest() * 2, "big")
    chars = []
    for _ in range(32):
        number, index = divmod(number, len(_CSRF_ALPHABET))
        chars.append(_CSRF_ALPHABET[index])
    return "".join(chars)


def pass_prefix(key: str) -> str:
    """The path prefix of the visit whose pass is `key` (what PASS_PATH takes off)."""
    return f"/v/{key}"


def pass_of(request: HttpRequest) -> str | None:
    return getattr(request, "visitor_pass", None)


def framable_by(request: HttpRequest, response: HttpResponse, origins: list[str]) -> HttpResponse:
    """Let `origins` (and our own pages) frame this response, and nobody else. Works from a
    view and from outside the CSP and X-Frame-Options middleware alike: the headers are set
    here, and the middleware leave a header they find alone."""
    config = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF, *origins]}
    response._csp_config = config
    response.xframe_options_exempt = True
    response.headers.pop("X-Frame-Options", None)
    response.headers[str(CSP.HEADER_ENFORCE)] = build_policy(config, get_nonce(request))
    return response


def visit_context(request: HttpRequest) -> dict:
    """For base.html: whether this page is inside a partner's frame (then it shows the
    campaign's header instead of the site's navigation, and opens other pages in a new tab)."""
    if pass_of(request) is None:
        return {"embedded": None}
    return {"embedded": request.session.get(SESSION_EMBED) or {}}


def without_pass(path: str, request: HttpRequest) -> str:
    """A path reversed during a visit, without the visit's pass: for links that leave it
    (a share link, the landing page)."""
    key = pass_of(request)
    if key is None:
        return path
    prefix = pass_prefix(key)
    return path.removeprefix(prefix) if path.startswith(prefix + "/") else path


class VisitMessageStorage(FallbackStorage):
    """Django's messages (a cookie, then the session), but in the session alone during a
    visit under a pass, whose cookies the browser would refuse: "this campaign has ended"
    must reach a visitor inside a partner's frame too."""

    def __init__(self, request: HttpRequest, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        if pass_of(request):
            self.storages = [SessionStorage(request, *args, **kwargs)]


class VisitorPassMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = PASS_PATH.match(request.path_info)
        if match is None:
            request.visitor_pass = None
            return self.get_response(request)
        key = match["key"]
        request.visitor_pass = key
        outer_prefix = get_script_prefix()
        request.path_info = match["rest"]
        request.META["SCRIPT_NAME"] = request.META.get("SCRIPT_NAME", "") + pass_prefix(key)
        # Only the pass: a first-party cookie the browser might still send must not mix in.
        request.COOKIES = {
            settings.SESSION_COOKIE_NAME: key,
            settings.CSRF_COOKIE_NAME: csrf_secret_for(key),
        }
        set_script_prefix(outer_prefix.rstrip("/") + pass_prefix(key) + "/")
        try:
            response = self.get_response(request)
        finally:
            set_script_prefix(outer_prefix)
        # Cookies made during the visit would be third-party ones, refused or worse, taken for
        # a first-party session: the visit keeps to its address.
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
            response.cookies.pop(name, None)
        embed = request.session.get(SESSION_EMBED) if hasattr(request, "session") else None
        if embed:
            framable_by(request, response, embed.get("origins", []))
        return response

    def process_view(self, request: HttpRequest, view, args, kwargs):
        if pass_of(request) is None:
            return None
        match = request.resolver_match
        if match.url_name not in PASS_ROUTES.get(match.namespace, ()):
            raise Http404
        return None
