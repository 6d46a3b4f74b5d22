"""Attempts at a quiz and the answers in them: stored once, judged on arrival."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from media_library.answer_records import AnswerRecords
from media_library.models import Clip, ProcessingStatus, PublicationState, Technique
from quiz.models.aggregates import CrowdCount
from quiz.models.answer_groups import AnswerGroupCount, contributions
from quiz.models.choices import ItemKind, Mode, SaidVerdict, Slot
from quiz.models.items import Item
from quiz.models.quizzes import Quiz
from quiz.scoring import Box

# Anonymous visitors own the attempts whose ids their session lists (the list survives
# logging in, which only rotates the session key).
SESSION_ATTEMPTS = "quiz_attempts"
SESSION_ATTEMPTS_KEPT = 50


class AttemptQuerySet(models.QuerySet["Attempt"]):
    def start(self, quiz: Quiz, request: HttpRequest, rng: random.Random | None = None) -> Attempt:
        """A new attempt at quiz for whoever made the request, its items drawn and frozen."""
        rng = rng or random.SystemRandom()
        return self.start_with_items(quiz, quiz.draw(rng), request, rng)

    def start_with_items(
        self,
        quiz: Quiz,
        items: list[Item],
        request: HttpRequest,
        rng: random.Random | None = None,
        *,
        anonymous: bool = False,
    ) -> Attempt:
        """A new attempt at quiz over items chosen by the caller (the lessons app's spaced
        review picks them per learner, a campaign deals only unexposed clips), in the order
        given. `anonymous`: the attempt is the session's even for a signed-in visitor, tied
        to no account (a public campaign stores nothing that identifies anyone)."""
        rng = rng or random.SystemRandom()
        if not items:
            raise ValidationError(_("This quiz has no items ready yet."))
        user = request.user if request.user.is_authenticated and not anonymous else None
        with transaction.atomic():
            attempt = self.create(quiz=quiz, user=user, mode=quiz.mode)
            AttemptItem.objects.bulk_create(
                AttemptItem(
                    attempt=attempt,
                    item=item,
                    position=position,
                    # Which clip of a pair shows as A is random per attempt: its place on
                    # the page must say nothing about which one is fake.
                    swapped=item.kind == ItemKind.PAIR and rng.random() < 0.5,
                )
                for position, item in enumerate(items, start=1)
            )
        if user is None:
            owned = request.session.get(SESSION_ATTEMPTS, [])
            request.session[SESSION_ATTEMPTS] = [*owned, str(attempt.uid)][-SESSION_ATTEMPTS_KEPT:]
        return attempt

    def owned_by(self, request: HttpRequest) -> AttemptQuerySet:
        return self.filter(ownership(request))

    def finish_those_showing(self, clip: Clip) -> int:
        """Finish the unfinished attempts that still had `clip` to answer and, without it,
        have nothing left: called when the clip is withdrawn, so that nobody is left with an
        attempt that can never finish (and a gradebook that counts it undone). Returns how
        many were finished."""
        waiting = AttemptItem.objects.filter(
            models.Q(item__clip=clip) | models.Q(item__other_clip=clip), answer__isnull=True
        )
        finished = 0
        for attempt in self.filter(
            finished_at__isnull=True, pk__in=waiting.values("attempt_id")
        ).only("pk", "finished_at"):
            attempt.finish_if_complete()
            finished += attempt.is_finished
        return finished


def in_session(request: HttpRequest, uid: uuid.UUID) -> bool:
    """Whether the visitor's session lists this attempt as theirs."""
    return str(uid) in request.session.get(SESSION_ATTEMPTS, [])


def ownership(request: HttpRequest, uid: uuid.UUID | None = None, via: str = "") -> models.Q:
    """Whose attempts the requester may see: their account's, and for attempts without an
    account those their session lists. With `uid`, the session check for that one attempt is
    made here rather than in SQL (the answer endpoint's query stays small). `via` prefixes the
    fields ("attempt__") to filter a related model."""
    if uid is None:
        owned = request.session.get(SESSION_ATTEMPTS, [])
        anonymous = models.Q(**{f"{via}user__isnull": True, f"{via}uid__in": owned})
    elif in_session(request, uid):
        anonymous = models.Q(**{f"{via}user__isnull": True})
    else:
        anonymous = models.Q(pk__in=[])  # matches nothing
    if request.user.is_authenticated:
        return anonymous | models.Q(**{f"{via}user": request.user})
    return anonymous


