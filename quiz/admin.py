from __future__ import annotations

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from quiz.models import Answer, Attempt, CrowdCount, Item, Quiz, QuizItem


class QuizItemInline(admin.TabularInline):
    model = QuizItem
    extra = 0
    raw_id_fields = ["item"]


@admin.register(Quiz)
class QuizAdmin(TranslationAdmin):
    list_display = ["title", "mode", "selection", "is_published", "created_by"]
    list_filter = ["mode", "selection", "is_published"]
    search_fields = ["title", "slug"]
    inlines = [QuizItemInline]


@admin.register(Item)
class ItemAdmin(TranslationAdmin):
    list_display = ["__str__", "kind", "difficulty", "created_at"]
    list_filter = ["kind", "difficulty"]
    raw_id_fields = ["clip", "other_clip"]


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["quiz", "user", "mode", "started_at", "finished_at"]
    list_filter = ["mode"]
    raw_id_fields = ["user"]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    """Answers are evidence of learning: readable here, never edited. One deleted here leaves
    its item's crowd count too (the purge folds what it deletes instead)."""

    list_display = ["attempt", "item", "is_correct", "confidence", "created_at"]
    list_filter = ["is_correct"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def delete_model(self, request, obj: Answer) -> None:
        self.delete_queryset(request, Answer.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset) -> None:
        with CrowdCount.objects.uncounting(queryset):
            queryset.delete()
