"""Which language a request is answered in, and how a choice is remembered.

In order: the address (/es/…, /zh-hans/…; English has no prefix), then the choice kept in the
session (a signed-in person's account language, copied there when they sign in, so reading it
costs no query), then the language cookie the switcher sets, then the browser's
Accept-Language, then English."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

# The session key for the account's language (Django no longer keeps one of its own).
SESSION_KEY = "telltale_language"


def supported(code: str | None) -> str | None:
    """The site language `code` names ("es-MX" → "es", "zh-CN" → "zh-hans"), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return None


def chosen_language(request: HttpRequest) -> str:
    """The visitor's language when the address does not name one."""
    session = getattr(request, "session", None)
    if session is not None:
        kept = supported(session.get(SESSION_KEY))
        if kept:
            return kept
    # Django's own order for the rest: the cookie, then Accept-Language, then LANGUAGE_CODE.
    return translation.get_language_from_request(request, check_path=False)


def remember_in_session(request: HttpRequest, language: str) -> None:
    request.session[SESSION_KEY] = language


def language_names() -> list[tuple[str, str]]:
    """Each site language named in itself, as a switcher shows it."""
    return [(code, str(name)) for code, name in settings.LANGUAGES]
