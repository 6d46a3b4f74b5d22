"""Highlights in the eyes (tell: lighting): the reflections of one light source sit in the same
place in both eyes; a face composited or generated piecewise may be lit twice."""

from __future__ import annotations

import numpy as np

from media_library.detector import tells
from media_library.detector.faces import FaceFrame
from media_library.detector.measurements import Measurement, Reason
from media_library.detector.signals.face_common import FACE, NO_FACE, excess_feature

# Feature thresholds: the value where the feature starts above 0, and how much more is one unit.
# Each sits just past what real dev footage showed (docs/detector-face-signals.md has the figures).
HIGHLIGHT_HIGH, HIGHLIGHT_UNIT = 0.8, 0.25  # eye widths between the two eyes' highlights
HIGHLIGHT_CONTRAST = 40  # grey levels over the eye's median for a highlight to count


def eye_highlights(frames: list[FaceFrame]) -> Measurement:
    name, tell, unit = "eye_highlights", tells.LIGHTING, "eye widths"
    if not frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    usable = [
        f
        for f in frames
        if f.highlights is not None and f.highlights[:, 2].min() >= HIGHLIGHT_CONTRAST
    ]
    if len(usable) < min(10, len(frames)):
        why = "The eyes were too small or too dim to show clear highlights."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    distances = np.array(
        [np.linalg.norm(f.highlights[0, :2] - f.highlights[1, :2]) for f in usable]
    )
    value = float(np.median(distances))
    feature = excess_feature(value - HIGHLIGHT_HIGH, HIGHLIGHT_UNIT)
    if feature > 0:
        text = "The light reflected in the two eyes sits in different places, as if lit twice."
    else:
        text = "The reflections in the two eyes agree, as one light source would make them."
    eye_width = np.median([np.linalg.norm(f.landmarks[39] - f.landmarks[36]) for f in usable])
    return Measurement(
        name,
        FACE,
        tell,
        round(value, 3),
        unit,
        feature,
        # Eyes under ~30 px wide (most compressed web video) give coarse highlight positions.
        min(1.0, len(usable) / 30) * min(1.0, float(eye_width) / 30),
        [Reason(text)],
        {"frames": len(usable), "eye_width_pixels": round(float(eye_width), 1)},
    )
