"""Which language a request is answered in, and how a choice is remembered.

In order: the address (/es/…, /zh-hans/…; English has no prefix), then the language cookie
(the switcher's choice; a signed-in person's account language is written into it when they sign
in), then the browser's Accept-Language, then English. Nothing here reads the session: a file
answered to anyone must not come to depend on it (`Vary: Cookie`) by choosing a language."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


def supported(code: str | None) -> str | None:
    """The site language `code` names ("es-MX" → "es", "zh-CN" → "zh-hans"), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return None


def chosen_language(request: HttpRequest) -> str:
    """The visitor's language when the address does not name one: Django's own order (the
    cookie, then Accept-Language, then LANGUAGE_CODE)."""
    return translation.get_language_from_request(request, check_path=False)


def remember_on_response(request: HttpRequest, language: str) -> None:
    """Have the middleware set the language cookie on this request's response (signing in has
    a request but no response yet)."""
    request.remembered_language = language


def language_names() -> list[tuple[str, str]]:
    """Each site language named in itself, as a switcher shows it."""
    return [(code, str(name)) for code, name in settings.LANGUAGES]
