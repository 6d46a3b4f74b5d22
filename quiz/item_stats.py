"""How learners answered each item: quiz.measures' item statistics over the stored answers, and
the rows of the builder's statistics tables (an item, its figures, whether learners can get it).
Read by the quiz builder's pages and by pre/post tests, which match items on measured difficulty."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from quiz.measures import MIN_ITEM_ANSWERS, AnswerRecord, ItemFlag, ItemStats, item_statistics
from quiz.models import Answer, Difficulty, Item

# Teaching cut-offs on the share of answers right (the difficulty index p), to put the measured
# difficulty in the same words as the one the builder chose. 1/3 is what guessing gets on a
# real / deepfake / shallowfake question, so "hard" sits just above it.
EASY_FROM = 0.8
HARD_BELOW = 0.4


def item_stats(answers: QuerySet[Answer]) -> dict[int, ItemStats]:
    """quiz.measures.item_statistics over stored answers, reading only the columns it needs
    (every answer of a bank can be many rows)."""
    rows = answers.order_by().values_list(
        "attempt_id", "item_id", "item__kind", "is_correct", "confidence"
    )
    return item_statistics(
        [
            AnswerRecord(attempt_id=a, item_id=i, kind=k, correct=c, confidence=conf)
            for a, i, k, c, conf in rows
        ]
    )


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
