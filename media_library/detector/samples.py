"""One analysed clip as fitting and held-out figures see it: its measurements, its labels and
where it comes from. Apart from `fitting.py` so that what stores analyses (media_library's
models, loaded by every process) need not load scikit-learn, which only fitting and
evaluating use."""

from __future__ import annotations

from dataclasses import dataclass, field

from media_library.detector.measurements import Family, Measurement
from media_library.detector.scoring import abstention


@dataclass
class Sample:
    """One analysed clip as the fit sees it."""

    measurements: list
    face_seconds: float | None
    labels: dict[str, int | None]  # family -> 1 manipulated that way / 0 not / None: leave out
    group: int | str  # identity: the original's for a fake made from one, else the clip's own
    technique: str
    # Where the clip comes from (a dataset, a collection): held-out figures leave one out.
    source: str = ""
    # How a fake was made (a method, a workshop recipe); "" for real clips.
    method: str = ""
    # A bucket of how heavily the file is compressed, for reporting only.
    compression: str = ""
    with_original: bool = False
    _scored: dict = field(default_factory=dict, repr=False, compare=False)

    def as_json(self) -> dict:
        return {
            "measurements": [m.as_json() for m in self.measurements],
            "face_seconds": self.face_seconds,
            "labels": self.labels,
            "group": self.group,
            "technique": self.technique,
            "source": self.source,
            "method": self.method,
            "compression": self.compression,
            "with_original": self.with_original,
        }

    @classmethod
    def from_json(cls, data: dict) -> Sample:
        """Back from `as_json()`: a samples file written by `make evaluate-detector`."""
        return cls(
            measurements=[Measurement.from_json(m) for m in data["measurements"]],
            face_seconds=data["face_seconds"],
            labels={k: (None if v is None else int(v)) for k, v in data["labels"].items()},
            group=data["group"],
            technique=data.get("technique", ""),
            source=data.get("source", ""),
            method=data.get("method", ""),
            compression=data.get("compression", ""),
            with_original=bool(data.get("with_original", False)),
        )

    @property
    def kind(self) -> str:
        """ "image" for a still (scored without face seconds), else "video"."""
        return "image" if self.face_seconds is None else "video"

    def scored_by(self, family: str) -> bool:
        """Whether `family` gives this clip a score at all (abstentions are not fitted on:
        their features are zeros for want of evidence, not for want of manipulation)."""
        if family not in self._scored:
            mine = [m for m in self.measurements if m.family == Family(family)]
            self._scored[family] = not abstention(Family(family), mine, self.face_seconds)
        return self._scored[family]
