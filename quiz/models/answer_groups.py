"""Item statistics kept as answers arrive, for the builder's item bank and a quiz's statistics.

Everything quiz.measures.item_statistics says of an item (answers, right, mean confidence,
discrimination against the rest score) depends on each answer only through its correctness, its
confidence and its attempt's totals (how many answers the attempt holds, how many right): the
`AnswerGroup`s of quiz.measures. `AnswerGroupCount` keeps one row per quiz, item, attempt totals
and correctness, so those pages read a few rows per item instead of every answer, and get the
very figures the answers give.

An answer moves the attempt's other answers to new totals, so storing it rewrites the attempt's
rows: the attempt's answers are read (the attempt row locked first, so two answers of one
attempt never both miss each other) and the difference is written in one upsert whose rows are
in key order (concurrent answers lock shared rows in the same order: no deadlock). Deleting
answers through a queryset regroups their attempts the same way (`regrouping`), and a deleted
attempt takes its answers' rows away (quiz.signals).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db import connection, connections, models, transaction
from django.db.models import Sum

from quiz.measures import AnswerGroup

# (quiz, item, attempt answers, attempt right, correct) → [answers, confident answers,
# confidence sum]. An answer row, as read: (attempt, quiz, item, correct, confidence).
Key = tuple[int, int, int, int, bool]
Contributions = dict[Key, list[int]]
UPSERT_ROWS = 500


def contributions(answers: Iterable[tuple[int, int, int, bool, int | None]]) -> Contributions:
    """What these answers (whole attempts of them) add to the groups."""
    by_attempt: dict[int, list[tuple]] = defaultdict(list)
    for row in answers:
        by_attempt[row[0]].append(row)
    groups: Contributions = defaultdict(lambda: [0, 0, 0])
    for rows in by_attempt.values():
        right = sum(bool(row[3]) for row in rows)
        for _attempt, quiz, item, correct, confidence in rows:
            counts = groups[quiz, item, len(rows), right, bool(correct)]
            counts[0] += 1
            if confidence is not None:
                counts[1] += 1
                counts[2] += confidence
    return groups


def upsert_sql(rows: int) -> str:
    quote = connection.ops.quote_name
    table = quote(AnswerGroupCount._meta.db_table)
    keys = ["quiz_id", "item_id", "attempt_answers", "attempt_right", "correct"]
    counts = ["answers", "confident_answers", "confidence_sum"]
    values = ", ".join(["(" + ", ".join(["%s"] * 8) + ")"] * rows)
    added = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in counts)
    return (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in keys + counts)}) VALUES {values} "  # noqa: S608 (names from the model, values are parameters)
        f"ON CONFLICT ({', '.join(quote(c) for c in keys)}) DO UPDATE SET {added}"
    )


class AnswerGroupCountQuerySet(models.QuerySet["AnswerGroupCount"]):
    def stored(self, attempt_ids: Iterable[int]) -> Contributions:
        """What the attempts' stored answers add to the groups now."""
        answers = apps.get_model("quiz", "Answer").objects.filter(attempt_id__in=attempt_ids)
        return contributions(
            answers.order_by().values_list(
                "attempt_id", "attempt__quiz_id", "item_id", "is_correct", "confidence"
            )
        )

    def change(self, before: Contributions, after: Contributions) -> None:
        """Move the groups from what `before` added to what `after` adds: one upsert per
        UPSERT_ROWS changed rows, in key order."""
        deltas = []
        for key in sorted(before.keys() | after.keys()):
            old, new = before.get(key, (0, 0, 0)), after.get(key, (0, 0, 0))
            delta = [n - o for n, o in zip(new, old, strict=True)]
            if any(delta):
                deltas.append([*key, *delta])
        with connections[self.db].cursor() as cursor:
            for start in range(0, len(deltas), UPSERT_ROWS):
                chunk = deltas[start : start + UPSERT_ROWS]
                cursor.execute(upsert_sql(len(chunk)), [value for row in chunk for value in row])

    @contextmanager
    def regrouping(self, attempt_ids: Iterable[int]) -> Iterator[None]:
        """Around a change to these attempts' answers (a queryset delete), in one transaction:
        the groups follow what the answers become."""
        attempt_ids = sorted(attempt_ids)
        with transaction.atomic():
            # Locked first, in order, as Attempt.record locks its attempt: an answer arriving
            # in one of them meanwhile is in both readings or in neither.
            attempts = apps.get_model("quiz", "Attempt").objects.select_for_update()
            list(attempts.filter(pk__in=attempt_ids).order_by("pk").values_list("pk"))
            before = self.stored(attempt_ids)
            yield
            self.change(before, self.stored(attempt_ids))

    def recount(self) -> int:
        """Every group worked out again from the stored answers (what migration 0007 did once):
        for answers written around Attempt.record (bulk loads, benchmarks). Returns how many
        groups there are."""
        answer_model = apps.get_model("quiz", "Answer")
        rows = answer_model.objects.order_by("attempt_id").values_list(
            "attempt_id", "attempt__quiz_id", "item_id", "is_correct", "confidence"
        )
        with transaction.atomic():
            self.all().delete()
            self.change({}, contributions(rows.iterator(chunk_size=10000)))
        return self.count()

    def groups(self, quiz_id: int | None = None, item_ids=None) -> list[AnswerGroup]:
        """The answer groups of one quiz's attempts, or (None) of every attempt, pooled over
        quizzes, of every item or of `item_ids`: what quiz.measures.item_statistics_of_groups
        reads."""
        rows = self.filter(answers__gt=0)
        if quiz_id is not None:
            rows = rows.filter(quiz_id=quiz_id)
        if item_ids is not None:
            rows = rows.filter(item_id__in=item_ids)
        totals = (
            rows.order_by()
            .values_list("item_id", "attempt_answers", "attempt_right", "correct")
            .annotate(
                n=Sum("answers"),
                confident=Sum("confident_answers"),
                confidence=Sum("confidence_sum"),
            )
        )
        return [
            AnswerGroup(item, size, right, correct, n, confident, confidence)
            for item, size, right, correct, n, confident, confidence in totals
        ]


class AnswerGroupCount(models.Model):
    """How many answers to `item`, given in attempts at `quiz` that hold `attempt_answers`
    answers of which `attempt_right` are right, were right (`correct`) or wrong, with their
    confidences. Counts are plain integers: a count that went wrong must show (recount mends
    it), not refuse the next learner's answer."""

    quiz = models.ForeignKey("quiz.Quiz", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("quiz.Item", on_delete=models.CASCADE, related_name="+")
    attempt_answers = models.PositiveSmallIntegerField()
    attempt_right = models.PositiveSmallIntegerField()
    correct = models.BooleanField()
    answers = models.IntegerField(default=0)
    confident_answers = models.IntegerField(default=0)
    confidence_sum = models.BigIntegerField(default=0)

    objects = AnswerGroupCountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "item", "attempt_answers", "attempt_right", "correct"],
                name="quiz_answer_group_once",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.quiz_id}/{self.item_id} ({self.attempt_right}/{self.attempt_answers}, "
            f"{'right' if self.correct else 'wrong'}): {self.answers}"
        )
