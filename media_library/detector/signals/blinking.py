"""Blinking (tell: blinking): how often the eyes close, against how often people blink.

Early face swaps were trained on photographs, where closed eyes are rare, and blinked far less
than people do (Li, Chang & Lyu 2018). The eye aspect ratio of the landmarks dips at each blink;
the count over the time the face was seen is compared with a Poisson process at a calm resting
rate.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from media_library.detector import tells
from media_library.detector.faces import FaceTracker
from media_library.detector.measurements import Measurement, Reason, clock
from media_library.detector.signals.face_common import (
    FACE,
    MIN_TRACKED_SECONDS,
    NO_FACE,
    excess_feature,
)

# Spontaneous blinking in adults: about 17 per minute at rest and 26 in conversation
# (Bentivoglio et al., "Analysis of blink rate patterns in normal subjects", Movement Disorders
# 12(6), 1997), with wide differences between people. The lower, resting figure (rounded down to
# 15) is the assumption, so a calm or concentrating speaker is not called suspicious.
NORMAL_BLINKS_PER_MINUTE = 15.0
# A blink takes 100-400 ms; the eyes shut longer than this are looking down or closed.
LONGEST_BLINK = 0.7
# Eye aspect ratio relative to the clip's own open-eye level: a blink dips below ENTER and is
# over once back above LEAVE (hysteresis, because compressed footage jitters the landmarks).
BLINK_ENTER = 0.72
BLINK_LEAVE = 0.85
OPEN_EYE_WINDOW = 3.0  # seconds over which the open-eye level (90th percentile) is taken


def probability_of_so_few_blinks(
    blinks: int, seconds: float, per_minute: float = NORMAL_BLINKS_PER_MINUTE
) -> float:
    """P(at most `blinks` blinks in `seconds`) if blinks came as a Poisson process at the
    normal rate: small when the face blinks too rarely for the time it was seen."""
    expected = per_minute * seconds / 60
    term = total = math.exp(-expected)
    for k in range(1, blinks + 1):
        term *= expected / k
        total += term
    return min(1.0, total)


def find_blinks(times: np.ndarray, ear: np.ndarray) -> tuple[list[float], list[tuple]]:
    """Blink moments and longer eye closures in one run of consecutive frames."""
    level = np.empty_like(ear)
    half = OPEN_EYE_WINDOW / 2
    for i, t in enumerate(times):
        window = ear[(times >= t - half) & (times <= t + half)]
        level[i] = np.percentile(window, 90)
    relative = ear / np.maximum(level, 1e-3)
    blinks: list[float] = []
    closures: list[tuple] = []
    start = None
    for i, value in enumerate(relative):
        if start is None and value < BLINK_ENTER:
            start = i
        elif start is not None and value > BLINK_LEAVE:
            lowest = start + int(np.argmin(relative[start:i]))
            if times[i] - times[start] <= LONGEST_BLINK:
                blinks.append(float(times[lowest]))
            else:
                closures.append((float(times[start]), float(times[i])))
            start = None
    if start is not None:
        closures.append((float(times[start]), float(times[-1])))
    return blinks, closures


def blink_rate(track: FaceTracker, still: bool) -> Measurement:
    name, tell, unit = "blink_rate", tells.BLINKING, "blinks/min"
    if still:
        return Measurement.unmeasured(name, FACE, tell, unit, "A still image shows no blinking.")
    if not track.frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    if track.tracked_seconds < MIN_TRACKED_SECONDS:
        why = (
            f"The face was tracked for only {track.tracked_seconds:.1f} s: too short to count "
            "blinks."
        )
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    blinks: list[float] = []
    gaps: list[tuple[float, float]] = []  # stretches of open, tracked eyes without a blink
    for run in track.segments():
        times = np.array([f.time for f in run])
        found, closures = find_blinks(times, np.array([f.ear for f in run]))
        blinks += found
        # A gap ends at a blink, a long closure or the end of the tracked run.
        marks = sorted([times[0], times[-1], *found, *(c for closure in closures for c in closure)])
        gaps += list(itertools.pairwise(marks))
    seconds = track.tracked_seconds
    count = len(blinks)
    rate = 60 * count / seconds
    probability = probability_of_so_few_blinks(count, seconds)
    start, end = (float(t) for t in max(gaps, key=lambda gap: gap[1] - gap[0]))
    longest = end - start
    reasons = []
    if count == 0:
        reasons.append(
            Reason(
                f"No blink in the {seconds:.0f} s the face was seen; people blink every "
                f"3 to 4 s on average (a chance of {probability:.1%} for so few).",
                float(start),
                float(end),
            )
        )
    elif longest >= 8:
        reasons.append(
            Reason(
                f"No blink between {clock(start)} and {clock(end)} ({longest:.0f} s); people "
                "blink every 3 to 4 s on average.",
                float(start),
                float(end),
            )
        )
    if count:
        judgement = "fewer than usual" if probability < 0.1 else "within the usual range"
        reasons.append(
            Reason(
                f"The eyes blink {count} times in {seconds:.0f} s ({rate:.0f} a minute), "
                f"{judgement}."
            )
        )
    return Measurement(
        name,
        FACE,
        tell,
        round(rate, 2),
        unit,
        excess_feature(-math.log10(max(probability, 1e-12)) - 1, 1.0),
        min(1.0, seconds / 20),
        reasons,
        {
            "blinks": count,
            "blink_times": [round(t, 2) for t in blinks],
            "tracked_seconds": round(seconds, 2),
            "longest_gap_seconds": round(longest, 2),
            "longest_gap": [round(float(start), 2), round(float(end), 2)],
            "probability_so_few": probability,
            "assumed_blinks_per_minute": NORMAL_BLINKS_PER_MINUTE,
        },
    )
