"""The mouth (tells: teeth and mouth, lip sync): detail inside the open mouth, and whether the
mouth opens and closes with the loudness of the speech.

Face swaps and lip-sync fakes draw the inside of the mouth worst (teeth come out as a blur), and
a mouth regenerated for new audio (Wav2Lip and the like) moves with sounds it guesses, not with
the ones heard (Agarwal et al. 2020).
"""

from __future__ import annotations

import numpy as np

from media_library.detector import tells
from media_library.detector.faces import FaceFrame, FaceTracker
from media_library.detector.footage import AUDIO_HOP_SECONDS, Footage
from media_library.detector.measurements import Measurement, Reason, clock
from media_library.detector.signals.face_common import (
    FACE,
    MIN_TRACKED_SECONDS,
    NO_FACE,
    excess_feature,
    size_factor,
)

# Feature thresholds: the value where the feature starts above 0, and how much more is one unit.
# Each sits just past what real dev footage showed (docs/detector-face-signals.md has the figures).
MOUTH_DETAIL_LOW, MOUTH_DETAIL_UNIT = 1.8, 0.4  # mouth interior detail / face detail
LIP_SYNC_LOW, LIP_SYNC_UNIT = 0.15, 0.1  # Pearson r of mouth opening vs loudness
LIP_SYNC_MAX_LAG = 0.2  # seconds either way: sound may lead or trail the lips a little


def mouth_detail(frames: list[FaceFrame], step: float, still: bool = False) -> Measurement:
    name, tell, unit = "mouth_detail", tells.TEETH_MOUTH, "x face detail"
    if not frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    open_frames = [f for f in frames if f.mouth_detail is not None]
    if len(open_frames) < (1 if len(frames) == 1 else 8):
        why = "The mouth was hardly ever open, so the teeth could not be examined."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    ratios = np.array([f.mouth_detail for f in open_frames])
    value = float(np.median(ratios))
    feature = excess_feature(MOUTH_DETAIL_LOW - value, MOUTH_DETAIL_UNIT)
    blurriest = open_frames[int(np.argmin(ratios))]
    # A still image has no moments: its reasons name no time and seek nowhere.
    when = None if still else blurriest.time
    example = "" if when is None else f" (e.g. at {clock(when)})"
    if feature > 0:
        text = (
            f"When the mouth is open{example} the teeth and inside of "
            f"the mouth are blurrier than the rest of the face ({value:.1f} times its detail)."
        )
    else:
        text = f"The teeth and mouth show ordinary detail when open ({value:.1f} times the face's)."
    seconds = len(open_frames) * (step or 1.0)
    return Measurement(
        name,
        FACE,
        tell,
        round(value, 3),
        unit,
        feature,
        min(1.0, seconds / 3) * size_factor(frames),
        [Reason(text, when, when)],
        {"open_mouth_frames": len(open_frames), "lowest": round(float(ratios.min()), 3)},
    )


def lip_sync(footage: Footage, track: FaceTracker) -> Measurement:
    name, tell, unit = "lip_sync", tells.LIP_SYNC, "correlation"
    if footage.kind == "image":
        return Measurement.unmeasured(name, FACE, tell, unit, "A still image has no sound.")
    if not footage.has_audio:
        why = "The clip has no sound, so lip-sync cannot be checked."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    if not track.frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    if track.tracked_seconds < MIN_TRACKED_SECONDS:
        why = "The face was tracked too briefly to compare its mouth with the sound."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    envelope = footage.audio_envelope
    times = np.array([f.time for f in track.frames])
    mouth = np.array([f.mouth_open for f in track.frames])
    loudness_all = _loudness_at(envelope, times)
    if np.std(loudness_all) < 1e-4 or np.percentile(loudness_all, 90) < 1e-3:
        why = "The soundtrack is silent while the face is seen."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    if np.std(mouth) < 0.02:
        why = "The mouth hardly moves, so there is no speech to match with the sound."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    best, best_lag = -1.0, 0.0
    for lag in np.arange(-LIP_SYNC_MAX_LAG, LIP_SYNC_MAX_LAG + 1e-9, AUDIO_HOP_SECONDS * 2):
        loudness = _loudness_at(envelope, times + lag)
        if np.std(loudness) < 1e-9:
            continue
        r = float(np.corrcoef(mouth, loudness)[0, 1])
        if r > best:
            best, best_lag = r, float(lag)
    feature = excess_feature(LIP_SYNC_LOW - best, LIP_SYNC_UNIT)
    if feature > 0:
        text = "The mouth does not open and close with the loudness of the speech."
    else:
        text = "The mouth moves in step with the loudness of the speech."
    return Measurement(
        name,
        FACE,
        tell,
        round(best, 3),
        unit,
        feature,
        min(1.0, track.tracked_seconds / 10) * size_factor(track.frames),
        [Reason(text)],
        {"best_lag_seconds": round(best_lag, 3)},
    )


def _loudness_at(envelope: np.ndarray, times: np.ndarray) -> np.ndarray:
    # Mean loudness over the 60 ms around each time: mouth shapes span a few audio hops.
    centre = np.round(times / AUDIO_HOP_SECONDS).astype(int)
    values = []
    for c in centre:
        window = envelope[max(0, c - 1) : max(0, c + 2)]
        values.append(float(window.mean()) if len(window) else 0.0)
    return np.asarray(values)
