"""A pre-test/post-test pair (and optional delayed retest) for one class: separate item pools
of matched difficulty, dealt by lessons/pools.py, each frozen into its own fixed quiz and set
as an assignment; its learning gain is worked out in lessons/models/gradebook.py."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Sum
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from lessons.models.assignments import Assignment, AssignmentRole
from lessons.models.gradebook import LearningGain
from lessons.pools import (
    LABEL_DIFFICULTY,
    MIN_PER_POOL,
    Candidate,
    Capacity,
    NotEnoughItems,
    capacity,
    deal,
)
from media_library.models import Clip, TellCategory
from quiz.measures import MIN_ITEM_ANSWERS, Rate
from quiz.models import AnswerAggregate, CrowdCount, Item, ItemKind, Mode, Order, Quiz, Selection

RETEST_OPEN_DAYS = 7


@dataclass(frozen=True)
class Schedule:
    pre_due: datetime
    post_opens: datetime
    post_due: datetime
    retest_after_days: int | None = None


class PrePost(models.Model):
    classroom = models.ForeignKey(
        "lessons.Classroom", on_delete=models.CASCADE, related_name="preposts"
    )
    title = models.CharField(_("title"), max_length=160)
    items_per_test = models.PositiveSmallIntegerField(
        _("items per test"), default=10, validators=[MinValueValidator(2), MaxValueValidator(40)]
    )
    item_kind = models.CharField(
        _("item type"), max_length=20, choices=ItemKind, default=ItemKind.VERDICT
    )
    tell_category = models.CharField(
        _("only items with this tell"), max_length=20, choices=TellCategory, blank=True
    )
    retest_after_days = models.PositiveSmallIntegerField(
        _("delayed retest, days after the post-test is due"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pre-test and post-test")

    def __str__(self) -> str:
        return self.title

    def candidates(self) -> list[Candidate]:
        # A pre/post test measures learning: only clips whose truth no lesson has shown.
        items = list(
            Item.objects.available()
            .unexposed()
            .matching(kind=self.item_kind, tell_category=self.tell_category)
            .only("pk", "clip_id", "other_clip_id", "difficulty")
        )
        # Each item's stored answers and right ones, from the counters kept as answers arrive
        # (CrowdCount, which also holds the answers the retention purge folded, less those
        # months in AnswerAggregate): one row per item, however many answers there are, and
        # the same p as quiz.item_stats over the stored answers.
        pks = [item.pk for item in items]
        measured = {
            item_id: [n, right]
            for item_id, n, right in CrowdCount.objects.filter(item_id__in=pks).values_list(
                "item_id", "answers", "right"
            )
        }
        folded = (
            AnswerAggregate.objects.filter(item_id__in=pks)
            .values("item_id")
            .annotate(n=Sum("answers"), right=Sum("right"))
            .order_by()
        )
        for row in folded:
            counts = measured.get(row["item_id"])
            if counts is not None:
                counts[0] -= row["n"]
                counts[1] -= row["right"]
        measured = {item_id: Rate(right, n) for item_id, (n, right) in measured.items()}
        result = []
        for item in items:
            rate = measured.get(item.pk)
            if rate is not None and rate.n >= MIN_ITEM_ANSWERS:
                difficulty = rate.value
            else:
                difficulty = LABEL_DIFFICULTY.get(item.difficulty, LABEL_DIFFICULTY["medium"])
            clips = (
                (item.clip_id,)
                if item.other_clip_id is None
                else (
                    item.clip_id,
                    item.other_clip_id,
                )
            )
            result.append(Candidate(item.pk, clips, difficulty))
        return result

    @staticmethod
    def originals(candidates: list[Candidate]) -> dict[int, int | None]:
        clip_ids = {clip for candidate in candidates for clip in candidate.clip_ids}
        return dict(Clip.objects.filter(pk__in=clip_ids).values_list("pk", "original_id"))

    def capacity(self, *, retest: bool) -> Capacity:
        """How many items each test can hold with this kind and tell, before anything is made."""
        candidates = self.candidates()
        return capacity(candidates, self.originals(candidates), pools=3 if retest else 2)

    def capacities(self) -> tuple[Capacity, Capacity]:
        """Items each test can hold without and with a delayed retest, shown on the form."""
        candidates = self.candidates()
        originals = self.originals(candidates)
        return capacity(candidates, originals, pools=2), capacity(candidates, originals, pools=3)

    def shortfall(self, found: Capacity) -> str | None:
        """What a teacher can do when the pool cannot give each test the items asked for."""
        asked = self.items_per_test
        if found.holds(asked):
            return None
        numbers = {
            "families": found.families,
            "tests": found.tests,
            "fit": found.per_test,
            "asked": asked,
            "more": found.missing_for(asked),
            "least": MIN_PER_POOL,
        }
        if found.per_test >= MIN_PER_POOL:
            message = gettext(
                "The pool holds %(families)d independent items (no two share a clip or its "
                "original), so each of %(tests)d tests can have %(fit)d; add %(more)d more items "
                "on clips of different originals for %(asked)d each, or ask for %(fit)d."
            )
        else:
            numbers["more_least"] = found.missing_for(MIN_PER_POOL)
            message = gettext(
                "The pool holds %(families)d independent items (no two share a clip or its "
                "original), too few for %(tests)d tests of at least %(least)d items each; add "
                "%(more)d more items on clips of different originals for %(asked)d each "
                "(%(more_least)d for %(least)d each)."
            )
        if found.tests == 3 and Capacity(found.families, 2).holds(asked):
            message += " " + gettext(
                "Without the delayed retest, the pre-test and post-test can have %(asked)d each."
            )
        numbers["exposed"] = self.exposed_count()
        if numbers["exposed"]:
            message += " " + ngettext(
                "%(exposed)d more matching item is left out: lessons show its clip's truth.",
                "%(exposed)d more matching items are left out: lessons show their clips' truth.",
                numbers["exposed"],
            )
        return message % numbers

    def exposed_count(self) -> int:
        """Matching items a test may not use because lessons show their clips' truth."""
        exposed = Item.objects.available().exposed()
        return exposed.matching(kind=self.item_kind, tell_category=self.tell_category).count()

    def build(self, schedule: Schedule, rng: random.Random | None = None) -> None:
        """Deal the pools and make one unlisted assessment quiz and one assignment per test."""
        rng = rng or random.SystemRandom()
        candidates = self.candidates()
        originals = self.originals(candidates)
        tests = [
            (AssignmentRole.PRE_TEST, gettext("pre-test"), None, schedule.pre_due),
            (
                AssignmentRole.POST_TEST,
                gettext("post-test"),
                schedule.post_opens,
                schedule.post_due,
            ),
        ]
        if schedule.retest_after_days:
            opens = schedule.post_due + timedelta(days=schedule.retest_after_days)
            tests.append(
                (
                    AssignmentRole.RETEST,
                    gettext("delayed retest"),
                    opens,
                    opens + timedelta(days=RETEST_OPEN_DAYS),
                )
            )
        try:
            pools = deal(
                candidates, originals, pools=len(tests), per_pool=self.items_per_test, rng=rng
            )
        except NotEnoughItems:
            # The form checked first; this is items unpublished since, so say the same thing.
            found = capacity(candidates, originals, pools=len(tests))
            raise ValidationError(self.shortfall(found) or "") from None
        by_pk = Item.objects.in_bulk([c.item_id for pool in pools for c in pool])
        with transaction.atomic():
            for (role, label, opens, due), pool in zip(tests, pools, strict=True):
                title = f"{self.title} · {label}"
                # Unlisted (not published): students reach it only through the assignment.
                quiz = Quiz.objects.create(
                    title=title,
                    mode=Mode.ASSESSMENT,
                    selection=Selection.FIXED,
                    order=Order.SHUFFLED,
                    is_published=False,
                    created_by=self.created_by,
                    description=gettext("Made for a class's pre-test and post-test."),
                )
                for candidate in pool:
                    quiz.add_item(by_pk[candidate.item_id])
                Assignment.objects.create(
                    classroom=self.classroom,
                    title=title,
                    quiz=quiz,
                    role=role,
                    prepost=self,
                    opens_at=opens,
                    due_at=due,
                    created_by=self.created_by,
                )

    def assignment(self, role: str) -> Assignment | None:
        return self.assignments.filter(role=role).select_related("quiz").first()

    def learning_gain(self) -> LearningGain:
        return LearningGain.of(self)
