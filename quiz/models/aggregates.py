"""What is kept of answers the retention purge (`manage.py purge_answers`) deletes: counts per
item and month (the crowd figure, an item's difficulty and mean confidence) and per student and
tell category (a learner's per-tell progress).

Defined in the lessons app until issue 11; quiz/migrations/0002_answer_records.py took the
tables over in place, so every row made before then is still here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F

from media_library.models import TellCategory


class AnswerAggregate(models.Model):
    """Purged answers to one item in one calendar month, as counts: enough for the crowd
    figure (answers, right) and an item's difficulty and mean confidence."""

    item = models.ForeignKey(
        "quiz.Item", on_delete=models.CASCADE, related_name="answer_aggregates"
    )
    month = models.DateField()  # the first day of the month the answers were given in
    answers = models.PositiveIntegerField(default=0)
    right = models.PositiveIntegerField(default=0)
    confident_answers = models.PositiveIntegerField(default=0)
    confidence_sum = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "month"], name="answer_aggregate_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.month:%Y-%m}: {self.right}/{self.answers}"


class TellTallyQuerySet(models.QuerySet["TellTally"]):
    def add(self, student_id: int, category: str, answers: int, right: int) -> None:
        tally, _created = self.get_or_create(student_id=student_id, tell_category=category)
        self.filter(pk=tally.pk).update(answers=F("answers") + answers, right=F("right") + right)


class TellTally(models.Model):
    """Purged answers of one student on items showing one tell category, as counts, so a
    student's per-tell progress outlives the raw answers."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tell_tallies"
    )
    tell_category = models.CharField(max_length=20, choices=TellCategory)
    answers = models.PositiveIntegerField(default=0)
    right = models.PositiveIntegerField(default=0)

    objects = TellTallyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "tell_category"], name="tell_tally_once"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} · {self.tell_category}: {self.right}/{self.answers}"
