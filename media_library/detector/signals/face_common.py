"""What the face signals share: the family they feed, the reason given without a face, and how a
measured excess becomes a feature and how face size limits the evidence."""

from __future__ import annotations

import numpy as np

from media_library.detector.faces import FaceFrame
from media_library.detector.measurements import Family

FACE = Family.FACE
# Less tracked face than this (seconds): blinks cannot be counted, nor the mouth matched with
# the sound.
MIN_TRACKED_SECONDS = 3.0
NO_FACE = "No face was found and tracked in this clip, so the face could not be examined."


def excess_feature(excess: float, unit: float) -> float:
    """How far past its threshold a value is, in units, clipped to the scorer's [0, 3]."""
    return float(np.clip(excess / unit, 0.0, 3.0))


def size_factor(frames: list[FaceFrame]) -> float:
    # Below ~80 px across, compression leaves little detail for these comparisons.
    return min(1.0, float(np.median([f.face_width for f in frames])) / 80)
