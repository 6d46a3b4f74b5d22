from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from media_library.models import Clip, Tell

PROTECTED_CLIP = _(
    "Learners have answered this clip, and answers are their records: it cannot be deleted. "
    "Withdraw it in the curator area instead; every answer stays counted."
)


# Stored files appear in the admin by name only, never as the link Django's widgets make from
# storage.url(): on S3 that is a presigned URL, which would hand out a raw upload or a draft
# past the access checks of media_library/views/serving.py. Processing makes them all.
CLIP_FILE_FIELDS = [
    "source_file",
    "media_file",
    "poster",
    "thumbnail_strip",
    "quiz_media",
    "quiz_poster",
    "feed_media",
]


class TellInline(TranslationTabularInline):
    model = Tell
    extra = 0
    exclude = ["still"]
    readonly_fields = ["still_name"]

    @admin.display(description=_("still"))
    def still_name(self, tell: Tell) -> str:
        return tell.still.name or "—"


@admin.register(Clip)
class ClipAdmin(TranslationAdmin):
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
        "stored_files",
        "created_by",
        "updated_by",
    ]
    # Made by processing; replaced by hand they could leak the upload or break quizzes.
    exclude = CLIP_FILE_FIELDS
    raw_id_fields = ["original"]
    inlines = [TellInline]

    @admin.display(description=_("stored files"))
    def stored_files(self, clip: Clip) -> str:
        names = [f"{field}: {getattr(clip, field).name or '—'}" for field in CLIP_FILE_FIELDS]
        return "\n".join(names)

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
