"""Counts kept beside the answers: what the retention purge (`manage.py purge_answers`) keeps of
the answers it deletes, per item and month (the crowd figure, an item's difficulty and mean
confidence) and per student and tell category (a learner's per-tell progress); and the crowd
figure itself, per item, kept up to date as answers arrive (`CrowdCount`).

Defined in the lessons app until issue 11; quiz/migrations/0002_answer_records.py took the
tables over in place, so every row made before then is still here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, F, Q, QuerySet, Sum

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


class TellTally(models.Model):
    """Purged answers of one student on items showing one tell category, as counts, so a
    student's per-tell progress outlives the raw answers."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tell_tallies"
    )
    tell_category = models.CharField(max_length=20, choices=TellCategory)
    answers = models.PositiveIntegerField(default=0)
    right = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "tell_category"], name="tell_tally_once"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} · {self.tell_category}: {self.right}/{self.answers}"


class CrowdCountQuerySet(models.QuerySet["CrowdCount"]):
    def count_answer(self, item_id: int, correct: bool) -> None:
        """Add one stored answer. Called in the transaction that stores it, so the count and
        the answer are committed together or not at all; an F() update, so concurrent answers
        to the same item each add theirs (the row lock queues them, nothing is read first)."""
        change = {"answers": F("answers") + 1, "right": F("right") + int(correct)}
        if not self.filter(item_id=item_id).update(**change):
            # The item's first answer: make its row (get_or_create survives a concurrent first
            # answer making it too), then add to it like any other.
            self.get_or_create(item_id=item_id)
            self.filter(item_id=item_id).update(**change)

    @contextmanager
    def uncounting(self, answers: QuerySet) -> Iterator[None]:
        """Around the deletion of answers that are not folded into AnswerAggregate (an attempt
        deleted with its answers, when a learner's data is erased; the admin): their counts
        are read before, and taken away after, so the item rows are locked last, in item
        order, as Attempt.record locks them (after the answer groups): a deletion and a new
        answer never wait on each other in a circle."""
        per_item = list(
            answers.order_by("item_id")
            .values("item_id")
            .annotate(n=Count("*"), right=Count("is_correct", filter=Q(is_correct=True)))
        )
        with transaction.atomic():
            yield
            for row in per_item:
                self.filter(item_id=row["item_id"]).update(
                    answers=F("answers") - row["n"], right=F("right") - row["right"]
                )

    def recount(self) -> int:
        """Every item's count worked out again from its stored answers and its AnswerAggregate
        rows (what migration 0007 did once): for answers written around Attempt.record (bulk
        loads, benchmarks), or to check the counters. Returns how many items have a count."""
        # By name: quiz.models.attempts imports this module, never the other way round.
        answer_model = apps.get_model("quiz", "Answer")
        totals: dict[int, list[int]] = {}
        stored = (
            answer_model.objects.order_by()
            .values("item_id")
            .annotate(n=Count("*"), right=Count("is_correct", filter=Q(is_correct=True)))
        )
        folded = (
            AnswerAggregate.objects.order_by()
            .values("item_id")
            .annotate(n=Sum("answers"), right=Sum("right"))
        )
        for row in [*stored, *folded]:
            counts = totals.setdefault(row["item_id"], [0, 0])
            counts[0] += row["n"]
            counts[1] += row["right"]
        with transaction.atomic():
            self.all().delete()
            self.bulk_create(
                [
                    CrowdCount(item_id=item, answers=n, right=right)
                    for item, (n, right) in totals.items()
                ],
                batch_size=1000,
            )
        return len(totals)

    def totals(self, item_ids) -> tuple[int, int]:
        """Answers and right answers to these items, pooled: one indexed read of one row per
        item, however many answers there are."""
        counts = self.filter(item_id__in=item_ids).aggregate(n=Sum("answers"), right=Sum("right"))
        return counts["n"] or 0, counts["right"] or 0


class CrowdCount(models.Model):
    """Every answer to one item that counts in its crowd figure ("61 % of 2,304 answers were
    right"): the stored answers plus those the retention purge folded into AnswerAggregate
    (the purge leaves this row alone). Kept as answers arrive (`count_answer`) and as attempts
    are deleted (`uncounting`, from quiz.signals), so the reveal, the results page and the progress
    page read one row per item instead of counting the answer table; migration 0007 filled it
    from the answers and aggregates there were."""

    item = models.OneToOneField(
        "quiz.Item", on_delete=models.CASCADE, primary_key=True, related_name="crowd_count"
    )
    answers = models.PositiveIntegerField(default=0)
    right = models.PositiveIntegerField(default=0)

    objects = CrowdCountQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.item_id}: {self.right}/{self.answers}"
