"""The numbers behind the results pages: one attempt, and one learner over time."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Q

from quiz.measures import AnswerRecord, summarise
from quiz.models import Answer, Attempt, CrowdCount, ItemKind, Mode, Outcome

# Attempts whose answers may show right or wrong: finished ones, and those in a mode that reveals
# each item as it is answered. An assessment under way shows nothing, not even a score, which
# would tell item by item what was right when read after each answer.
REVEALED = Q(finished_at__isnull=False) | Q(mode__in=[m for m in Mode if m.reveals_each_item])


def answers_with_truth(answers) -> list[Answer]:
    return list(
        answers.select_related(
            "item__clip__analysis", "item__other_clip__analysis", "entry"
        ).prefetch_related("item__clip__tells", "item__other_clip__tells")
    )


def detector_analysis(clip):
    """The clip's finished analysis, None without one."""
    analysis = getattr(clip, "analysis", None)
    return analysis if analysis is not None and analysis.is_done else None


def detector_score(clip) -> float | None:
    """The detector's chance that a clip was manipulated, None without a usable analysis or
    when it cannot tell (no score of it beats chance on clips it had never seen)."""
    analysis = detector_analysis(clip)
    return None if analysis is None else analysis.manipulation_probability


def cannot_tell(clip) -> bool:
    analysis = detector_analysis(clip)
    return analysis is not None and analysis.cannot_tell


@dataclass(frozen=True)
class DetectorRecord:
    right: int = 0
    judged: int = 0
    # Items it scored but cannot tell on: left out of its figure, never counted as answers.
    cannot_tell: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.right / self.judged if self.judged else None


def detector_record(answers: list[Answer]) -> DetectorRecord:
    """How often the detector was right on the items these answers were given to: a verdict
    item when its score falls on the right side of 50 % (it tells real from manipulated, not
    deepfake from shallowfake), a pair when it scores the manipulated clip higher. Other item
    kinds and clips it has not analysed or abstained on are left out; so are clips it cannot
    tell on, which are counted apart."""
    right = judged = unsure = 0
    for item in {answer.item_id: answer.item for answer in answers}.values():
        if item.kind == ItemKind.VERDICT:
            score = detector_score(item.clip)
            if score is None:
                unsure += cannot_tell(item.clip)
                continue
            right += (score >= 0.5) == item.clip.is_manipulated
        elif item.kind == ItemKind.PAIR:
            scores = detector_score(item.clip), detector_score(item.other_clip)
            if None in scores:
                unsure += cannot_tell(item.clip) or cannot_tell(item.other_clip)
                continue
            if scores[0] == scores[1]:
                continue
            higher = item.clip if scores[0] > scores[1] else item.other_clip
            right += higher.pk == item.manipulated_clip.pk
        else:
            continue
        judged += 1
    return DetectorRecord(right, judged, unsure)


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


def crowd_accuracy(item_ids: list[int], own: tuple[int, int]) -> dict:
    """Everyone else's answers to the same items, pooled: the items' crowd counts (stored
    answers and those the retention purge folded, which are all older than anything of this
    learner's that can still be shown, so they are everyone else's) less `own`, the learner's
    stored answers to those items as (answers, right). One row per item is read, never the
    answer table."""
    n, right = CrowdCount.objects.totals(item_ids)
    n, right = n - own[0], right - own[1]
    return {"answers": n, "right": right, "accuracy": right / n if n else None}


def attempt_results(attempt: Attempt) -> dict:
    # An entry withdrawn while nobody had the attempt open may have left nothing to answer.
    attempt.finish_if_complete()
    revealed = attempt.reveals(answered=True)
    answers = answers_with_truth(attempt.answers.all()) if revealed else []
    summary = summarise(records(answers))
    entries = list(
        attempt.entries.select_related("answer", "item__clip", "item__other_clip").order_by(
            "position"
        )
    )
    # Skipped entries: withdrawn before they were answered, so out of the score and the count
    # (an answer given before the withdrawal stands).
    withdrawn = {
        entry.pk for entry in entries if not hasattr(entry, "answer") and not entry.is_answerable
    }
    item_ids = [answer.item_id for answer in answers]
    # A feed's posts scrolled past: no answers, so in no measure, but the fakes among them
    # are worth knowing about (told once the feed is finished, when nothing is left to judge).
    passed = [entry for entry in entries if entry.is_passed]
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "revealed": revealed,
        "summary": summary,
        # Each entry with how its answer went (Outcome), None until that may be shown.
        "entries": [(entry, _outcome(entry) if revealed else None) for entry in entries],
        "withdrawn_entries": withdrawn,
        "withdrawn": len(withdrawn),
        "answered": sum(hasattr(entry, "answer") for entry in entries),
        "total": len(entries) - len(withdrawn),
        # The attempt answers each item once, so its own answers to them are `answers`.
        "crowd": crowd_accuracy(
            item_ids, own=(len(answers), sum(answer.is_correct for answer in answers))
        ),
        "detector": detector_record(answers),
        "passed": len(passed),
        "passed_fakes": [e for e in passed if e.item.clip.is_manipulated]
        if attempt.is_finished
        else [],
    }


def _outcome(entry) -> Outcome | None:
    answer = getattr(entry, "answer", None)
    if answer is None:
        return None
    return Outcome.of(correct=answer.is_correct, score=answer.score)


def learner_results(user) -> dict:
    attempts = list(
        Attempt.objects.filter(user=user)
        .select_related("quiz")
        .annotate(
            answered=Count("answers"),
            right=Count("answers", filter=Q(answers__is_correct=True)),
            revealed=ExpressionWrapper(REVEALED, output_field=BooleanField()),
        )
        .order_by("started_at")
    )
    answers = answers_with_truth(
        Answer.objects.filter(attempt__user=user, attempt__in=Attempt.objects.filter(REVEALED))
    )
    summary = summarise(records(answers))
    item_ids = sorted({answer.item_id for answer in answers})
    # Every answer of theirs to those items, in attempts that show results or not: the
    # learner's own rows, through the index on each attempt's answers.
    own = Answer.objects.filter(attempt__user=user, item_id__in=item_ids).aggregate(
        n=Count("*"), right=Count("is_correct", filter=Q(is_correct=True))
    )
    crowd = crowd_accuracy(item_ids, own=(own["n"], own["right"]))
    return {
        "attempts": attempts,
        "summary": summary,
        "crowd": crowd,
        "detector": detector_record(answers),
    }
