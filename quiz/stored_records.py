"""Stored answers as quiz.measures.AnswerRecord, read as plain rows.

quiz.results.records() builds the same records from Answer instances loaded with their items,
clips, analyses and tells: right for one attempt, but at a class's 30 000 answers building those
instances cost about a quarter of a millisecond each. Here the answers are read as one row of
six columns each, and what an answer borrows from its item (kind, the clip's verdict, the tell
categories) is read once per item, so the cost is one small tuple per answer and the number of
queries stays three however many answers there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from media_library.models import Tell
from quiz.measures import AnswerRecord
from quiz.models import Answer, Item, ItemKind

ANSWER_COLUMNS = ("attempt_id", "item_id", "is_correct", "confidence", "verdict", "seconds_taken")


class ItemFacts:
    """What a record takes from its item, as in quiz.results.records()."""

    __slots__ = ("kind", "tell_categories", "truth")

    def __init__(self, kind: str, truth: str, tell_categories: tuple[str, ...]) -> None:
        self.kind = kind
        self.truth = truth
        self.tell_categories = tell_categories


def item_facts(item_ids: Iterable[int]) -> dict[int, ItemFacts]:
    """Each item's kind, its clip's verdict (verdict items only) and the sorted tell categories
    marked on its clip(s): two queries, one row per item and one per tell."""
    rows = list(
        Item.objects.filter(pk__in=set(item_ids)).values_list(
            "pk", "kind", "clip_id", "other_clip_id", "clip__verdict"
        )
    )
    clips = {clip for row in rows for clip in row[2:4] if clip is not None}
    categories: dict[int, set[str]] = defaultdict(set)
    for clip_id, category in (
        Tell.objects.filter(clip_id__in=clips).order_by().values_list("clip_id", "category")
    ):
        categories[clip_id].add(category)
    return {
        pk: ItemFacts(
            kind,
            verdict if kind == ItemKind.VERDICT else "",
            tuple(sorted(categories[clip_id] | categories.get(other_id, set()))),
        )
        for pk, kind, clip_id, other_id, verdict in rows
    }


def keyed_records(answers: QuerySet[Answer], key: str) -> list[tuple[object, AnswerRecord]]:
    """(the value of `key` on the answer, e.g. "attempt__user_id", its record) for each answer,
    in no particular order (every measure in quiz.measures is order-free)."""
    rows = list(answers.order_by().values_list(*ANSWER_COLUMNS, key))
    facts = item_facts({row[1] for row in rows})
    result = []
    for attempt_id, item_id, correct, confidence, said, seconds, value in rows:
        item = facts[item_id]
        result.append(
            (
                value,
                AnswerRecord(
                    attempt_id=attempt_id,
                    item_id=item_id,
                    kind=item.kind,
                    correct=correct,
                    confidence=confidence,
                    truth=item.truth,
                    said=said,
                    tell_categories=item.tell_categories,
                    seconds=seconds,
                ),
            )
        )
    return result
