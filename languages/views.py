"""The language switcher's target: a plain form post that works without JavaScript."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
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
    return set_language(request)


def _choose_for_account(request: HttpRequest, language: str) -> HttpResponse:
    LanguagePreference.remember(request.user, language)
    return set_language(request)
