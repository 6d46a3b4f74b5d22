from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from media_library.models import Clip, Tell

PROTECTED_CLIP = _(
    "Learners have answered this clip, and answers are their records: it cannot be deleted. "
    "Withdraw it in the curator area instead; every answer stays counted."
)


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

    # A clip learners have answered is never deleted: the quiz engine's keys to its answers are
    # PROTECT, so the admin's confirm page lists them as protected and deletes nothing. Any
    # other clip goes with its files, as from the curator area.
    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            messages.warning(request, PROTECTED_CLIP)
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj: Clip) -> None:
        obj.delete_with_files()

    def delete_queryset(self, request, queryset) -> None:
        for clip in queryset:
            clip.delete_with_files()
