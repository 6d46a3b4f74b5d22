"""Activates the request's language (languages/choice.py) in place of Django's LocaleMiddleware.

Pages live under i18n_patterns without a prefix for English: `/c/demo/` is English and
`/es/c/demo/` Spanish, so a partner can link the Spanish page and every cache keys on the
address. A first visit to an unprefixed page from a browser (or an account, or an earlier
choice) that wants another language is sent to that language's address. A visit to a prefixed
address sets no cookie (a Set-Cookie would keep the public pages out of shared caches): its
links carry the prefix on. The switcher's choice is what is remembered, in the cookie and, for a
signed-in person, on the account."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import get_script_prefix, is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers

from languages.choice import chosen_language

SAFE_METHODS = ("GET", "HEAD")


class LanguageMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self._answer(request)
        finally:
            # The language is the thread's: the next request on this thread (or a test after
            # this one) must not inherit it.
            translation.deactivate()

    def _answer(self, request: HttpRequest) -> HttpResponse:
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        language = translation.get_language_from_path(request.path_info)
        # /en/… reads as English to Django, but English pages have no prefix: no page answers
        # there, so it goes through the unprefixed rules (which send it to the bare address).
        if language is None or language == settings.LANGUAGE_CODE:
            language, redirect = self._unprefixed(request, urlconf)
            if redirect is not None:
                return redirect
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if language == settings.LANGUAGE_CODE and _is_page(response):
            # Whether an unprefixed page answers or redirects depends on these. Not files: a
            # clip's bytes are the same in every language, and `Vary: Cookie` would keep them
            # out of shared caches.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        remembered = getattr(request, "remembered_language", None)
        if remembered:
            set_language_cookie(response, remembered)
        return response

    def _unprefixed(self, request: HttpRequest, urlconf) -> tuple[str, HttpResponse | None]:
        """The language of an address without a prefix, or the redirect to the address that
        has the visitor's language. The resolver matches a page's prefix against the active
        language, so each check below activates the language it asks about."""
        path, default = request.path_info, settings.LANGUAGE_CODE
        safe = request.method in SAFE_METHODS and not request.headers.get("HX-Request")
        translation.activate(default)
        # /en/… names English explicitly, which lives unprefixed: go there and remember it.
        english = path[len(default) + 1 :]
        if safe and path.startswith(f"/{default}/") and is_valid_path(english, urlconf):
            response = HttpResponseRedirect(_with_path(request, english))
            set_language_cookie(response, default)
            return default, response
        wanted = chosen_language(request)
        if wanted == default:
            return default, None
        translation.activate(wanted)
        if not is_valid_path(f"/{wanted}{path}", urlconf):
            return wanted, None  # not a page of the three languages (the switcher, the admin)
        if not safe:
            # A form or a fragment of an English page (its address named no language).
            return default, None
        response = HttpResponseRedirect(_with_path(request, f"/{wanted}{path}"))
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return wanted, response


def _is_page(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("text/html") or response.status_code in (
        301,
        302,
    )


def _with_path(request: HttpRequest, path_info: str) -> str:
    """The request's full address (script prefix and query kept) with another path."""
    query = request.META.get("QUERY_STRING", "")
    prefix = get_script_prefix().rstrip("/")
    return f"{prefix}{path_info}" + (f"?{query}" if query else "")


def set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
