"""The lesson editor's form: a lesson written or changed in the site."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lessons.models import Lesson


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = [
            "title",
            "slug",
            "kind",
            "tell_category",
            "technique",
            "summary",
            "body",
            "sources",
            "position",
            "is_published",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 20}),
            "sources": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "body": _(
                "Markdown. Links and formatting are kept; scripts, images and raw HTML "
                "are removed when the lesson is shown."
            ),
            "sources": _("One source per line. Every fact in the lesson should rest on one."),
            "tell_category": _("Examples and practice come from clips with a tell of this kind."),
            "technique": _(
                "Set for technique lessons: examples and practice then come from "
                "clips made this way."
            ),
        }

    def clean_sources(self) -> str:
        sources = self.cleaned_data["sources"].strip()
        if not sources:
            raise forms.ValidationError(_("Name at least one source for what the lesson says."))
        return sources

    def save(self, commit: bool = True) -> Lesson:
        lesson = super().save(commit=False)
        # From now on the site's text is the lesson's text: load_lessons must not replace it.
        lesson.edited_in_site = True
        if commit:
            lesson.save()
        return lesson
