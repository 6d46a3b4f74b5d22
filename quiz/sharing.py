"""The few numbers a shared result shows."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from media_library.models import Verdict
from quiz.models import Attempt, ItemKind


def share_summary(attempt: Attempt) -> dict:
    counts = attempt.answers.aggregate(
        total=Count("pk"),
        correct=Count("pk", filter=Q(is_correct=True)),
        fakes=Count(
            "pk",
            filter=Q(item__kind=ItemKind.VERDICT) & ~Q(item__clip__verdict=Verdict.REAL),
        ),
        caught=Count(
            "pk",
            filter=Q(item__kind=ItemKind.VERDICT)
            & ~Q(item__clip__verdict=Verdict.REAL)
            & ~Q(verdict=Verdict.REAL),
        ),
    )
    if counts["fakes"]:
        headline = _("I caught %(caught)d of %(fakes)d fakes. Can you?") % counts
    else:
        headline = _("I got %(correct)d of %(total)d right. Can you?") % counts
    return {"correct": counts["correct"], "total": counts["total"], "headline": headline}
