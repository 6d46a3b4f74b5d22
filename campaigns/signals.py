"""The campaigns app listens to the quiz engine rather than being called by it: each new answer
of a campaign's attempt is counted on its participation and its item's tally."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from campaigns.models import Participation
from quiz.models import Answer


@receiver(post_save, sender=Answer, dispatch_uid="campaigns-count-answer")
def count_answer(sender, instance: Answer, created: bool, raw: bool = False, **kwargs) -> None:
    # Only new answers: a replayed answer returns the first one without saving.
    if created and not raw:
        Participation.record_answer(instance)
