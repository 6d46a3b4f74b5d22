"""The fixed vocabularies of the quiz engine."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    VERDICT = "verdict", _("Real or fake?")
    PAIR = "pair", _("Which one was manipulated?")
    SPOT_TELL = "spot_tell", _("Spot the tell")
    TECHNIQUE = "technique", _("Which technique?")

    @property
    def asks_confidence(self) -> bool:
        # Calibration needs a confidence on judgements with a right/wrong of their own;
        # clicking a region or naming a technique is scored differently.
        return self in (ItemKind.VERDICT, ItemKind.PAIR)


class Difficulty(models.TextChoices):
    EASY = "easy", _("Easy")
    MEDIUM = "medium", _("Medium")
    HARD = "hard", _("Hard")


class SpotTarget(models.TextChoices):
    REGION = "region", _("Where on the frame")
    TIME = "time", _("When in the clip")
    BOTH = "both", _("Where and when")

    @property
    def asks_region(self) -> bool:
        return self in (SpotTarget.REGION, SpotTarget.BOTH)

    @property
    def asks_time(self) -> bool:
        return self in (SpotTarget.TIME, SpotTarget.BOTH)


class Mode(models.TextChoices):
    PRACTICE = "practice", _("Practice: feedback after each item")
    ASSESSMENT = "assessment", _("Assessment: feedback at the end")
    FEED = "feed", _("Feed: a realistic stream, phone-size, each post revealed once judged")

    @property
    def reveals_each_item(self) -> bool:
        # A feed reveals a post where it stands, once judged, as practice does; the posts
        # scrolled past are told at the end.
        return self in (Mode.PRACTICE, Mode.FEED)


class SaidVerdict(models.TextChoices):
    """What a learner may answer to a verdict item: one of the clip verdicts, or in a feed
    simply "fake", which is right for either kind of manipulation."""

    REAL = "real", _("Real")
    DEEPFAKE = "deepfake", _("Deepfake")
    SHALLOWFAKE = "shallowfake", _("Shallowfake")
    FAKE = "fake", _("Fake")

    @classmethod
    def feed_choices(cls) -> list[tuple[str, str]]:
        return [(cls.FAKE, _("Looks fake")), (cls.REAL, _("Looks real"))]


class Selection(models.TextChoices):
    FIXED = "fixed", _("A fixed list of items")
    POOL = "pool", _("A draw from the item pool")


class Order(models.TextChoices):
    ORDERED = "ordered", _("In order")
    SHUFFLED = "shuffled", _("Shuffled for each attempt")


class Slot(models.TextChoices):
    """The two clips of a pair item as the learner sees them."""

    A = "a", _("Clip A")
    B = "b", _("Clip B")


class Outcome(models.TextChoices):
    """How an answer went, the one rule behind every page that says so (the reveal's heading,
    the results' list): full marks are right, some marks partly right, none wrong. Partly right
    is its own word and colour, never shown as wrong on one page and as partly right on another."""

    RIGHT = "right", _("Right")
    PARTLY = "partly", _("Partly right")
    WRONG = "wrong", _("Wrong")

    @classmethod
    def of(cls, *, correct: bool, score: float) -> Outcome:
        if correct:
            return cls.RIGHT
        return cls.PARTLY if score > 0 else cls.WRONG

    @property
    def css_class(self) -> str:
        return f"outcome-{self.value}"
