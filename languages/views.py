"""The language switcher's target: a plain form post that works without JavaScript."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from languages.choice import supported
from languages.models import LanguagePreference


@csrf_exempt  # anonymous pages are cached for everyone and carry no token; see below
@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """Switch to the posted language and go back to the posted page in it (Django's
    set_language sets the cookie and translates the address). For a signed-in person the
    choice is also kept on their account, which changes stored data: that needs the CSRF
    token. An anonymous switch only sets the visitor's own cookie, which a forged post could
    do no more than change back."""
    language = supported(request.POST.get("language"))
    if language is None:
        return HttpResponseBadRequest(_("That language is not one this site offers."))
    if request.user.is_authenticated:
        return csrf_protect(_choose_for_account)(request, language)
    return _set_language(request)


def _choose_for_account(request: HttpRequest, language: str) -> HttpResponse:
    LanguagePreference.remember(request.user, language)
    return _set_language(request)


def _set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, with the language of the `next` address active: it translates
    that address by resolving it in the active language, and /language/ itself carries none,
    so a switch from /es/… to English by a visitor whose browser asks for English would
    resolve nothing and send them back to /es/…."""
    next_path = urlsplit(request.POST.get("next", "")).path
    with translation.override(
        translation.get_language_from_path(next_path) or settings.LANGUAGE_CODE
    ):
        return set_language(request)
