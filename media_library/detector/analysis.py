"""Analyse one file: decode it once, measure every signal, score both families.

`analyze_file` works on any local file (the `analyze_clip` command, the evaluation of a dataset
folder); `run_clip_analysis` does it for a clip of the library and stores the result.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from media_library.detector.faces import FaceTracker
from media_library.detector.footage import Footage, read_footage
from media_library.detector.measurements import Measurement
from media_library.detector.scoring import SIGNALS_VERSION, FamilyScore, Weights
from media_library.detector.signals.editing import measure_editing
from media_library.detector.signals.face import face_timeline, measure_face
from media_library.processing import MediaRejected

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
                }
                for name, score in self.scores.items()
            },
            "measurements": [m.as_json() for m in self.measurements],
        }


def measure(
    path: Path,
    original: Path | None = None,
    progress: Callable[[float], None] | None = None,
) -> tuple[Footage, list[Measurement], list[tuple[float, float]], float | None, bool]:
    """Decode and measure; the slow part, independent of the weights. The last value says
    whether the original could be compared (a video original of a video clip)."""
    tracker = FaceTracker()
    footage = read_footage(path, on_face_frame=tracker, face_fps=FACE_FPS, progress=progress)
    original_footage = None
    if original is not None and footage.kind == "video":
        try:
            original_footage = read_footage(original)
        except MediaRejected:
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
) -> Analysis:
    """Raises MediaRejected when the file cannot be decoded."""
    started = time.perf_counter()
    weights = weights or Weights.current()
    footage, measurements, timeline, face_seconds, compared = measure(path, original, progress)
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


@contextlib.contextmanager
def clip_file(clip) -> Iterator[Path | None]:
    """A local path to what the detector should look at: the upload as received when it is
    kept (re-encoding would smooth away editing traces), else the processed file."""
    from media_library.processing.workdir import local_path

    stored = clip.source_file or clip.media_file
    if not stored:
        yield None
        return
    with local_path(stored.storage, stored.name) as path:
        yield path


def run_clip_analysis(analysis, weights: Weights | None = None) -> bool:
    """Measure and score a claimed ClipAnalysis, store the outcome. Any failure is stored as
    a reason a curator can read, and the analysis can be retried."""
    from media_library.models import ProcessingStatus

    clip = analysis.clip
    started = time.perf_counter()
    try:
        if clip.processing_status != ProcessingStatus.READY:
            raise MediaRejected("The clip has not been processed yet.")
        original = clip.original if clip.is_manipulated and clip.original_id else None
        if original is not None and original.processing_status != ProcessingStatus.READY:
            original = None
        with clip_file(clip) as path, contextlib.ExitStack() as stack:
            if path is None:
                raise MediaRejected("The clip has no file to analyse.")
            original_path = stack.enter_context(clip_file(original)) if original else None
            result = analyze_file(path, original_path, weights)
    except MediaRejected as error:
        store_failure(analysis, str(error))
        return False
    except Exception as error:
        # The worker stays up and the curator sees a reason; the traceback goes to the log.
        store_failure(analysis, f"The detector failed on this clip ({type(error).__name__}).")
        raise
    result.seconds_taken = time.perf_counter() - started
    store_result(analysis, result)
    return True


def store_scores(analysis, scores: dict[str, FamilyScore], weights: Weights) -> None:
    for name, score in scores.items():
        setattr(analysis, f"{name}_probability", score.probability)
        setattr(analysis, f"{name}_low", score.low)
        setattr(analysis, f"{name}_high", score.high)
        setattr(analysis, f"{name}_abstained", score.abstained)
        setattr(analysis, f"{name}_why", score.why)
    analysis.reasons = {name: score.reasons for name, score in scores.items()}
    analysis.weights_version = weights.version
    analysis.calibrated = weights.calibrated


def store_result(analysis, result: Analysis) -> None:
    from media_library.models.analysis import AnalysisStatus

    store_scores(analysis, result.scores, result.weights)
    analysis.measurements = [m.as_json() for m in result.measurements]
    analysis.timeline = [[round(t, 3), round(v, 4)] for t, v in result.timeline]
    analysis.face_seconds = result.face_seconds
    analysis.compared_with_original = result.compared_with_original
    analysis.signals_version = SIGNALS_VERSION
    analysis.seconds_taken = round(result.seconds_taken, 3)
    analysis.status = AnalysisStatus.DONE
    analysis.error = ""
    analysis.finished_at = timezone.now()
    analysis.save()


def store_failure(analysis, reason: str) -> None:
    from media_library.models.analysis import AnalysisStatus

    analysis.status = AnalysisStatus.FAILED
    analysis.error = reason
    analysis.finished_at = timezone.now()
    analysis.save(update_fields=["status", "error", "finished_at"])


def rescore(analysis, weights: Weights) -> None:
    """New weights on stored measurements: no decoding needed."""
    measurements = [Measurement.from_json(m) for m in analysis.measurements]
    store_scores(analysis, weights.score(measurements, analysis.face_seconds), weights)
    analysis.save()
