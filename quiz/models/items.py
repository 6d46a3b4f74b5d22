"""Quiz items: one question about a clip (or about a pair of clips)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from media_library.models import Clip, MediaKind, Technique
from quiz.measures import MIN_ITEM_ANSWERS
from quiz.models.aggregates import CrowdCount
from quiz.models.choices import Difficulty, ItemKind, SaidVerdict, SpotTarget
from quiz.scoring import Box, MarkedTell, score_spot

if TYPE_CHECKING:
    from quiz.models.attempts import Answer


class ItemQuerySet(models.QuerySet["Item"]):
    def showing(self, clip: Clip) -> ItemQuerySet:
        """Items that show the clip, alone or as either side of a pair."""
        return self.filter(Q(clip=clip) | Q(other_clip=clip))

    def available(self) -> ItemQuerySet:
        """Items a learner may be given: every clip they show is published and has its
        blind quiz rendition."""
        quizzable = Clip.objects.quizzable()
        return self.filter(clip__in=quizzable).filter(
            Q(other_clip__isnull=True) | Q(other_clip__in=quizzable)
        )

    def unexposed(self) -> ItemQuerySet:
        """Items whose clips' truth nobody can have seen without answering (see
        ClipQuerySet.unexposed): the only items an assessment, a pre/post test or a campaign
        deals, because a learner who can look the answer up is measured on nothing."""
        secret = Clip.objects.unexposed()
        return self.filter(clip__in=secret).filter(
            Q(other_clip__isnull=True) | Q(other_clip__in=secret)
        )

    def exposed(self) -> ItemQuerySet:
        """The rest: items a test leaves out because a clip of theirs is exposed."""
        return self.exclude(pk__in=Item.objects.unexposed().values("pk"))

    def matching(
        self,
        *,
        kind: str = "",
        verdict: str = "",
        technique: str = "",
        tell_category: str = "",
        difficulty: str = "",
    ) -> ItemQuerySet:
        items = self
        if kind:
            items = items.filter(kind=kind)
        if verdict:
            items = items.filter(clip__verdict=verdict)
        if technique:
            items = items.filter(clip__technique=technique)
        if tell_category:
            items = items.filter(clip__tells__category=tell_category)
        if difficulty:
            items = items.filter(difficulty=difficulty)
        return items.distinct()


@dataclass(frozen=True)
class Crowd:
    answers: int
    right: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.right / self.answers) if self.answers else None

    @property
    def says_how_hard(self) -> bool:
        """Whether there are enough answers to call the item hard or easy (the item
        statistics' minimum): below it, a message about difficulty would be a guess."""
        return self.answers >= MIN_ITEM_ANSWERS

    @property
    def most_missed(self) -> bool:
        return self.says_how_hard and 2 * self.right < self.answers

    @property
    def most_right(self) -> bool:
        return self.says_how_hard and 2 * self.right > self.answers


@dataclass(frozen=True)
class Judgement:
    """A scored answer before it is stored."""

    correct: bool
    score: float


class Item(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("type"), max_length=20, choices=ItemKind)
    # CASCADE: deleting a clip takes the items no learner was given. An item that was dealt
    # or answered cannot go (AttemptItem.item and Answer.item are PROTECT), so neither can
    # its clip: the delete is refused as a whole.
    clip = models.ForeignKey(
        Clip, on_delete=models.CASCADE, related_name="quiz_items", verbose_name=_("clip")
    )
    # Pair items only: the second clip. One of the two is manipulated; typically an original
    # and a fake made from it.
    other_clip = models.ForeignKey(
        Clip,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("second clip (pair items)"),
    )
    spot_target = models.CharField(
        _("what to spot"), max_length=10, choices=SpotTarget, default=SpotTarget.REGION
    )
    difficulty = models.CharField(
        _("difficulty"), max_length=10, choices=Difficulty, default=Difficulty.MEDIUM
    )
    prompt = models.CharField(
        _("question"),
        max_length=300,
        blank=True,
        help_text=_("Leave empty for the standard question of the item type."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ItemKind.PAIR, other_clip__isnull=False)
                | (~Q(kind=ItemKind.PAIR) & Q(other_clip__isnull=True)),
                name="quiz_item_pair_has_two_clips",
                violation_error_message=_("A pair item needs two clips; other items need one."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.clip.title}"

    @property
    def item_kind(self) -> ItemKind:
        return ItemKind(self.kind)

    @property
    def question(self) -> str:
        if self.prompt:
            return self.prompt
        return {
            ItemKind.VERDICT: _("Is this real, a deepfake or a shallowfake?"),
            ItemKind.PAIR: _("One of these two was manipulated. Which one?"),
            ItemKind.SPOT_TELL: _("This was manipulated. Show us the giveaway."),
            ItemKind.TECHNIQUE: _("Which technique was used, if any?"),
        }[self.item_kind]

    def clean(self) -> None:
        super().clean()
        if not self.clip_id:
            return
        if self.kind == ItemKind.PAIR:
            if self.other_clip_id is None:
                raise ValidationError({"other_clip": _("Choose the second clip of the pair.")})
            if self.other_clip_id == self.clip_id:
                raise ValidationError({"other_clip": _("Choose two different clips.")})
            if self.clip.is_manipulated == self.other_clip.is_manipulated:
                raise ValidationError(
                    {"other_clip": _("Exactly one of the two clips must be manipulated.")}
                )
        elif self.other_clip_id is not None:
            raise ValidationError({"other_clip": _("Only pair items have a second clip.")})
        if self.kind == ItemKind.SPOT_TELL:
            self.clean_spot_tell()

    def clean_spot_tell(self) -> None:
        target = SpotTarget(self.spot_target)
        if target.asks_time and self.clip.kind == MediaKind.IMAGE:
            raise ValidationError({"spot_target": _("An image has no time to mark.")})
        tells = list(self.clip.tells.all())
        if not tells:
            raise ValidationError({"clip": _("Mark at least one tell on this clip first.")})
        if target.asks_region and not any(tell.has_box for tell in tells):
            raise ValidationError(
                {"spot_target": _("None of this clip's tells has a box on the frame.")}
            )

    # --- the truth, used only once an answer is stored -------------------------------------

    @property
    def manipulated_clip(self) -> Clip:
        """Pair items: the one of the two that was manipulated."""
        return self.clip if self.clip.is_manipulated else self.other_clip

    @property
    def correct_technique(self) -> str:
        return self.clip.technique or Technique.NONE

    def judge(
        self,
        *,
        verdict: str = "",
        technique: str = "",
        picked_clip: Clip | None = None,
        region: Box | None = None,
        seconds: float | None = None,
    ) -> Judgement:
        kind = self.item_kind
        if kind == ItemKind.VERDICT:
            if verdict == SaidVerdict.FAKE:
                # A feed asks "fake or real?", not which kind of fake.
                right = self.clip.is_manipulated
            else:
                right = verdict == self.clip.verdict
            return Judgement(right, float(right))
        if kind == ItemKind.PAIR:
            right = picked_clip is not None and picked_clip.pk == self.manipulated_clip.pk
            return Judgement(right, float(right))
        if kind == ItemKind.TECHNIQUE:
            right = technique == self.correct_technique
            return Judgement(right, float(right))
        target = SpotTarget(self.spot_target)
        spot = score_spot(
            self.marked_tells(),
            region=region,
            seconds=seconds,
            asks_region=target.asks_region,
            asks_time=target.asks_time,
        )
        return Judgement(spot.correct, spot.score)

    def marked_tells(self) -> list[MarkedTell]:
        return [
            MarkedTell(
                Box(*tell.box) if tell.has_box else None, tell.start_seconds, tell.end_seconds
            )
            for tell in self.clip.tells.all()
        ]

    def crowd(self, excluding: Answer | None = None) -> Crowd:
        """How everyone did on this item ("61 % of 2,304 answers were right"); with
        `excluding` (a stored answer), everyone else: the reveal sets a learner beside the
        others. Read from the item's CrowdCount (stored answers and those the retention purge
        folded into AnswerAggregate), one row whatever the number of answers."""
        answers, right = CrowdCount.objects.totals([self.pk])
        if excluding is not None:
            answers, right = answers - 1, right - excluding.is_correct
        return Crowd(answers, right)

    def tell_categories(self) -> tuple[str, ...]:
        clips = [self.clip] if self.other_clip_id is None else [self.clip, self.other_clip]
        return tuple(sorted({tell.category for clip in clips for tell in clip.tells.all()}))
