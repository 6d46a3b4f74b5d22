"""The campaigns app listens to the quiz engine rather than being called by it (each new answer
of a campaign's attempt is counted on its participation and its item's tally), and to its own
models (an edit gives the cached public pages a new version)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from campaigns import page_cache
from campaigns.models import Campaign, CampaignText, Participation, PartnerLink
from quiz.models import Answer


@receiver(post_save, sender=Answer, dispatch_uid="campaigns-count-answer")
def count_answer(sender, instance: Answer, created: bool, raw: bool = False, **kwargs) -> None:
    # Only new answers: a replayed answer returns the first one without saving.
    if created and not raw:
        Participation.record_answer(instance)


@receiver(post_save, sender=Campaign, dispatch_uid="campaigns-forget-pages")
@receiver(post_save, sender=CampaignText, dispatch_uid="campaigns-forget-pages-text")
@receiver(post_save, sender=PartnerLink, dispatch_uid="campaigns-forget-pages-link")
@receiver(post_delete, sender=CampaignText, dispatch_uid="campaigns-forget-pages-text-gone")
@receiver(post_delete, sender=PartnerLink, dispatch_uid="campaigns-forget-pages-link-gone")
def forget_cached_pages(sender, instance, raw: bool = False, **kwargs) -> None:
    """An organizer's edit shows at once: the campaign's cached pages get a new version."""
    campaign = instance if isinstance(instance, Campaign) else instance.campaign
    transaction.on_commit(lambda: page_cache.forget(campaign.slug))
