"""The lesson editor's form: a lesson written or changed in the site, in every language.

English is the source text (its title, body and sources are required); Spanish and Chinese
are optional, and a language left empty shows the English with a note."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from lessons.models import Lesson

TEXTS = ("title", "summary", "body", "sources")
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _per_language(*names: str) -> list[str]:
    return [build_localized_fieldname(name, code) for code in LANGUAGES for name in names]


@dataclass(frozen=True)
class LanguageFields:
    """The fields of one language, shown together under its name."""

    code: str
    name: str
    fields: list[forms.BoundField]


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = [
            "slug",
            "kind",
            "tell_category",
            "technique",
            "position",
            "is_published",
            *_per_language(*TEXTS),
        ]
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 20}) for name in _per_language("body")},
            **{name: forms.Textarea(attrs={"rows": 4}) for name in _per_language("sources")},
        }
        help_texts = {
            "tell_category": _("Examples and practice come from clips with a tell of this kind."),
            "technique": _(
                "Set for technique lessons: examples and practice then come from "
                "clips made this way."
            ),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        english = settings.LANGUAGE_CODE
        for code in LANGUAGES:
            for name in TEXTS:
                field = self.fields[build_localized_fieldname(name, code)]
                # The language is the fieldset's legend: the label is the field's own name
                # ("title", not modeltranslation's "title [es]").
                field.label = capfirst(Lesson._meta.get_field(name).verbose_name)
                field.widget.attrs["lang"] = code
                field.required = code == english and name != "summary"
            self.fields[build_localized_fieldname("body", code)].help_text = _(
                "Markdown. Links and formatting are kept; scripts, images and raw HTML "
                "are removed when the lesson is shown."
            )
            self.fields[build_localized_fieldname("sources", code)].help_text = (
                _("One source per line. Every fact in the lesson should rest on one.")
                if code == english
                else _("One source per line; leave empty to show the English list.")
            )

    def shared_fields(self) -> list[forms.BoundField]:
        """The fields one for every language (the kind, the tell, the order)."""
        return [self[name] for name in self.Meta.fields if name not in _per_language(*TEXTS)]

    def languages(self) -> list[LanguageFields]:
        """Per language, its title, summary, body and sources."""
        return [
            LanguageFields(code, name, [self[build_localized_fieldname(f, code)] for f in TEXTS])
            for code, name in settings.LANGUAGES
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        # A translation is optional, but an empty one is NULL, which is what reads as "not
        # translated" (the form's "" would otherwise be stored).
        for code in LANGUAGES:
            if code == settings.LANGUAGE_CODE:
                continue
            for name in TEXTS:
                column = build_localized_fieldname(name, code)
                if column in cleaned and not (cleaned[column] or "").strip():
                    cleaned[column] = None
        return cleaned

    def clean_sources_en(self) -> str:
        sources = self.cleaned_data["sources_en"].strip()
        if not sources:
            raise forms.ValidationError(_("Name at least one source for what the lesson says."))
        return sources

    def save(self, commit: bool = True) -> Lesson:
        lesson = super().save(commit=False)
        # From now on the site's text is the lesson's text, in every language: load_lessons
        # must not replace it.
        lesson.edited_in_site = True
        if commit:
            lesson.save()
        return lesson
