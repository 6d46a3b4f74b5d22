"""Signing in brings the account's language into the browser's language cookie (where the
middleware reads it without a query); signing out leaves the cookie, so the page stays in that
language. And translated texts never store NULL as their English."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_save
from django.dispatch import receiver
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

from languages.choice import remember_on_response
from languages.models import LanguagePreference


@receiver(user_logged_in, dispatch_uid="languages-account-language")
def bring_account_language(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    language = LanguagePreference.of(user)
    if language:
        remember_on_response(request, language)


@receiver(pre_save, dispatch_uid="languages-english-never-null")
def english_never_null(sender, instance, **kwargs) -> None:
    """A translated text left unset reads as "" in English, as the field did before it had
    languages: modeltranslation leaves the English column NULL, and `prompt=""` would then
    miss it (the other languages' NULL means "not translated", which is right)."""
    for _original, english in _translated_text_fields(sender):
        if getattr(instance, english) is None:
            setattr(instance, english, "")


@cache
def _translated_text_fields(model) -> tuple[tuple[str, str], ...]:
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return ()
    return tuple(
        (name, build_localized_fieldname(name, settings.LANGUAGE_CODE))
        for name in options.fields
        if not model._meta.get_field(name).null
    )
