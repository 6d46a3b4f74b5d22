"""Signing in brings the account's language into the session (where the middleware reads it
without a query); signing out leaves the browser's cookie, so the page stays in that language."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from languages.choice import remember_in_session
from languages.models import LanguagePreference


@receiver(user_logged_in, dispatch_uid="languages-account-language")
def bring_account_language(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    language = LanguagePreference.of(user)
    if language:
        remember_in_session(request, language)
