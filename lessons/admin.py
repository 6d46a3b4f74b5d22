from __future__ import annotations

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from lessons.models import GlossaryTerm, Lesson


class EditedInSiteAdmin(TranslationAdmin):
    """Saving here marks the row as edited in the site, so load_lessons stops replacing it.
    A field per language (modeltranslation's admin), not the bare field that would write
    whichever language the admin happens to be in."""

    readonly_fields = ["content_file"]

    def save_model(self, request, obj, form, change) -> None:
        obj.edited_in_site = True
        super().save_model(request, obj, form, change)


@admin.register(Lesson)
class LessonAdmin(EditedInSiteAdmin):
    list_display = ["title", "kind", "tell_category", "technique", "position", "is_published"]
    list_filter = ["kind", "is_published", "edited_in_site"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(EditedInSiteAdmin):
    list_display = ["term", "aliases", "edited_in_site"]
    search_fields = ["term", "aliases", "definition"]
    prepopulated_fields = {"slug": ["term"]}
