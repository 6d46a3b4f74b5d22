"""Quizzes: a fixed list of items or a draw from the pool, and how an attempt gets its items."""

from __future__ import annotations

import random
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from media_library.models import Technique, TellCategory, Verdict
from media_library.roles import Role, has_role
from media_library.slugs import SlugFromTitle
from quiz import draft_viewers
from quiz.models.choices import Difficulty, ItemKind, Mode, Order, Selection
from quiz.models.items import Item


class QuizQuerySet(models.QuerySet["Quiz"]):
    def published(self) -> QuizQuerySet:
        return self.filter(is_published=True)

    def copyable_by(self, user) -> QuizQuerySet:
        """What a builder may copy: any open quiz (learners see it anyway), and their own."""
        return self.filter(models.Q(is_published=True) | models.Q(created_by=user))

    def built_by(self, user) -> QuizQuerySet:
        return self.filter(created_by=user)


class Quiz(SlugFromTitle, models.Model):
    SLUG_FALLBACK = "quiz"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"), blank=True)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode, default=Mode.PRACTICE)
    selection = models.CharField(
        _("items"), max_length=10, choices=Selection, default=Selection.FIXED
    )
    order = models.CharField(_("order"), max_length=10, choices=Order, default=Order.ORDERED)
    items = models.ManyToManyField(Item, through="QuizItem", related_name="quizzes", blank=True)
    # A pool quiz draws this many items per attempt from the items matching its filters.
    pool_size = models.PositiveSmallIntegerField(
        _("items per attempt"), default=10, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    pool_kind = models.CharField(_("item type"), max_length=20, choices=ItemKind, blank=True)
    pool_verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict, blank=True)
    pool_technique = models.CharField(_("technique"), max_length=20, choices=Technique, blank=True)
    pool_tell_category = models.CharField(
        _("tell"), max_length=20, choices=TellCategory, blank=True
    )
    pool_difficulty = models.CharField(
        _("difficulty"), max_length=10, choices=Difficulty, blank=True
    )
    # Feed mode: the share of the stream that is manipulated. Real feeds are mostly genuine,
    # and a learner who calls everything fake should pay for it in false alarms.
    feed_fake_percent = models.PositiveSmallIntegerField(
        _("fakes in the feed (%)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    is_published = models.BooleanField(
        _("open to learners"),
        default=False,
        help_text=_(
            "Students and visitors can take it. A draft is seen only by its builder, the "
            "teachers of a class it is set to, and curators."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="built_quizzes",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuizQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # The address is made from the English title, whatever language the builder works
        # in: a Chinese title has no letters a slug keeps, and every language shares one URL.
        if not self.slug:
            self.slug = self.unique_slug(self.title_en or self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("quiz:quiz-detail", args=[self.slug])

    @property
    def quiz_mode(self) -> Mode:
        return Mode(self.mode)

    def is_visible_to(self, user) -> bool:
        """Whether the user may open (and try) this quiz. A published quiz is anyone's. A
        draft is its builder's, the curators' and staff's, and whoever a higher app vouches
        for (lessons: the teachers of a class it is set to); to anyone else, another
        teacher's draft or pre-test included, it does not exist."""
        if self.is_published:
            return True
        if user is None or not user.is_authenticated:
            return False
        if self.created_by_id == user.pk or has_role(user, Role.CURATOR, staff=True):
            return True
        return draft_viewers.vouched_for(user, self)

    def clean(self) -> None:
        super().clean()
        if self.mode == Mode.FEED and self.pool_kind not in ("", ItemKind.VERDICT):
            raise ValidationError(
                {"pool_kind": _("A feed asks one thing of each clip: real or fake.")}
            )

    @property
    def keeps_truth_to_the_end(self) -> bool:
        """An assessment shows no truth until the end, and measures what learners can tell:
        it deals only clips whose truth they cannot have seen (ItemQuerySet.unexposed)."""
        return not self.quiz_mode.reveals_each_item

    def dealable_items(self, *, unexposed: bool | None = None):
        """The items this quiz may give a learner: available, and unexposed when it keeps
        the truth to the end, or when the caller measures what people can tell whatever the
        mode (`unexposed=True`: a campaign)."""
        items = Item.objects.available()
        if unexposed is None:
            unexposed = self.keeps_truth_to_the_end
        return items.unexposed() if unexposed else items

    def pool(self, *, unexposed: bool | None = None):
        """The items a pool quiz draws from (only those a learner may be given)."""
        return self.pool_matching(self.dealable_items(unexposed=unexposed))

    def pool_matching(self, items):
        """`items` narrowed to the pool's filters."""
        kind = ItemKind.VERDICT if self.mode == Mode.FEED else self.pool_kind
        return items.matching(
            kind=kind,
            verdict=self.pool_verdict,
            technique=self.pool_technique,
            tell_category=self.pool_tell_category,
            difficulty=self.pool_difficulty,
        )

    def fixed_items(self, *, unexposed: bool | None = None) -> list[Item]:
        available = set(self.dealable_items(unexposed=unexposed).values_list("pk", flat=True))
        return [
            entry.item
            for entry in self.entries.select_related("item").order_by("position", "pk")
            if entry.item_id in available
        ]

    def draw(
        self, rng: random.Random | None = None, *, unexposed: bool | None = None
    ) -> list[Item]:
        """The items of a new attempt, in the order it will show them (`unexposed`: see
        dealable_items)."""
        rng = rng or random.SystemRandom()
        if self.selection == Selection.FIXED:
            items = self.fixed_items(unexposed=unexposed)
            if self.mode == Mode.FEED:
                items = [item for item in items if item.kind == ItemKind.VERDICT]
        elif self.mode == Mode.FEED:
            pool = self.pool(unexposed=unexposed).select_related("clip")
            items = self.draw_feed(list(pool), rng)
        else:
            pool = list(self.pool(unexposed=unexposed))
            items = rng.sample(pool, min(self.pool_size, len(pool)))
        if self.order == Order.SHUFFLED or self.mode == Mode.FEED:
            rng.shuffle(items)
        return items

    def draw_feed(self, pool: list[Item], rng: random.Random) -> list[Item]:
        fakes = [item for item in pool if item.clip.is_manipulated]
        reals = [item for item in pool if not item.clip.is_manipulated]
        size = min(self.pool_size, len(pool))
        # At least one fake when there is one, or the feed teaches nothing; never more fakes
        # than the share allows while real clips remain to fill the stream.
        fake_count = min(len(fakes), max(1, round(size * self.feed_fake_percent / 100)))
        real_count = min(len(reals), size - fake_count)
        return rng.sample(fakes, fake_count) + rng.sample(reals, real_count)

    # Everything a copy keeps besides its items; it gets its own title, slug, owner and state.
    COPIED_FIELDS = (
        "mode",
        "selection",
        "order",
        "pool_size",
        "pool_kind",
        "pool_verdict",
        "pool_technique",
        "pool_tell_category",
        "pool_difficulty",
        "feed_fake_percent",
    )

    @transaction.atomic
    def copy_for(self, user) -> Quiz:
        """The user's own draft with this quiz's settings and items, in the same order. Items
        are shared from the bank, not duplicated, so their statistics keep counting."""
        copy = Quiz(
            created_by=user,
            is_published=False,
            **{field: getattr(self, field) for field in self.COPIED_FIELDS},
            **self._copied_texts(),
        )
        copy.save()
        QuizItem.objects.bulk_create(
            QuizItem(quiz=copy, item_id=entry.item_id, position=entry.position)
            for entry in self.entries.order_by("position", "pk")
        )
        return copy

    def _copied_texts(self) -> dict[str, str | None]:
        """Title and description in every language they are written in; each title says it
        is a copy in its own language."""
        texts = {}
        limit = self._meta.get_field("title").max_length
        for code, _name in settings.LANGUAGES:
            title = build_localized_fieldname("title", code)
            description = build_localized_fieldname("description", code)
            texts[description] = getattr(self, description)
            texts[title] = getattr(self, title)
            if texts[title]:
                with translation.override(code):
                    texts[title] = (gettext("%(title)s (copy)") % {"title": texts[title]})[:limit]
        return texts

    def add_item(self, item: Item) -> QuizItem:
        last = self.entries.aggregate(models.Max("position"))["position__max"]
        entry, _ = QuizItem.objects.get_or_create(
            quiz=self, item=item, defaults={"position": (last or 0) + 1}
        )
        return entry


class QuizItem(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="quiz_entries")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "item"], name="quiz_item_once_per_quiz"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id} #{self.position}: {self.item_id}"
