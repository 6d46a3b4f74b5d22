"""The numbers behind the results pages: one attempt, and one learner over time."""

from __future__ import annotations

from django.db.models import Count, Q

from quiz.measures import AnswerRecord, summarise
from quiz.models import Answer, Attempt, ItemKind


def answers_with_truth(answers) -> list[Answer]:
    return list(
        answers.select_related("item__clip", "item__other_clip", "entry").prefetch_related(
            "item__clip__tells", "item__other_clip__tells"
        )
    )


def records(answers: list[Answer]) -> list[AnswerRecord]:
    return [
        AnswerRecord(
            attempt_id=answer.attempt_id,
            item_id=answer.item_id,
            kind=answer.item.kind,
            correct=answer.is_correct,
            confidence=answer.confidence,
            truth=answer.item.clip.verdict if answer.item.kind == ItemKind.VERDICT else "",
            said=answer.verdict,
            tell_categories=answer.item.tell_categories(),
            seconds=answer.seconds_taken,
        )
        for answer in answers
    ]


def crowd_accuracy(item_ids: list[int], others_than: Q) -> dict:
    """Everyone else's answers to the same items, pooled."""
    answers = Answer.objects.filter(item_id__in=item_ids).exclude(others_than)
    counts = answers.aggregate(n=Count("pk"), right=Count("pk", filter=Q(is_correct=True)))
    share = counts["right"] / counts["n"] if counts["n"] else None
    return {"answers": counts["n"], "right": counts["right"], "accuracy": share}


def attempt_results(attempt: Attempt) -> dict:
    answers = answers_with_truth(attempt.answers.all())
    summary = summarise(records(answers))
    entries = list(attempt.entries.select_related("answer").order_by("position"))
    item_ids = [answer.item_id for answer in answers]
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "summary": summary,
        "entries": entries,
        "answered": len(answers),
        "total": len(entries),
        "crowd": crowd_accuracy(item_ids, others_than=Q(attempt=attempt)),
        # The detector arrives in a later issue; until it has analysed these clips the
        # comparison says "no analysis yet" rather than showing an invented score.
        "detector_accuracy": None,
    }


def learner_results(user) -> dict:
    attempts = list(
        Attempt.objects.filter(user=user)
        .select_related("quiz")
        .annotate(
            answered=Count("answers"),
            right=Count("answers", filter=Q(answers__is_correct=True)),
        )
        .order_by("started_at")
    )
    answers = answers_with_truth(Answer.objects.filter(attempt__user=user))
    summary = summarise(records(answers))
    item_ids = sorted({answer.item_id for answer in answers})
    crowd = crowd_accuracy(item_ids, others_than=Q(attempt__user=user))
    return {
        "attempts": attempts,
        "summary": summary,
        "crowd": crowd,
        "detector_accuracy": None,
    }
