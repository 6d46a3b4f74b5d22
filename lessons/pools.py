"""Dealing disjoint item pools of matched difficulty for a pre-test, a post-test and an optional
delayed retest.

Items are grouped into families that must never be split between pools: two items belong
together when they share a clip, or a clip and the original it was made from (a learner who met
the real clip in the pre-test must not meet its fake in the post-test). One item is taken per
family, the picks are sorted by difficulty (the share of answers right) and dealt like cards in
a snake order (A B C C B A A B C …), so each pool gets an easy, a middling and a hard item in
turn and the pools' mean difficulties stay within a card of each other.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

# Builders' difficulty labels as a share right, for items with too few answers to measure: the
# middle of the bands quiz.item_stats uses to name measured difficulty (hard < 0.4 <= medium
# < 0.8 <= easy). Items left at the default label count as medium.
LABEL_DIFFICULTY = {"easy": 0.9, "medium": 0.6, "hard": 0.3}
MIN_PER_POOL = 2


@dataclass(frozen=True)
class Candidate:
    item_id: int
    clip_ids: tuple[int, ...]
    difficulty: float  # share of answers right: 1.0 is easiest


class NotEnoughItems(ValueError):
    pass


@dataclass(frozen=True)
class Capacity:
    """How many items each of `tests` pools can hold: one item per family, dealt evenly."""

    families: int
    tests: int

    @property
    def per_test(self) -> int:
        return self.families // self.tests

    def holds(self, per_test: int) -> bool:
        return MIN_PER_POOL <= per_test <= self.per_test

    def missing_for(self, per_test: int) -> int:
        """Families to add before every test can have `per_test` items."""
        return max(0, per_test * self.tests - self.families)


def capacity(
    candidates: Iterable[Candidate], originals: Mapping[int, int | None], *, pools: int
) -> Capacity:
    return Capacity(len(families(candidates, originals)), pools)


def families(candidates: Iterable[Candidate], originals: Mapping[int, int | None]):
    """Candidates grouped so that no clip, nor a clip and its original, spans two groups."""
    parent: dict[int, int] = {}

    def find(clip: int) -> int:
        parent.setdefault(clip, clip)
        while parent[clip] != clip:
            parent[clip] = parent[parent[clip]]
            clip = parent[clip]
        return clip

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    candidates = list(candidates)
    for candidate in candidates:
        first = candidate.clip_ids[0]
        for clip in candidate.clip_ids:
            union(first, clip)
            if originals.get(clip):
                union(clip, originals[clip])
    grouped: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        grouped[find(candidate.clip_ids[0])].append(candidate)
    return list(grouped.values())


def deal(
    candidates: Iterable[Candidate],
    originals: Mapping[int, int | None],
    *,
    pools: int,
    per_pool: int,
    rng: random.Random,
) -> list[list[Candidate]]:
    picks = [rng.choice(family) for family in families(candidates, originals)]
    # Never fewer than asked: a test quietly smaller than the teacher chose would be measured
    # as if it were the test they set (callers check capacity() first and say what to add).
    if not Capacity(len(picks), pools).holds(per_pool):
        raise NotEnoughItems(len(picks))
    picks = rng.sample(picks, per_pool * pools)
    # Shuffled then stably sorted: items of equal difficulty land in a random pool.
    rng.shuffle(picks)
    picks.sort(key=lambda candidate: candidate.difficulty)
    dealt: list[list[Candidate]] = [[] for _pool in range(pools)]
    for index, candidate in enumerate(picks):
        turn, seat = divmod(index, pools)
        dealt[seat if turn % 2 == 0 else pools - 1 - seat].append(candidate)
    return dealt


def mean_difficulty(pool: Sequence[Candidate]) -> float:
    return fmean(candidate.difficulty for candidate in pool)
