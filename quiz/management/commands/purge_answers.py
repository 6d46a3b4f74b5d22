"""Delete raw quiz answers older than ANSWER_RETENTION_MONTHS, keeping their counts.

    manage.py purge_answers [--dry-run] [--months N]

Before a batch of answers is deleted it is folded, in the same transaction, into:

- quiz.AnswerAggregate, per (item, calendar month): answers, right, answers with a
  confidence and the sum of those confidences. Item.crowd() adds these, so the reveal's crowd
  figure keeps counting purged answers; an item's difficulty (right / answers) and mean
  confidence can be read from them too.
- quiz.TellTally, per (student, tell category), signed-in learners only: answers and right,
  which the student's progress advice (lessons.review.with_tallies) adds back.

Not kept: which answer was whose beyond those tallies, attempt-level scores, hit rate and false
alarms, d', calibration buckets, discrimination (needs each attempt's other answers), time per
item, and the class gradebook's per-student figures for the purged months. Attempts stay
(without their answers), so "done" and "late" in the gradebook still count. With 0 months (the
default) the command does nothing. Safe to run twice: each batch is folded and deleted at once.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from languages.commands import gettext as _
from languages.commands import gettext_lazy
from media_library.models import Tell
from quiz.models import Answer, AnswerAggregate, Item, TellTally

BATCH = 2000


def months_before(moment: datetime, months: int) -> datetime:
    years, month_index = divmod(moment.month - 1 - months, 12)
    year, month = moment.year + years, month_index + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


class Command(BaseCommand):
    help = gettext_lazy(
        "Fold answers older than ANSWER_RETENTION_MONTHS into counts and delete them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help=_("Count, change nothing."))
        parser.add_argument(
            "--months", type=int, default=None, help=_("Override ANSWER_RETENTION_MONTHS.")
        )

    def handle(self, *args, dry_run: bool = False, months: int | None = None, **options) -> None:
        months = settings.ANSWER_RETENTION_MONTHS if months is None else months
        if months <= 0:
            self.stdout.write(_("Retention is 0 months: answers are kept forever."))
            return
        cutoff = months_before(timezone.now(), months)
        old = Answer.objects.filter(created_at__lt=cutoff)
        if dry_run:
            self.stdout.write(
                _("Would fold and delete %(count)d answers given before %(date)s.")
                % {"count": old.count(), "date": f"{cutoff:%Y-%m-%d}"}
            )
            return
        total = 0
        last_pk = 0
        while True:
            with transaction.atomic():
                # Keyset pages (pk above the last batch's) rather than OFFSET or a fresh scan
                # from the start: each batch reads only its own rows.
                batch = list(
                    old.filter(pk__gt=last_pk)
                    .order_by("pk")
                    .values_list(
                        "pk",
                        "item_id",
                        "created_at",
                        "is_correct",
                        "confidence",
                        "attempt__user_id",
                    )[:BATCH]
                )
                if not batch:
                    break
                self.fold(batch)
                # One DELETE per batch: nothing refers to an answer and no signal listens to
                # its deletion, so Django deletes without loading the rows.
                Answer.objects.filter(pk__in=[row[0] for row in batch]).delete()
            last_pk = batch[-1][0]
            total += len(batch)
        self.stdout.write(
            _("Folded and deleted %(count)d answers given before %(date)s.")
            % {"count": total, "date": f"{cutoff:%Y-%m-%d}"}
        )

    def fold(self, batch: list[tuple]) -> None:
        """Add a batch's counts to the monthly aggregates and the per-tell tallies: grouped
        here, then written with a fixed number of queries per batch (add_counts), never a
        query per item, month or student."""
        per_month: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        per_tell: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
        categories = self.categories({row[1] for row in batch})
        for _pk, item_id, created_at, correct, confidence, user_id in batch:
            month = timezone.localtime(created_at).date().replace(day=1)
            counts = per_month[item_id, month]
            counts[0] += 1
            counts[1] += correct
            if confidence is not None:
                counts[2] += 1
                counts[3] += confidence
            if user_id is not None:
                for category in categories.get(item_id, ()):
                    per_tell[user_id, category][0] += 1
                    per_tell[user_id, category][1] += correct
        add_counts(
            AnswerAggregate,
            ("item_id", "month"),
            ("answers", "right", "confident_answers", "confidence_sum"),
            per_month,
        )
        add_counts(TellTally, ("student_id", "tell_category"), ("answers", "right"), per_tell)

    @staticmethod
    def categories(item_ids: set[int]) -> dict[int, set[str]]:
        clips: dict[int, list[int]] = {}
        for pk, clip_id, other_id in Item.objects.filter(pk__in=item_ids).values_list(
            "pk", "clip_id", "other_clip_id"
        ):
            clips[pk] = [clip_id] + ([other_id] if other_id else [])
        by_clip: dict[int, set[str]] = defaultdict(set)
        all_clips = {clip for ids in clips.values() for clip in ids}
        for clip_id, category in Tell.objects.filter(clip_id__in=all_clips).values_list(
            "clip_id", "category"
        ):
            by_clip[clip_id].add(category)
        return {pk: set().union(*(by_clip[c] for c in ids)) for pk, ids in clips.items()}


def add_counts(
    model: type[AnswerAggregate] | type[TellTally],
    keys: tuple[str, str],
    fields: tuple[str, ...],
    counts: dict[tuple, list[int]],
) -> None:
    """Add `counts` (key values -> one number per field) to the rows of `model` unique on
    `keys`, in three queries: create the missing rows at zero, lock them all and read them,
    write the sums back. The lock (inside the caller's transaction) keeps a second purge run at
    the same time from adding to a row between the read and the write."""
    first, second = keys
    model.objects.bulk_create(
        [model(**dict(zip(keys, key, strict=True))) for key in counts], ignore_conflicts=True
    )
    rows = {
        (getattr(row, first), getattr(row, second)): row
        for row in model.objects.select_for_update().filter(
            **{
                f"{first}__in": {key[0] for key in counts},
                f"{second}__in": {key[1] for key in counts},
            }
        )
    }
    totals = []
    for key, added in counts.items():
        row = rows[key]
        sums = {
            field: getattr(row, field) + number for field, number in zip(fields, added, strict=True)
        }
        # A new instance (no pk): the INSERT meets the row on its unique keys and updates it.
        totals.append(model(**dict(zip(keys, key, strict=True)), **sums))
    model.objects.bulk_create(
        totals,
        update_conflicts=True,
        unique_fields=[key.removesuffix("_id") for key in keys],
        update_fields=list(fields),
    )
