"""How learners answered each item: quiz.measures' item statistics over the stored answers, and
the rows of the builder's statistics tables (an item, its figures, whether learners can get it).
Read by the quiz builder's pages and by pre/post tests, which match items on measured difficulty."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from quiz.measures import (
    MIN_ITEM_ANSWERS,
    AnswerGroup,
    ItemFlag,
    ItemStats,
    item_statistics_of_groups,
)
from quiz.models import Answer, AnswerGroupCount, Difficulty, Item, Quiz

# Teaching cut-offs on the share of answers right (the difficulty index p), to put the measured
# difficulty in the same words as the one the builder chose. 1/3 is what guessing gets on a
# real / deepfake / shallowfake question, so "hard" sits just above it.
EASY_FROM = 0.8
HARD_BELOW = 0.4


def counted_item_stats(quiz: Quiz | None = None, item_ids=None) -> dict[int, ItemStats]:
    """quiz.measures.item_statistics over every stored answer given in the quiz's attempts
    (or, without a quiz, in any attempt), read from the groups kept as answers arrive
    (AnswerGroupCount): a few rows per item, however many answers there are. The builder's
    item bank and a quiz's statistics page. With `item_ids`, those items only; their answers,
    right answers and mean confidence are those of item_stats(answers to those items), their
    discrimination is against the whole attempt's rest score (item_stats counts only the
    answers it is given)."""
    groups = AnswerGroupCount.objects.groups(quiz and quiz.pk, item_ids=item_ids)
    return item_statistics_of_groups(groups)


def item_stats(answers: QuerySet[Answer]) -> dict[int, ItemStats]:
    """quiz.measures.item_statistics over any set of stored answers, grouped by the database:
    one row per item, attempt size, attempt score and correctness (`answer_groups`), never
    one per answer. The rest score counts only the answers in the set, as item_statistics
    does over the records it is given."""
    return item_statistics_of_groups(answer_groups(answers))


# Each answer with its attempt's totals over the same answers (the rest score counts only the
# answers in the set, as item_statistics did over the records it was given), grouped. A
# derived table of per-attempt totals joined back, rather than a window function: PostgreSQL
# and SQLite both hash it, with no sort of every answer by attempt.
GROUPS_SQL = """
    SELECT answer.item_id, attempt.n, attempt.r, answer.is_correct,
           COUNT(*), COUNT(answer.confidence), COALESCE(SUM(answer.confidence), 0)
    FROM ({answers}) answer
    JOIN (
        SELECT attempt_id, COUNT(*) AS n, SUM(CASE WHEN is_correct THEN 1 ELSE 0 END) AS r
        FROM ({answers}) per_attempt GROUP BY attempt_id
    ) attempt ON attempt.attempt_id = answer.attempt_id
    GROUP BY answer.item_id, attempt.n, attempt.r, answer.is_correct
"""


def answer_groups(answers: QuerySet[Answer]) -> list[AnswerGroup]:
    columns = answers.order_by().values("attempt_id", "item_id", "is_correct", "confidence")
    try:
        sql, params = columns.query.get_compiler(using=answers.db).as_sql()
    except EmptyResultSet:  # a filter that matches nothing (item__in=[]), said before any SQL
        return []
    with connections[answers.db].cursor() as cursor:
        cursor.execute(GROUPS_SQL.format(answers=sql), [*params, *params])
        return [
            AnswerGroup(item, n, right, bool(correct), count, confident, int(confidence_sum))
            for item, n, right, correct, count, confident, confidence_sum in cursor.fetchall()
        ]


@dataclass(frozen=True)
class ItemRow:
    """One line of a statistics table: the item, how it was answered, whether learners can
    be given it."""

    item: Item
    stats: ItemStats | None
    available: bool

    @property
    def answers(self) -> int:
        return self.stats.answers if self.stats else 0

    @property
    def has_enough_answers(self) -> bool:
        return self.answers >= MIN_ITEM_ANSWERS

    @property
    def percent_right(self) -> int | None:
        return self.stats.accuracy.percent if self.stats else None

    @property
    def mean_confidence(self) -> float | None:
        return self.stats.mean_confidence if self.stats else None

    @property
    def discrimination(self) -> float | None:
        return self.stats.discrimination if self.stats else None

    @property
    def flags(self) -> tuple[ItemFlag, ...]:
        return self.stats.flags if self.stats else ()

    @property
    def measured_difficulty(self):
        p = self.stats.p if self.stats else None
        if p is None:
            return ""
        if p >= EASY_FROM:
            return Difficulty.EASY.label
        if p < HARD_BELOW:
            return Difficulty.HARD.label
        return Difficulty.MEDIUM.label


def item_rows(items: Iterable[Item], stats: Mapping[int, ItemStats]) -> list[ItemRow]:
    items = list(items)
    available = set(
        Item.objects.available()
        .filter(pk__in=[item.pk for item in items])
        .values_list("pk", flat=True)
    )
    return [ItemRow(item, stats.get(item.pk), item.pk in available) for item in items]
