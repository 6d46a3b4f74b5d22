"""What a visitor's round says, in the words that matter: discernment (fakes caught against
real clips trusted), not suspicion. Calling everything fake catches every fake and trusts no
real clip; the sentence shows both halves so that nobody mistakes doubt for skill."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.models import Participation


@dataclass(frozen=True)
class Discernment:
    hits: int
    fakes: int
    trusted: int
    reals: int
    correct: int
    answered: int

    @property
    def sentence(self) -> str:
        # Whole sentences, not words glued together: word order and punctuation differ by
        # language ("你识破了……。" ends with its own full stop).
        fakes, reals = self._counts()
        if self.fakes and self.reals:
            return _("You caught %(fakes)s and trusted %(reals)s.") % {
                "fakes": fakes,
                "reals": reals,
            }
        if self.fakes:
            return _("You caught %(fakes)s.") % {"fakes": fakes}
        if self.reals:
            return _("You trusted %(reals)s.") % {"reals": reals}
        return self._right()

    @property
    def share_line(self) -> str:
        fakes, reals = self._counts()
        if self.fakes and self.reals:
            return _("I caught %(fakes)s and trusted %(reals)s. Can you?") % {
                "fakes": fakes,
                "reals": reals,
            }
        if self.fakes:
            return _("I caught %(fakes)s. Can you?") % {"fakes": fakes}
        if self.reals:
            return _("I trusted %(reals)s. Can you?") % {"reals": reals}
        return self._right()

    def _counts(self) -> tuple[str, str]:
        fakes = ngettext("%(hits)d of %(n)d fake", "%(hits)d of %(n)d fakes", self.fakes) % {
            "hits": self.hits,
            "n": self.fakes,
        }
        reals = ngettext(
            "%(trusted)d of %(n)d real clip", "%(trusted)d of %(n)d real clips", self.reals
        ) % {"trusted": self.trusted, "n": self.reals}
        return fakes, reals

    def _right(self) -> str:
        return _("%(correct)d of %(answered)d right.") % {
            "correct": self.correct,
            "answered": self.answered,
        }

    @property
    def advice(self) -> str:
        false_alarms = self.reals - self.trusted
        if not (self.fakes and self.reals):
            return ""
        if false_alarms * 2 > self.reals:
            return _(
                "You called most real clips fake. Doubting everything is not the same as "
                "spotting fakes: the skill is telling the two apart, and real footage "
                "dismissed as fake is how true events get denied."
            )
        if (self.fakes - self.hits) * 2 > self.fakes:
            return _(
                "Most fakes got past you. Look again at faces, edges, lighting and cuts: "
                "the lessons show what to look for."
            )
        return _(
            "You told fakes from real clips: that is discernment, not suspicion. Keep it "
            "up: the skill fades without practice."
        )


def discernment(participation: Participation) -> Discernment:
    return Discernment(
        hits=participation.hits,
        fakes=participation.fakes_seen,
        trusted=participation.correct_rejections,
        reals=participation.reals_seen,
        correct=participation.correct,
        answered=participation.answered,
    )
