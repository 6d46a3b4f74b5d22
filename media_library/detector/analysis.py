"""Analyse one file: decode it once, measure every signal, score both families.

`analyze_file` works on any local file: the `analyze_clip` command, the evaluation of a dataset
folder, and `ClipAnalysis.run()` for a clip of the library (which stores the result).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from media_library.detector.faces import FaceTracker
from media_library.detector.footage import (
    SAFE_RULES,
    ContainerRules,
    DecodeError,
    Footage,
    read_footage,
)
from media_library.detector.measurements import Measurement
from media_library.detector.scoring import SIGNALS_VERSION, FamilyScore, Weights
from media_library.detector.signals.editing import measure_editing
from media_library.detector.signals.face import face_timeline, measure_face

# Face frames per second handed to the tracker: enough to catch a blink (100 to 400 ms).
FACE_FPS = 12.0

# Given the clip's decoded footage, the library finds its original: the original's footage and
# a note of what was found (kept in the analysis), or None. It may also just keep a fingerprint.
Lookup = Callable[[Footage], "tuple[Footage, dict] | None"]


@dataclass
class Analysis:
    """Everything the detector found on one file."""

    measurements: list[Measurement]
    scores: dict[str, FamilyScore]
    timeline: list[tuple[float, float]]
    face_seconds: float | None
    weights: Weights
    compared_with_original: bool = False
    # The original found by looking the clip up in a library (no original was named), or None.
    original_found: dict | None = None
    seconds_taken: float = 0.0
    footage_kind: str = "video"
    duration: float = 0.0

    def as_json(self) -> dict:
        return {
            "detector": {
                "signals_version": SIGNALS_VERSION,
                "weights_version": self.weights.version,
                "calibrated": self.weights.calibrated,
            },
            "kind": self.footage_kind,
            "duration": round(self.duration, 3),
            "face_seconds": self.face_seconds,
            "compared_with_original": self.compared_with_original,
            "original_found": self.original_found,
            "seconds_taken": round(self.seconds_taken, 3),
            "scores": {
                name: {
                    "probability": score.probability,
                    "interval": [score.low, score.high],
                    "abstained": score.abstained,
                    "why": score.why,
                    "reasons": score.reasons,
                    "held_out": score.held_out,
                }
                for name, score in self.scores.items()
            },
            "measurements": [m.as_json() for m in self.measurements],
        }


def measure(
    path: Path,
    original: Path | None = None,
    progress: Callable[[float], None] | None = None,
    rules: ContainerRules = SAFE_RULES,
    lookup: Lookup | None = None,
) -> tuple[Footage, list[Measurement], list[tuple[float, float]], float | None, bool, dict | None]:
    """Decode and measure; the slow part, independent of the weights. The fifth value says
    whether the original could be compared (a video original of a video clip), the last what
    `lookup` found when no original was named. `lookup` gets the clip's own decoded footage,
    so a fingerprint costs no second decode."""
    tracker = FaceTracker()
    footage = read_footage(
        path, on_face_frame=tracker, face_fps=FACE_FPS, progress=progress, rules=rules
    )
    original_footage = None
    if original is not None and footage.kind == "video":
        try:
            original_footage = read_footage(original, rules=rules)
        except DecodeError:
            original_footage = None  # measured without it; the signals say so
        if original_footage is not None and original_footage.kind != "video":
            original_footage = None
    found_note = None
    if lookup is not None and footage.kind == "video":
        found = lookup(footage)
        if found is not None and original_footage is None:
            original_footage, found_note = found
    measurements = measure_face(footage, tracker) + measure_editing(footage, original_footage)
    face_seconds = None if footage.kind == "image" else tracker.tracked_seconds
    compared = original_footage is not None
    return footage, measurements, face_timeline(tracker), face_seconds, compared, found_note


def analyze_file(
    path: Path,
    original: Path | None = None,
    weights: Weights | None = None,
    progress: Callable[[float], None] | None = None,
    rules: ContainerRules = SAFE_RULES,
    lookup: Lookup | None = None,
) -> Analysis:
    """Measure and score `path` (with the default, uncalibrated weights unless given some).
    Raises DecodeError when the file cannot be decoded."""
    started = time.perf_counter()
    weights = weights or Weights.default()
    footage, measurements, timeline, face_seconds, compared, found = measure(
        path, original, progress, rules, lookup
    )
    return Analysis(
        measurements=measurements,
        scores=weights.score(measurements, face_seconds),
        timeline=timeline,
        face_seconds=face_seconds,
        weights=weights,
        compared_with_original=compared,
        original_found=found,
        seconds_taken=time.perf_counter() - started,
        footage_kind=footage.kind,
        duration=footage.video_duration if footage.kind == "video" else 0.0,
    )
