"""What a learner should practise next, and their spaced review queue.

Advice: from a learner's accuracy per tell category (quiz.measures.summarise, plus the counts
kept for answers the retention purge deleted), the weakest tells with at least
MIN_TELL_ANSWERS answers and under GOOD_ENOUGH accuracy, worst first, each with the lesson that
teaches it and that lesson's practice quiz.

Review: ReviewSchedule (lessons/models/review.py) says which tells are due; the queue draws
items showing those tells, leaving out items the learner answered in the last day whenever
others exist.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from lessons.models import Lesson, ReviewSchedule
from media_library.models import TellCategory
from quiz.measures import Rate
from quiz.models import Answer, Attempt, Item, Mode, Quiz, Selection, TellTally

# Below this many answers one answer moves a tell's accuracy by more than 20 points: too few
# to tell a learner they "miss" it.
MIN_TELL_ANSWERS = 5
GOOD_ENOUGH = 0.8
ADVICE_LIMIT = 3
REVIEW_SIZE = 8
RECENT = timedelta(days=1)
REVIEW_QUIZ_SLUG = "spaced-review"


@dataclass(frozen=True)
class Advice:
    category: str
    label: str
    rate: Rate
    lesson: Lesson | None
    practice: Quiz | None

    @property
    def text(self) -> str:
        return _("You miss %(tell)s tells: %(k)d of %(n)d right.") % {
            "tell": self.label.lower(),
            "k": self.rate.k,
            "n": self.rate.n,
        }


def with_tallies(per_tell: Mapping[str, Rate], student) -> dict[str, Rate]:
    """per_tell plus the counts kept for this student's purged answers."""
    merged = dict(per_tell)
    for tally in TellTally.objects.filter(student=student):
        before = merged.get(tally.tell_category, Rate(0, 0))
        merged[tally.tell_category] = Rate(before.k + tally.right, before.n + tally.answers)
    return merged


def weakest_tells(per_tell: Mapping[str, Rate]) -> list[tuple[str, Rate]]:
    """Tells with enough answers and under GOOD_ENOUGH, lowest accuracy first (more answers
    first on a tie: the surer weakness), at most ADVICE_LIMIT."""
    weak = [
        (category, rate)
        for category, rate in per_tell.items()
        if rate.n >= MIN_TELL_ANSWERS and rate.value < GOOD_ENOUGH
    ]
    weak.sort(key=lambda pair: (pair[1].value, -pair[1].n, pair[0]))
    return weak[:ADVICE_LIMIT]


def practice_advice(per_tell: Mapping[str, Rate]) -> list[Advice]:
    labels = dict(TellCategory.choices)
    advice = []
    for category, rate in weakest_tells(per_tell):
        lesson = Lesson.objects.for_tell(category)
        practice = None
        if lesson is not None and lesson.practice_pool().exists():
            practice = lesson.practice_quiz()
        label = str(labels.get(category, category))
        advice.append(Advice(category, label, rate, lesson, practice))
    return advice


def review_quiz() -> Quiz:
    """The one quiz every review attempt hangs on. Unpublished: it is reached only through
    the review queue, which picks each attempt's items itself."""
    # Its title in every language, not only the one of the learner who happened to make it.
    titles = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            titles[build_localized_fieldname("title", code)] = _("Spaced review")
    quiz, _created = Quiz.objects.get_or_create(
        slug=REVIEW_QUIZ_SLUG,
        defaults={
            **titles,
            "mode": Mode.PRACTICE,
            "selection": Selection.FIXED,
            "is_published": False,
        },
    )
    return quiz


@dataclass(frozen=True)
class ReviewQueue:
    student: object
    due: list[ReviewSchedule]
    next_due_at: datetime | None

    @classmethod
    def of(cls, student, now: datetime | None = None) -> ReviewQueue:
        now = now or timezone.now()
        schedules = ReviewSchedule.objects.filter(student=student)
        due = list(schedules.due(now))
        later = schedules.filter(due_at__gt=now).order_by("due_at").first()
        return cls(student, due, later.due_at if later else None)

    @property
    def categories(self) -> list[str]:
        return [schedule.tell_category for schedule in self.due]

    @property
    def labels(self) -> list[str]:
        labels = dict(TellCategory.choices)
        return [str(labels.get(category, category)) for category in self.categories]

    def candidates(self, now: datetime | None = None) -> list[Item]:
        """Available items showing a due tell; those answered in the last day only if there
        is nothing else."""
        if not self.due:
            return []
        items = list(
            Item.objects.available()
            .filter(
                Q(clip__tells__category__in=self.categories)
                | Q(other_clip__tells__category__in=self.categories)
            )
            .distinct()
        )
        recent = set(
            Answer.objects.filter(
                attempt__user=self.student, created_at__gte=(now or timezone.now()) - RECENT
            ).values_list("item_id", flat=True)
        )
        fresh = [item for item in items if item.pk not in recent]
        return fresh or items

    def start(self, request: HttpRequest, rng: random.Random | None = None) -> Attempt:
        rng = rng or random.SystemRandom()
        items = self.candidates()
        chosen = rng.sample(items, min(REVIEW_SIZE, len(items)))
        return Attempt.objects.start_with_items(review_quiz(), chosen, request, rng)
