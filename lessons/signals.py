"""The lessons app listens to the quiz engine here rather than being called by it: each new
answer moves the learner's spaced review schedule (lessons.models.ReviewSchedule)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from lessons.models import ReviewSchedule
from quiz.models import Answer


@receiver(post_save, sender=Answer, dispatch_uid="lessons-review-schedule")
def schedule_review(sender, instance: Answer, created: bool, raw: bool = False, **kwargs) -> None:
    # Only new answers: record() returns the first stored answer on a replay without saving.
    if created and not raw:
        ReviewSchedule.objects.record_answer(instance)
