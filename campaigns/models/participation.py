"""One visitor's go at a campaign (an anonymous quiz attempt), and the counters the dashboard
reads: kept as answers arrive, so the dashboard's cost depends on its participants, never on
the answer table."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models.campaign import Campaign
from media_library.models import Verdict
from quiz.models import Answer, Attempt, Item, ItemKind

SURVEY_SCALE = (
    (1, _("Not at all sure")),
    (2, _("Not very sure")),
    (3, _("Somewhat sure")),
    (4, _("Quite sure")),
    (5, _("Very sure")),
)


def new_key() -> str:
    # 128 bits: a bookmark or a share link nobody can guess.
    return secrets.token_urlsafe(16)


class Round(models.TextChoices):
    FIRST = "first", _("First round")
    BOOSTER = "booster", _("Booster retest")


class Participation(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="participations")
    # PROTECT, as every key leading to answers: they are records.
    attempt = models.OneToOneField(
        Attempt, on_delete=models.PROTECT, related_name="campaign_participation"
    )
    round = models.CharField(max_length=10, choices=Round, default=Round.FIRST)
    first = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="boosters"
    )
    language = models.CharField(max_length=12)
    survey_before = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=SURVEY_SCALE,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    survey_after = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=SURVEY_SCALE,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    # The bookmark that opens the booster round (first rounds only), and the public share
    # page's key: neither is the attempt's id, which stays between the visitor and us.
    booster_key = models.CharField(max_length=32, unique=True, null=True, blank=True)
    share_key = models.CharField(max_length=32, unique=True, default=new_key)
    started_at = models.DateTimeField(default=timezone.now)
    # Verdict answers so far: fakes called fake (hits) or real (misses), real clips called
    # fake (false alarms) or real (correct rejections); `answered` and `correct` count every
    # kind of item.
    answered = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    hits = models.PositiveIntegerField(default=0)
    misses = models.PositiveIntegerField(default=0)
    false_alarms = models.PositiveIntegerField(default=0)
    correct_rejections = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["campaign", "round", "started_at"], name="campaigns_part_by_day")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(round="first", first__isnull=True)
                | models.Q(round="booster", first__isnull=False),
                name="campaigns_booster_has_first_round",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.round} · {self.started_at:%Y-%m-%d}"

    @property
    def fakes_seen(self) -> int:
        return self.hits + self.misses

    @property
    def reals_seen(self) -> int:
        return self.false_alarms + self.correct_rejections

    # --- the booster ---

    @property
    def booster_opens_at(self):
        done = self.attempt.finished_at or self.started_at
        return done + timedelta(days=Campaign.BOOSTER_AFTER_DAYS)

    def booster_is_open(self, now=None) -> bool:
        return (now or timezone.now()) >= self.booster_opens_at

    def booster(self) -> Participation | None:
        return self.boosters.select_related("attempt").first()

    # --- counting answers as they arrive ---

    @classmethod
    def record_answer(cls, answer: Answer) -> None:
        """Count one new answer on its participation and its item's tally, if its attempt is
        a campaign's. This runs inside every answer's transaction, so it is two statements at
        most: one UPDATE … RETURNING (matching nothing for an attempt no campaign runs) and
        one upsert of the tally. Increments in SQL: concurrent answers never lose a count;
        the quiz stores an answer once, so a repeat never reaches here."""
        said_fake = None
        counted = ["answered", *(["correct"] if answer.is_correct else [])]
        item = answer.item
        if item.kind == ItemKind.VERDICT:
            is_fake = item.clip.verdict != Verdict.REAL
            said_fake = answer.verdict != Verdict.REAL
            counted.append(
                {
                    (True, True): "hits",
                    (True, False): "misses",
                    (False, True): "false_alarms",
                    (False, False): "correct_rejections",
                }[(is_fake, said_fake)]
            )
        quote = connection.ops.quote_name
        table = quote(cls._meta.db_table)
        increments = ", ".join(f"{quote(name)} = {quote(name)} + 1" for name in counted)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {increments} WHERE {quote('attempt_id')} = %s "  # noqa: S608 (names from the model, the value a parameter)
                f"RETURNING {quote('campaign_id')}, {quote('round')}, {quote('language')}",
                [answer.attempt_id],
            )
            row = cursor.fetchone()
        if row is not None:
            campaign_id, round_, language = row
            ItemTally.count(campaign_id, item.pk, round_, language, answer.is_correct, said_fake)

    def offer_booster(self) -> str | None:
        """The booster's bookmark key, made once the first round is done (None when the
        campaign offers no booster)."""
        if self.round != Round.FIRST or not self.campaign.booster_enabled:
            return None
        if self.booster_key is None:
            key = new_key()
            if Participation.objects.filter(pk=self.pk, booster_key__isnull=True).update(
                booster_key=key
            ):
                self.booster_key = key
            else:  # made by a request at the same moment
                self.refresh_from_db(fields=["booster_key"])
        return self.booster_key


class ItemTally(models.Model):
    """A campaign's answers to one item, by round and language."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="item_tallies")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="campaign_tallies")
    round = models.CharField(max_length=10, choices=Round)
    language = models.CharField(max_length=12)
    answers = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    said_fake = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "item", "round", "language"], name="campaigns_tally_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · item {self.item_id} · {self.round} · {self.language}"

    @classmethod
    def count(
        cls,
        campaign_id: int,
        item_id: int,
        round_: str,
        language: str,
        correct: bool,
        said_fake: bool | None,
    ) -> None:
        """One answer more, in one upsert (PostgreSQL and SQLite both speak ON CONFLICT): the
        item's first answer in this round and language makes its row, any later one counts
        on it, and two first answers at once cannot both insert."""
        quote = connection.ops.quote_name
        table = quote(cls._meta.db_table)
        keys = ["campaign_id", "item_id", "round", "language"]
        counts = ["answers", "correct", "said_fake"]
        added = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in counts)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(quote(c) for c in keys + counts)}) "  # noqa: S608 (names from the model, values are parameters)
                f"VALUES (%s, %s, %s, %s, 1, %s, %s) "
                f"ON CONFLICT ({', '.join(quote(c) for c in keys)}) DO UPDATE SET {added}",
                [campaign_id, item_id, round_, language, int(correct), int(bool(said_fake))],
            )
