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


@dataclass
class Analysis:
    """Everything the detector found on one file."""

    measurements: list[Measurement]
    scores: dict[str, FamilyScore]
    timeline: list[tuple[float, float]]
    face_seconds: float | None
    weights: Weights
    compared_with_original: bool = False
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
) -> tuple[Footage, list[Measurement], list[tuple[float, float]], float | None, bool]:
    """Decode and measure; the slow part, independent of the weights. The last value says
    whether the original could be compared (a video original of a video clip)."""
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
    measurements = measure_face(footage, tracker) + measure_editing(footage, original_footage)
    face_seconds = None if footage.kind == "image" else tracker.tracked_seconds
    compared = original_footage is not None
    return footage, measurements, face_timeline(tracker), face_seconds, compared


def analyze_file(
    path: Path,
    original: Path | None = None,
    weights: Weights | None = None,
    progress: Callable[[float], None] | None = None,
    rules: ContainerRules = SAFE_RULES,
) -> Analysis:
    """Measure and score `path` (with the default, uncalibrated weights unless given some).
    Raises DecodeError when the file cannot be decoded."""
    started = time.perf_counter()
    weights = weights or Weights.default()
    footage, measurements, timeline, face_seconds, compared = measure(
        path, original, progress, rules
    )
    return Analysis(
        measurements=measurements,
        scores=weights.score(measurements, face_seconds),
        timeline=timeline,
        face_seconds=face_seconds,
        weights=weights,
        compared_with_original=compared,
        seconds_taken=time.perf_counter() - started,
        footage_kind=footage.kind,
        duration=footage.video_duration if footage.kind == "video" else 0.0,
    )