class Attempt(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # PROTECT, like every key that leads to answers: they are the learners' records, so a
    # quiz that has been attempted is unpublished, never deleted.
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
    )
    # Copied from the quiz when the attempt starts: editing a quiz must not change how an
    # attempt under way gives feedback.
    mode = models.CharField(max_length=20, choices=Mode)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            # A learner's history: their attempts, newest first.
            models.Index(fields=["user", "-started_at"], name="quiz_attempt_user_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} · {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("quiz:attempt", args=[self.uid])

    def first_page_url(self) -> str:
        """Where a new attempt begins: a feed's one page, or the first item."""
        if self.attempt_mode == Mode.FEED:
            return reverse("quiz:feed", args=[self.uid])
        return reverse("quiz:item", args=[self.uid, 1])

    @property
    def attempt_mode(self) -> Mode:
        return Mode(self.mode)

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    def reveals(self, answered: bool) -> bool:
        """Whether an answered item may show its truth now."""
        return answered and (self.attempt_mode.reveals_each_item or self.is_finished)

    def entry_at(self, position: int) -> AttemptItem:
        return self.entries.select_related("item__clip", "item__other_clip").get(position=position)

    def next_unanswered(self) -> AttemptItem | None:
        """The first entry still to answer, skipping those whose clip was withdrawn. With
        none left, the attempt is finished here if it was not yet: an entry that became
        unanswerable while nobody had the attempt open leaves nothing to wait for."""
        entry = (
            self.entries.answerable()
            .filter(answer__isnull=True, passed_at__isnull=True)
            .order_by("position")
            .first()
        )
        if entry is None:
            self.finish_if_complete()
        return entry

    def withdrawn_entries(self) -> AttemptItemQuerySet:
        """The entries this attempt skips: unanswered, and no longer answerable."""
        return self.entries.withdrawn().filter(answer__isnull=True)

    def feed_entries(self) -> list[AttemptItem]:
        """A feed's posts in order, with what the page shows of each; the posts not yet judged
        count as shown from now (in one UPDATE), for time per item."""
        entries = list(
            self.entries.select_related("answer", "item__clip", "item__other_clip").order_by(
                "position"
            )
        )
        unseen = [e.pk for e in entries if e.shown_at is None and not hasattr(e, "answer")]
        if unseen:
            now = timezone.now()
            AttemptItem.objects.filter(pk__in=unseen, shown_at__isnull=True).update(shown_at=now)
            for entry in entries:
                if entry.pk in unseen:
                    entry.shown_at = now
        return entries

    def finish_feed(self) -> int:
        """End a feed where the learner stopped scrolling: each post left unjudged is recorded
        as passed over (a time on the entry, never an answer, so it counts neither right nor
        wrong). Returns how many were passed over; a second call changes nothing."""
        if self.attempt_mode != Mode.FEED:
            raise ValidationError(_("Only a feed can be finished with posts left unjudged."))
        now = timezone.now()
        with transaction.atomic():
            passed = self.entries.filter(answer__isnull=True, passed_at__isnull=True).update(
                passed_at=now
            )
            if Attempt.objects.filter(pk=self.pk, finished_at__isnull=True).update(finished_at=now):
                self.finished_at = now
        return passed

    def record(self, entry: AttemptItem, given: GivenAnswer) -> tuple[Answer, bool]:
        """Store the answer to one of this attempt's items, once.

        Returns (answer, created). A double click, a replayed request or a second answer to
        the same item returns the answer stored first; the unique constraints settle races
        between concurrent requests, whichever process they run in.
        """
        if entry.attempt_id != self.pk:
            raise ValidationError(_("That item is not part of this attempt."))
        if not entry.is_answerable:
            raise ValidationError(WITHDRAWN)
        if entry.passed_at is not None:
            raise ValidationError(_("You scrolled past this post and finished the feed."))
        # No look-before-insert: the insert itself is the check (one query fewer on the hot
        # path), and a duplicate falls through to returning the stored answer.
        item = entry.item
        picked = None
        if given.slot:
            picked = entry.clip_in_slot(Slot(given.slot))
        judgement = item.judge(
            verdict=given.verdict,
            technique=given.technique,
            picked_clip=picked,
            region=given.region,
            seconds=given.seconds,
        )
        now = timezone.now()
        # One transaction (a savepoint inside the caller's) for the answer and its item's crowd
        # count: both are kept or neither. A duplicate's IntegrityError rolls back only this
        # block, so a repeated answer is never counted twice and never breaks the caller's
        # transaction.
        try:
            with transaction.atomic():
                # The attempt locked, then its other answers read: they move to new attempt
                # totals in the item statistics' groups (AnswerGroupCount), and an answer to
                # another item of this attempt, stored at the same moment, must not miss this
                # one (nor this one it).
                Attempt.objects.select_for_update().filter(pk=self.pk).exists()
                others = list(
                    self.answers.order_by().values_list(
                        "attempt_id", "item_id", "is_correct", "confidence"
                    )
                )
                answer = Answer.objects.create(
                    attempt=self,
                    item=item,
                    entry=entry,
                    key=given.key,
                    verdict=given.verdict,
                    technique=given.technique,
                    picked=given.slot,
                    point_x=given.point[0] if given.point else None,
                    point_y=given.point[1] if given.point else None,
                    cell=given.cell,
                    seconds=given.seconds,
                    confidence=given.confidence,
                    is_correct=judgement.correct,
                    score=judgement.score,
                    seconds_taken=(now - entry.shown_at).total_seconds()
                    if entry.shown_at
                    else None,
                )
                before = [(a, self.quiz_id, i, c, conf) for a, i, c, conf in others]
                after = [
                    *before,
                    (self.pk, self.quiz_id, item.pk, answer.is_correct, answer.confidence),
                ]
                AnswerGroupCount.objects.change(contributions(before), contributions(after))
                # Last, so the item's counter row stays locked for as short a time as can be.
                CrowdCount.objects.count_answer(item.pk, judgement.correct)
        except IntegrityError:
            existing = Answer.objects.filter(attempt=self, item_id=entry.item_id).first()
            if existing is None:
                # The key was used for another item of this attempt: a tampered form.
                raise ValidationError(_("This answer form was already used.")) from None
            return existing, False
        self.finish_if_complete()
        return answer, True

    def finish_if_complete(self) -> None:
        """Mark the attempt finished once every answerable entry has an answer (entries whose
        clip was withdrawn are skipped), in one conditional UPDATE (concurrent last answers
        cannot both finish it, and nothing is read first). Written as SQL because it runs
        after every answer: the ORM spent longer building this statement than the database
        spent running it."""
        if self.finished_at is not None:
            return
        finished = timezone.now()
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(FINISH_SQL, [finished, self.pk, *finish_params(self.pk)])
            if cursor.rowcount:
                self.finished_at = finished


WITHDRAWN = _(
    "This item was withdrawn from Telltale: it is left out of your attempt, which carries on "
    "without it."
)

# An entry is answerable while every clip it shows is quizzable: the SQL twin of
# `AttemptItemQuerySet.answerable()` and `Clip.objects.quizzable()`, for the UPDATE below.
QUIZZABLE_SQL = (
    "({c}.publication_state = %s AND {c}.processing_status = %s AND {c}.quiz_media <> '')"
)
ANSWERABLE_SQL = (
    f"{QUIZZABLE_SQL.format(c='clip')} "
    f"AND (item.other_clip_id IS NULL OR {QUIZZABLE_SQL.format(c='other')})"
)
ANSWERABLE_JOINS = """
    JOIN quiz_item item ON item.id = entry.item_id
    JOIN media_library_clip clip ON clip.id = item.clip_id
    LEFT JOIN media_library_clip other ON other.id = item.other_clip_id
"""

# Finished when the answered answerable entries are as many as the answerable entries: two
# counts through the (attempt, …) indexes of both tables and primary-key joins to the items
# and clips. (A NOT EXISTS over a LEFT JOIN to the answers let PostgreSQL settle on a
# sequential scan of every answer ever given.) An attempt whose every entry was withdrawn has
# nothing left to answer, and finishes.
FINISH_SQL = f"""
    UPDATE quiz_attempt SET finished_at = %s
    WHERE id = %s AND finished_at IS NULL
    AND (
        SELECT count(*) FROM quiz_answer answer
        JOIN quiz_attemptitem entry ON entry.id = answer.entry_id {ANSWERABLE_JOINS}
        WHERE answer.attempt_id = %s AND {ANSWERABLE_SQL}
    ) >= (
        SELECT count(*) FROM quiz_attemptitem entry {ANSWERABLE_JOINS}
        WHERE entry.attempt_id = %s AND {ANSWERABLE_SQL}
    )
"""  # noqa: S608 (table names and placeholders only; every value is a parameter)


def finish_params(attempt_id: int) -> list:
    quizzable = [PublicationState.PUBLISHED, ProcessingStatus.READY]
    answerable = [*quizzable, *quizzable]
    return [attempt_id, *answerable, attempt_id, *answerable]


@dataclass(frozen=True)
class GivenAnswer:
    """What the learner submitted, validated by the answer form."""

    key: uuid.UUID
    verdict: str = ""
    technique: str = ""
    slot: str = ""
    point: tuple[float, float] | None = None
    cell: int | None = None
    seconds: float | None = None
    confidence: int | None = None

    @property
    def region(self) -> Box | None:
        if self.point is not None:
            return Box.around_point(*self.point)
        if self.cell is not None:
            return Box.grid_cell(self.cell)
        return None


class AttemptItemQuerySet(models.QuerySet["AttemptItem"]):
    def answerable(self) -> AttemptItemQuerySet:
        """Entries a learner may still be shown and answer: every clip they show is quizzable
        (a withdrawn clip stops being served at once, to attempts in progress too)."""
        return self.filter(item__in=Item.objects.available())

    def withdrawn(self) -> AttemptItemQuerySet:
        return self.exclude(item__in=Item.objects.available())


class AttemptItem(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="entries")
    # PROTECT: an item dealt into an attempt is part of the learner's record (answered or
    # still to answer), so neither it nor its clip can be deleted from under them.
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="attempt_entries")
    position = models.PositiveSmallIntegerField()
    swapped = models.BooleanField(default=False)
    # When the item was first shown, for time per item.
    shown_at = models.DateTimeField(null=True, blank=True)
    # Feeds: when the learner finished the feed without judging this post. Not an answer:
    # scrolling past is what people do with most posts, and is neither right nor wrong.
    passed_at = models.DateTimeField(null=True, blank=True)

    objects = AttemptItemQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="quiz_entry_position"),
            models.UniqueConstraint(fields=["attempt", "item"], name="quiz_entry_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} #{self.position}"

    def get_absolute_url(self) -> str:
        return reverse("quiz:item", args=[self.attempt.uid, self.position])

    def clip_in_slot(self, slot: Slot) -> Clip:
        first, second = self.item.clip, self.item.other_clip
        if self.swapped:
            first, second = second, first
        return first if slot == Slot.A else second

    @property
    def is_answered(self) -> bool:
        return hasattr(self, "answer")

    def revealed_clip(self, which: str) -> Clip | None:
        """A clip this entry's reveal shows: the clip in a slot ("a", "b"), or the original
        a slot's fake was made from ("a-original"); None for anything else."""
        slot, _dash, original = which.partition("-")
        if slot not in Slot.values or (slot == Slot.B and self.item.kind != ItemKind.PAIR):
            return None
        clip = self.clip_in_slot(Slot(slot))
        if original:
            if original != "original" or not clip.is_manipulated:
                return None
            return clip.original
        return clip

    def slots(self) -> list[tuple[Slot, Clip]]:
        if self.item.kind != ItemKind.PAIR:
            return [(Slot.A, self.item.clip)]
        return [(slot, self.clip_in_slot(slot)) for slot in (Slot.A, Slot.B)]

    @property
    def is_answerable(self) -> bool:
        """Whether every clip this entry shows may still be shown (the row-by-row twin of
        `AttemptItemQuerySet.answerable()`, on clips already loaded): once one is withdrawn
        the entry is neither served, shown nor answered."""
        item = self.item
        clips = [item.clip] if item.other_clip_id is None else [item.clip, item.other_clip]
        return all(clip.is_quizzable for clip in clips)

    @property
    def is_passed(self) -> bool:
        return self.passed_at is not None and not hasattr(self, "answer")

    def mark_shown(self) -> None:
        if self.shown_at is None:
            self.shown_at = timezone.now()
            AttemptItem.objects.filter(pk=self.pk, shown_at__isnull=True).update(
                shown_at=self.shown_at
            )


class AnswerQuerySet(models.QuerySet["Answer"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete, and regroup the attempts whose answers go in the item statistics' groups
        (the retention purge deletes some of an attempt's answers, which moves the rest to new
        attempt totals). The crowd counts are the caller's: the purge folds what it deletes
        and keeps them, the admin takes them away."""
        attempts = set(self.order_by().values_list("attempt_id", flat=True))
        with AnswerGroupCount.objects.regrouping(attempts):
            return super().delete()


class Answer(models.Model):
    # Deleting an attempt (a student's data deleted on request) takes its answers with it;
    # deleting the item, and so its clip, must not (see AttemptItem.item).
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    entry = models.OneToOneField(AttemptItem, on_delete=models.CASCADE, related_name="answer")
    # Sent with the form it was rendered into, so a replayed post is recognised as the same.
    key = models.UUIDField()
    verdict = models.CharField(max_length=20, choices=SaidVerdict, blank=True)
    technique = models.CharField(max_length=20, choices=Technique, blank=True)
    picked = models.CharField(max_length=1, choices=Slot, blank=True)
    point_x = models.FloatField(null=True, blank=True)
    point_y = models.FloatField(null=True, blank=True)
    cell = models.PositiveSmallIntegerField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(50), MaxValueValidator(100)]
    )
    is_correct = models.BooleanField()
    score = models.FloatField()
    seconds_taken = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        # No default ordering: it joined every answer query to the entries and sorted on their
        # position (a 26 MB sort for a gradebook). Callers that show answers in the attempt's
        # order say so with order_by("entry__position").
        constraints = [
            models.UniqueConstraint(fields=["attempt", "item"], name="quiz_answer_once_per_item"),
            models.UniqueConstraint(fields=["attempt", "key"], name="quiz_answer_key_once"),
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True)
                | models.Q(confidence__gte=50, confidence__lte=100),
                name="quiz_answer_confidence_50_100",
            ),
        ]
        indexes = [
            # The crowd panel: how many answers to an item, how many right.
            models.Index(fields=["item", "is_correct"], name="quiz_answer_item_correct"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.item_id}: {'right' if self.is_correct else 'wrong'}"


def answer_records_of(clip: Clip) -> AnswerRecords:
    """What the quiz engine keeps of a clip: the answers to items showing it, the quizzes they
    were given in, the entries without an answer (in attempts under way, and in finished
    ones), and the items. Registered with
    media_library.answer_records by QuizConfig.ready() for the curator's delete page."""
    items = Item.objects.showing(clip)
    answered = Answer.objects.filter(item__in=items).aggregate(
        answers=models.Count("pk"), quizzes=models.Count("attempt__quiz", distinct=True)
    )
    unanswered = AttemptItem.objects.filter(item__in=items, answer__isnull=True).aggregate(
        waiting=models.Count(
            "attempt", distinct=True, filter=models.Q(attempt__finished_at__isnull=True)
        ),
        finished=models.Count(
            "attempt", distinct=True, filter=models.Q(attempt__finished_at__isnull=False)
        ),
    )
    return AnswerRecords(
        answers=answered["answers"],
        quizzes=answered["quizzes"],
        waiting=unanswered["waiting"],
        items=items.count(),
        unanswered_finished=unanswered["finished"],
    )
