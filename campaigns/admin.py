from __future__ import annotations

from django.contrib import admin

from campaigns.models import Campaign, CampaignText, Participation, PartnerLink


class CampaignTextInline(admin.StackedInline):
    model = CampaignText
    extra = 0


class PartnerLinkInline(admin.TabularInline):
    model = PartnerLink
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["slug", "organizer", "quiz", "starts_at", "ends_at"]
    search_fields = ["slug", "texts__title"]
    raw_id_fields = ["organizer", "quiz"]
    inlines = [CampaignTextInline, PartnerLinkInline]


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    """A visitor's anonymous round: its counters are records, read here and never edited."""

    list_display = ["campaign", "round", "language", "started_at", "answered", "correct"]
    list_filter = ["round", "language"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
