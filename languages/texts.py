"""A text written in each site language, for content made in code (the demo pack).

It sets django-modeltranslation's columns by name (`title_en`, `title_es`, `title_zh_hans`),
never the bare field, whose column depends on the language active when the code runs."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Model
from modeltranslation.utils import build_localized_fieldname

from languages.commands import command_language


@dataclass(frozen=True)
class Texts:
    en: str
    es: str
    zh_hans: str

    def in_language(self, code: str) -> str:
        """The text in a site language code ("zh-hans"), English for any other."""
        return getattr(self, code.replace("-", "_"), self.en)

    def __str__(self) -> str:
        # Shown in commands' messages (pages read the model's columns): the commands' language.
        return self.in_language(command_language())

    def columns(self, field: str) -> dict[str, str]:
        """{"title_en": …, "title_es": …, "title_zh_hans": …} for Model.objects.create."""
        return {
            build_localized_fieldname(field, code): self.in_language(code)
            for code, _name in settings.LANGUAGES
        }


def fill_missing(obj: Model, **texts: Texts) -> list[str]:
    """Set each language column of `obj` that is still empty to the given text (a curator's
    edit is kept); returns the columns set, for save(update_fields=…)."""
    changed = []
    for field, text in texts.items():
        for column, value in text.columns(field).items():
            if not getattr(obj, column):
                setattr(obj, column, value)
                changed.append(column)
    return changed
