"""What every signal returns: a measured quantity, the scorer's feature made from it, and the
reasons a person can read ("no blink between 0:03 and 0:15"), each tied to a tell category so the
reveal can link the lesson for it."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field


class Family(enum.StrEnum):
    """Which of the two scores a measurement feeds."""

    FACE = "face"  # face manipulation: swaps, reenactment, synthesis
    EDITING = "editing"  # shallowfake editing: speed changes, cuts, splices


@dataclass(frozen=True)
class Reason:
    """One plain-words observation, with where in the clip it was seen (seconds, or None for
    the whole clip or a still image)."""

    text: str
    start: float | None = None
    end: float | None = None


@dataclass
class Measurement:
    """One signal measured on one clip.

    `value` is the quantity in `unit` (blinks per minute, a speed ratio, a count of cuts…) and
    None when the clip did not allow measuring it (no face tracked, no audio, a still image):
    a signal that could not be measured is reported as such, never guessed.

    `feature` is what the scorer weighs: 0 means "as in ordinary, unedited footage", larger
    means more unusual in the direction that manipulation produces, and it is clipped to
    [0, 3] by the signal so one wild number cannot swamp the others. None whenever `value` is.

    `strength` says how much evidence stands behind the value (0..1: e.g. how many seconds of
    tracked face, how many frames); the scorer abstains when too little stands behind a family.
    """

    name: str
    family: Family
    tell: str  # one of `tells` (a media_library TellCategory value)
    value: float | None
    unit: str
    feature: float | None
    strength: float = 0.0
    reasons: list[Reason] = field(default_factory=list)
    # Further numbers for the curator's breakdown; JSON-serialisable.
    detail: dict = field(default_factory=dict)

    @property
    def measured(self) -> bool:
        return self.value is not None and self.feature is not None

    def as_json(self) -> dict:
        data = asdict(self)
        data["family"] = self.family.value
        return data

    @classmethod
    def from_json(cls, data: dict) -> Measurement:
        """Back from `as_json()` (a stored analysis), for re-scoring and fitting."""
        return cls(
            name=data["name"],
            family=Family(data["family"]),
            tell=data["tell"],
            value=data["value"],
            unit=data["unit"],
            feature=data["feature"],
            strength=data.get("strength", 0.0),
            reasons=[Reason(**reason) for reason in data.get("reasons", [])],
            detail=data.get("detail", {}),
        )

    @classmethod
    def unmeasured(cls, name: str, family: Family, tell: str, unit: str, why: str) -> Measurement:
        """A signal the clip did not allow measuring, with the reason in `detail`."""
        return cls(name, family, tell, None, unit, None, 0.0, [], {"not_measured": why})


def clock(seconds: float) -> str:
    """0:03, 1:05:09: how reasons write a moment."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
