"""How many learners' records point at a clip: the registry that lets the curator area say so
without importing the quiz engine.

Answers are the learners' records: their results, gradebooks and learning gains are worked out
from them. A clip with answers is never hard-deleted (the database refuses it too: the quiz
engine's foreign keys that lead to answers are PROTECT); the curator withdraws it instead. The
quiz app sits above media_library, so it registers here, from its AppConfig.ready(), how to
count a clip's records; with nothing registered a clip has none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

from django.utils.translation import gettext, ngettext

from media_library.registry import Registry


@dataclass(frozen=True)
class AnswerRecords:
    answers: int = 0  # answers given to items showing the clip
    quizzes: int = 0  # the quizzes those answers were given in
    waiting: int = 0  # attempts under way that have the clip still to answer
    items: int = 0  # quiz items showing the clip (deleted with it when nothing is kept)
    # Finished attempts that list the clip without an answer: skipped, or the answers folded
    # into counts by retention (purge_answers). Still part of the learners' record.
    unanswered_finished: int = 0

    @property
    def keep_the_clip(self) -> bool:
        """Whether learners' records hold the clip: then it cannot be deleted."""
        return bool(self.answers or self.waiting or self.unanswered_finished)

    def answered(self) -> str:
        """ "Learners have given it 12 answers in 3 quizzes." (empty with no answers)"""
        if not self.answers:
            return ""
        answers = ngettext("%(n)d answer", "%(n)d answers", self.answers) % {"n": self.answers}
        quizzes = ngettext("%(n)d quiz", "%(n)d quizzes", self.quizzes) % {"n": self.quizzes}
        return gettext("Learners have given it %(answers)s in %(quizzes)s.") % {
            "answers": answers,
            "quizzes": quizzes,
        }

    def still_to_answer(self) -> str:
        """ "It is still to be answered in 2 attempts under way." (empty with none)"""
        if not self.waiting:
            return ""
        return ngettext(
            "It is still to be answered in %(n)d attempt under way.",
            "It is still to be answered in %(n)d attempts under way.",
            self.waiting,
        ) % {"n": self.waiting}

    def also_listed(self) -> str:
        """ "It is also listed, unanswered, in 4 finished attempts." (empty with none)"""
        if not self.unanswered_finished:
            return ""
        return ngettext(
            "It is also listed, unanswered, in %(n)d finished attempt.",
            "It is also listed, unanswered, in %(n)d finished attempts.",
            self.unanswered_finished,
        ) % {"n": self.unanswered_finished}

    def __add__(self, other: AnswerRecords) -> AnswerRecords:
        return AnswerRecords(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(AnswerRecords))
        )


# (clip) -> its records in one app.
Counter = Callable[..., AnswerRecords]

_counters: Registry[Counter] = Registry()
register = _counters.register
unregister = _counters.unregister


def records_of(clip) -> AnswerRecords:
    return sum((counter(clip) for counter in _counters), AnswerRecords())
