"""The spaced review schedule: per (student, tell category), when the tell comes back in the
student's review queue (lessons/review.py builds the queue from it). Moved on by every new
answer (lessons/signals.py listens to the quiz engine's saves)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from media_library.models import Tell, TellCategory

# Leitner boxes: the wait before a tell comes back, by box. A wrong answer sends the tell to
# box 0 (due again at once); each right answer moves it one box on, up to the last.
BOX_INTERVALS = (
    timedelta(0),
    timedelta(days=1),
    timedelta(days=3),
    timedelta(days=7),
    timedelta(days=16),
    timedelta(days=35),
)


class ReviewScheduleQuerySet(models.QuerySet["ReviewSchedule"]):
    def due(self, now: datetime | None = None) -> ReviewScheduleQuerySet:
        # Lowest box first: the tells missed most recently are the most urgent.
        return self.filter(due_at__lte=now or timezone.now()).order_by("box", "due_at", "pk")

    def record(self, student_id: int, categories: list[str], correct: bool) -> None:
        """Move each tell of an answered item on (right) or back to the first box (wrong)."""
        now = timezone.now()
        for category in categories:
            schedule, _created = self.get_or_create(
                student_id=student_id, tell_category=category, defaults={"due_at": now}
            )
            schedule.box = min(schedule.box + 1, len(BOX_INTERVALS) - 1) if correct else 0
            schedule.due_at = now + BOX_INTERVALS[schedule.box]
            schedule.save(update_fields=["box", "due_at", "updated_at"])

    def record_answer(self, answer) -> None:
        """The answer-saved hook (lessons/signals.py): signed-in learners only.

        An attempt that gives feedback only at the end (an assessment) moves the schedule
        when its last answer arrives, with all its answers: a tell "due for review" straight
        after an answer would tell the learner they had missed it before the end."""
        attempt = answer.attempt
        if attempt.user_id is None:
            return
        if attempt.attempt_mode.reveals_each_item:
            self._record_one(answer)
        elif not attempt.entries.filter(answer__isnull=True).exists():
            for each in attempt.answers.select_related("item").order_by("created_at", "pk"):
                self._record_one(each)

    def _record_one(self, answer) -> None:
        student_id = answer.attempt.user_id
        item = answer.item
        clips = [item.clip_id] + ([item.other_clip_id] if item.other_clip_id else [])
        categories = sorted(
            set(
                Tell.objects.filter(clip_id__in=clips).values_list("category", flat=True).distinct()
            )
        )
        self.record(student_id, categories, answer.is_correct)


class ReviewSchedule(models.Model):
    """When one student's tell category comes back in their review queue."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_schedule"
    )
    tell_category = models.CharField(max_length=20, choices=TellCategory)
    box = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewScheduleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["student", "tell_category"], name="review_schedule_once_per_tell"
            ),
        ]
        indexes = [
            # The review queue: a student's tells due now, soonest first.
            models.Index(fields=["student", "due_at"], name="review_schedule_due"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} · {self.tell_category} · box {self.box}"
