"""The face against its surroundings (tells: face edges and flicker, skin tone): a face pasted
onto another head is blended in at its edge, its colour is corrected frame by frame on its own,
and its skin may not match the forehead or neck it was put on.

Boundary artefacts and flicker are among the most reliable face-swap traces on compressed video
(Li & Lyu 2019; FaceForensics++, Rössler et al. 2019). Each signal compares the face with a ring
of skin, hair and background just outside its outline, measured by the tracker in `faces.py`.
"""

from __future__ import annotations

import math

import numpy as np

from media_library.detector import tells
from media_library.detector.faces import FaceFrame, FaceTracker
from media_library.detector.measurements import Measurement, Reason, clock
from media_library.detector.signals.face_common import FACE, NO_FACE, excess_feature, size_factor

# Feature thresholds: the value where the feature starts above 0, and how much more is one unit.
# Each sits just past what real dev footage showed (docs/detector-face-signals.md has the figures).
BLUR_STEP_HIGH, BLUR_STEP_UNIT = 0.3, 0.15  # log(ring detail / face detail)
FLICKER_HIGH, FLICKER_UNIT = 1.3, 0.4  # Lab units, frame-to-frame face-vs-ring colour jitter
SKIN_HIGH, SKIN_UNIT = 9.0, 3.0  # Lab chroma distance cheeks vs forehead/neck


def blur_step(frame: FaceFrame) -> float:
    return math.log(max(frame.ring_detail, 0.1) / max(frame.face_detail, 0.1))


def boundary_blending(frames: list[FaceFrame], seconds: float, still: bool = False) -> Measurement:
    name, tell, unit = "boundary_blending", tells.FACE_EDGES, "log detail ratio"
    if not frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    steps = np.array([blur_step(f) for f in frames])
    value = float(np.median(steps))
    feature = excess_feature(value - BLUR_STEP_HIGH, BLUR_STEP_UNIT)
    worst = frames[int(np.argmax(steps))]
    seam = float(
        np.median([math.log(max(f.seam_detail, 0.1) / max(f.face_detail, 0.1)) for f in frames])
    )
    # A still image has no moments: its reasons name no time and seek nowhere.
    when = None if still else worst.time
    if feature > 0:
        most = "" if when is None else f" (most of all at {clock(when)})"
        text = (
            f"The face is smoother than the hair, skin and background just around it"
            f"{most}, as when a pasted face is blended in."
        )
    else:
        text = "The face is as sharp as its surroundings, with no smoothed edge."
    return Measurement(
        name,
        FACE,
        tell,
        round(value, 3),
        unit,
        feature,
        min(1.0, seconds / 10) * size_factor(frames),
        [Reason(text, when, when) if feature > 0 else Reason(text)],
        {"ring_over_face_detail": round(math.exp(value), 3), "seam_log_ratio": round(seam, 3)},
    )


def flicker_series(run: list[FaceFrame]) -> np.ndarray:
    """Per frame, how far the face-minus-ring colour jumps from its local running median (Lab
    units summed over L, a, b): lighting changes move face and ring together and cancel."""
    difference = np.array([f.face_lab - f.ring_lab for f in run], np.float64)
    if len(run) < 3:
        return np.zeros(len(run))
    smooth = np.empty_like(difference)
    for i in range(len(run)):
        smooth[i] = np.median(difference[max(0, i - 2) : i + 3], axis=0)
    return np.abs(difference - smooth).sum(axis=1)


def colour_flicker(track: FaceTracker, still: bool) -> Measurement:
    name, tell, unit = "colour_flicker", tells.FACE_EDGES, "Lab units/frame"
    if still:
        return Measurement.unmeasured(name, FACE, tell, unit, "A still image cannot flicker.")
    if not track.frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    runs = [run for run in track.segments() if len(run) >= 5]
    if not runs:
        why = "The face was not tracked for long enough in a row to follow its colour."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    times = np.concatenate([[f.time for f in run] for run in runs])
    jitter = np.concatenate([flicker_series(run) for run in runs])
    value = float(np.median(jitter))
    feature = excess_feature(value - FLICKER_HIGH, FLICKER_UNIT)
    peak = float(times[int(np.argmax(jitter))])
    if feature > 0:
        text = (
            f"The face's colour flickers from frame to frame while its surroundings stay "
            f"steady (strongest at {clock(peak)})."
        )
    else:
        text = "The face's colour changes together with its surroundings, without flicker."
    return Measurement(
        name,
        FACE,
        tell,
        round(value, 3),
        unit,
        feature,
        min(1.0, len(jitter) * track.sample_step / 10),
        [Reason(text, peak, peak) if feature > 0 else Reason(text)],
        {"p90": round(float(np.percentile(jitter, 90)), 3), "frames": len(jitter)},
    )


def skin_tone(frames: list[FaceFrame]) -> Measurement:
    name, tell, unit = "skin_tone", tells.SKIN, "Lab chroma distance"
    if not frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    distances = {}
    for part in ("forehead", "neck"):
        values = [
            float(np.linalg.norm((f.cheek_lab - getattr(f, f"{part}_lab"))[1:]))
            for f in frames
            if getattr(f, f"{part}_lab") is not None
        ]
        if len(values) >= min(5, len(frames)):
            distances[part] = float(np.median(values))
    if not distances:
        why = "Neither forehead nor neck skin was visible to compare the face with."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    # The closer of the two: a real face may differ from a sunburnt neck or a made-up forehead,
    # but rarely from both.
    part, value = min(distances.items(), key=lambda item: item[1])
    feature = excess_feature(value - SKIN_HIGH, SKIN_UNIT)
    if feature > 0:
        text = f"The skin tone of the face does not match the {part} ({value:.0f} apart in hue)."
    else:
        text = f"The face's skin tone matches the {part}."
    return Measurement(
        name,
        FACE,
        tell,
        round(value, 2),
        unit,
        feature,
        min(1.0, len(frames) / 30) * size_factor(frames),
        [Reason(text)],
        {part_name: round(d, 2) for part_name, d in distances.items()},
    )
