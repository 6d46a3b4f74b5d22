"""Which translations a piece of content lacks.

django-modeltranslation reads a missing translation as the English text (never an empty
field); these say when that happened, so a page can mark the English with a note and its
`lang`, and a curator can see what is left to translate."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import translation
from modeltranslation.utils import build_localized_fieldname

DEFAULT = settings.LANGUAGE_CODE


def _has(obj: models.Model, field: str, language: str) -> bool:
    return bool((getattr(obj, build_localized_fieldname(field, language), "") or "").strip())


def falls_back(obj: models.Model, *fields: str, language: str | None = None) -> bool:
    """Does any of `fields` show the English text for want of one in `language` (the active
    language by default)? Fields empty in English too are not missing: there is nothing."""
    language = language or translation.get_language() or DEFAULT
    if language == DEFAULT:
        return False
    return any(_has(obj, f, DEFAULT) and not _has(obj, f, language) for f in fields)


def text_language(obj: models.Model, field: str) -> str:
    """The language the reader sees `field` in: the active one, or English when it falls back."""
    language = translation.get_language() or DEFAULT
    return DEFAULT if falls_back(obj, field, language=language) else language


@dataclass(frozen=True)
class MissingTranslation:
    language: str
    name: str
    fields: list[str]  # the fields' verbose names


def missing_translations(obj: models.Model, *fields: str) -> list[MissingTranslation]:
    """Per language other than English, the fields written in English but not in it."""
    missing = []
    for code, name in settings.LANGUAGES:
        if code == DEFAULT:
            continue
        absent = [
            str(obj._meta.get_field(f).verbose_name)
            for f in fields
            if falls_back(obj, f, language=code)
        ]
        if absent:
            missing.append(MissingTranslation(code, str(name), absent))
    return missing
