from __future__ import annotations

from django.contrib import admin

from media_library.models import Clip, Tell


class TellInline(admin.TabularInline):
    model = Tell
    extra = 0
    readonly_fields = ["still"]


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "verdict",
        "technique",
        "processing_status",
        "publication_state",
    ]
    list_filter = ["verdict", "technique", "processing_status", "publication_state", "kind"]
    search_fields = ["title", "slug", "attribution"]
    readonly_fields = [
        "uid",
        "source_sha256",
        "source_size",
        "original_filename",
        "duration_seconds",
        "width",
        "height",
        "frame_rate",
        "has_audio",
        "processing_error",
        # Made by processing from media_file; edited by hand they could leak or break quizzes.
        "quiz_media",
        "quiz_poster",
        "feed_media",
        "created_by",
        "updated_by",
    ]
    raw_id_fields = ["original"]
    inlines = [TellInline]
