"""Editing traces (shallowfakes): what speed changes, cuts and splices leave in the frames.

Everything here works on the grey thumbnails and timestamps of `Footage`, with numpy:

- repeated frames: slowing a clip without blending repeats source frames on a cadence (one in
  four at 0.75x). A repeat counts only where its neighbours move, since in a still shot every
  frame looks like the one before.
- blended frames: frame-blending slow motion makes frames that are a mix of their neighbours,
  so every changing pixel sits the same fraction of the way between them. In real motion,
  edges pass pixels at different moments and the fractions scatter.
- cuts and jumps: a frame-to-frame change far above the motion around it, on its own. A cut
  changes the whole scene; a jump keeps the scene and moves what is in it (a splice).
- timestamps: gaps and irregular intervals between frames.
- audio against video length.
With the clip's original, `alignment` adds the speed ratio and the removed stretches.
"""

from __future__ import annotations

import math

import numpy as np

from media_library.detector import tells
from media_library.detector.footage import Footage
from media_library.detector.measurements import Family, Measurement, Reason, clock
from media_library.detector.signals.alignment import TIMES, measure_against_original, pooled

SIGNALS = (
    ("repeated_frames", tells.SPEED_CHANGE, "share of frames"),
    ("blended_frames", tells.SPEED_CHANGE, "share of frames"),
    ("cuts", tells.CUT_SPLICE, "cuts"),
    ("jumps", tells.CUT_SPLICE, "jumps"),
    ("timestamps", tells.SPEED_CHANGE, "share of intervals"),
    ("av_length", tells.VOICE_AUDIO, "seconds"),
    ("speed_vs_original", tells.SPEED_CHANGE, "ratio"),
    ("removed_vs_original", tells.CUT_SPLICE, "seconds"),
)

# Mean grey-level change (0..255) between pooled thumbnails below which a frame did not move.
STILL_CHANGE = 0.15
# A repeat changes less than this share of its moving neighbours' change.
REPEAT_SHARE = 0.25
# Standard frame-rate conversions repeat one frame in five (24 to 30 fps) or six (25 to 30).
CONVERSION_CADENCES = (5, 6)
# Blends: pixels changing by more than this between the neighbours are the evidence...
BLEND_SPAN = 8.0
BLEND_MIN_PIXELS = 40
# ...and a blend puts nearly all of them at one fraction of the way, unlike its neighbours.
BLEND_TOLERANCE = 0.12
BLEND_AGREEMENT = 0.9
BLEND_MARGIN = 0.15
# A discontinuity is this many times the motion around it and stands alone.
SPIKE_RATIO = 8.0
SPIKE_ALONE = 3.0
SPIKE_FLOOR = 0.3
# Across a cut the coarse layout of the picture no longer correlates.
SAME_SCENE = 0.6
# A pts gap: an interval this many times the usual one.
GAP_FACTOR = 1.5
LONG_GAP_SECONDS = 0.25
# Audio and video of ordinary files differ by encoder padding, well under this.
AV_TOLERANCE = 0.15
EVIDENCE_FRAMES = 150


def measure_editing(footage: Footage, original: Footage | None = None) -> list[Measurement]:
    """One Measurement per editing signal, always the names of SIGNALS in that order."""
    if footage.kind != "video" or len(footage.times) < 3:
        why = (
            "A still image has no frames to compare."
            if footage.kind != "video"
            else "The clip has too few frames to compare."
        )
        return [
            Measurement.unmeasured(name, Family.EDITING, tell, unit, why)
            for name, tell, unit in SIGNALS
        ]
    frames = pooled(footage.thumbs, 2)
    change = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2))
    cuts, jumps = measure_discontinuities(footage)
    return [
        measure_repeats(footage, change),
        measure_blends(footage),
        cuts,
        jumps,
        measure_timestamps(footage),
        measure_av_length(footage),
        *measure_against_original(footage, original),
    ]


def _measurement(name: str, value, feature, strength, reasons, detail) -> Measurement:
    tell, unit = next((tell, unit) for key, tell, unit in SIGNALS if key == name)
    feature = float(np.clip(feature, 0, 3))
    return Measurement(
        name, Family.EDITING, tell, value, unit, feature, float(strength), reasons, detail
    )


def _stretch(times: np.ndarray, indices: np.ndarray) -> tuple[float, float]:
    return float(times[indices[0]]), float(times[indices[-1]])


def measure_repeats(footage: Footage, change: np.ndarray) -> Measurement:
    """Frames (from the second on) that repeat the one before while their neighbours move."""
    before = np.r_[np.inf, change[:-1]]
    after = np.r_[change[1:], np.inf]
    neighbours = np.minimum(before, after)
    repeats = np.flatnonzero((neighbours > STILL_CHANGE) & (change < REPEAT_SHARE * neighbours))
    # Where the picture moves, judged by the livelier changes nearby so that the repeats
    # themselves do not make a moving stretch look still.
    padded = np.pad(change, 3, mode="edge")
    nearby = np.lib.stride_tricks.sliding_window_view(padded, 7)
    eligible = np.quantile(nearby, 0.75, axis=1) > STILL_CHANGE
    repeats = repeats[eligible[repeats]] + 1
    count, considered = len(repeats), int(eligible.sum())
    strength = min(1.0, considered / EVIDENCE_FRAMES)
    if considered == 0:
        return Measurement.unmeasured(
            "repeated_frames",
            Family.EDITING,
            tells.SPEED_CHANGE,
            "share of frames",
            "Nothing moves in the clip, so a repeated frame would look like any other.",
        )
    detail = {"repeated": count, "considered": considered}
    if count < 3:
        text = "Frames follow one another without repeats where the picture moves."
        return _measurement("repeated_frames", 0.0, 0.0, strength, [Reason(text)], detail)
    # The cadence comes from the spacing of repeats: in a still stretch they cannot be seen,
    # so the spacing across it is left out rather than counted as frames without repeats.
    gaps = np.diff(repeats)
    period = float(np.mean(gaps[gaps <= 1.5 * np.median(gaps)]))
    share = 1 / period
    # Repeats seen in only part of the moving footage weigh less than a cadence throughout.
    coverage = min(1.0, count * period / considered)
    cadence = max(2, round(period))
    speed = 1 - 1 / period
    start, end = _stretch(footage.times, repeats)
    detail |= {"cadence": round(period, 2), "coverage": round(coverage, 2)}
    detail["implied_speed"] = round(speed, 3)
    feature = share * 6 * min(1.0, coverage / 0.5)
    if feature < 0.1:
        text = "Frames follow one another without repeats where the picture moves."
        return _measurement("repeated_frames", share, feature, strength, [Reason(text)], detail)
    text = (
        f"One frame in {cadence} repeats the one before it from {clock(start)} to "
        f"{clock(end)} — consistent with playback at {speed:.2f}{TIMES} speed"
    )
    if cadence in CONVERSION_CADENCES:
        # Converting 24 or 25 fps footage to 30 fps repeats frames on the same cadence.
        feature *= 0.5
        text += ", or with footage converted from a lower frame rate"
    return _measurement(
        "repeated_frames", share, feature, strength, [Reason(text + ".", start, end)], detail
    )


def blend_agreement(thumbs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each inner frame: how many pixels change a lot between its neighbours, and the share
    of those that sit at the frame's own typical fraction of the way between them."""
    counts = np.zeros(max(0, len(thumbs) - 2), dtype=np.int64)
    agreement = np.zeros(len(counts))
    for index in range(len(counts)):
        first, middle, last = (thumbs[index + k].astype(np.float32) for k in range(3))
        span = last - first
        big = np.abs(span) > BLEND_SPAN
        counts[index] = int(big.sum())
        if counts[index] < BLEND_MIN_PIXELS:
            continue
        fraction = (middle[big] - first[big]) / span[big]
        typical = float(np.median(fraction))
        if 0.2 <= typical <= 0.8:  # near 0 or 1 the frame is a copy, not a mix
            agreement[index] = float(np.mean(np.abs(fraction - typical) < BLEND_TOLERANCE))
    return counts, agreement


def measure_blends(footage: Footage) -> Measurement:
    counts, agreement = blend_agreement(footage.thumbs)
    eligible = counts >= BLEND_MIN_PIXELS
    considered = int(eligible.sum())
    if considered == 0:
        return Measurement.unmeasured(
            "blended_frames",
            Family.EDITING,
            tells.SPEED_CHANGE,
            "share of frames",
            "Nothing in the clip moves enough to tell a blended frame from a real one.",
        )
    neighbours = np.maximum(np.r_[0, agreement[:-1]], np.r_[agreement[1:], 0])
    blended = np.flatnonzero(
        eligible & (agreement >= BLEND_AGREEMENT) & (agreement - neighbours >= BLEND_MARGIN)
    )
    share = len(blended) / considered
    detail = {"blended": len(blended), "considered": considered}
    strength = min(1.0, considered / EVIDENCE_FRAMES)
    if len(blended) < 3 or share < 0.02:
        text = "Moving frames look filmed, not mixed from their neighbours."
        return _measurement("blended_frames", share, share * 6, strength, [Reason(text)], detail)
    start, end = _stretch(footage.times, blended + 1)
    cadence = max(2, round(1 / share))
    text = (
        f"One frame in {cadence} from {clock(start)} to {clock(end)} is a blend of the frames "
        "around it, as frame-blending slow motion makes: moving edges look doubled."
    )
    return _measurement(
        "blended_frames", share, share * 6, strength, [Reason(text, start, end)], detail
    )


def measure_discontinuities(footage: Footage) -> tuple[Measurement, Measurement]:
    """Hard cuts and jumps inside a shot."""
    frames = pooled(footage.thumbs, 4)
    frames -= frames.mean(axis=(1, 2), keepdims=True)  # a keyframe's brightness step is no cut
    steps = np.abs(np.diff(frames, axis=0)).reshape(len(frames) - 1, -1)
    change = np.quantile(steps, 0.9, axis=1)
    count = len(change)
    around = np.array(
        [
            np.median(np.r_[change[max(0, i - 8) : max(0, i - 1)], change[i + 2 : i + 9]])
            if count > 3
            else SPIKE_FLOOR
            for i in range(count)
        ]
    )
    ratio = change / np.maximum(around, SPIKE_FLOOR)
    beside = np.maximum(np.r_[0, change[:-1]], np.r_[change[1:], 0])
    alone = change / np.maximum(beside, SPIKE_FLOOR)
    spikes = np.flatnonzero((ratio >= SPIKE_RATIO) & (alone >= SPIKE_ALONE))
    coarse = pooled(footage.thumbs, 8).reshape(len(footage.thumbs), -1)
    cut_times, jump_times, jump_ratios = [], [], []
    for index in spikes:
        time = float(footage.times[index + 1])
        if _correlation(coarse[index], coarse[index + 1]) < SAME_SCENE:
            cut_times.append(time)
        else:
            jump_times.append(time)
            jump_ratios.append(float(ratio[index]))
    strength = min(1.0, len(footage.times) / EVIDENCE_FRAMES)
    cut_reasons = [
        Reason(f"The picture cuts to a different shot at {clock(t)}.", t, t) for t in cut_times
    ] or [Reason("The clip is one continuous shot without hard cuts.")]
    jump_reasons = [
        Reason(
            f"At {clock(t)} the scene stays the same but everything in it jumps at once, "
            "as where a stretch was cut out and the ends joined.",
            t,
            t,
        )
        for t in jump_times
    ] or [Reason("Movement inside each shot is continuous, without jumps.")]
    # Cuts are ordinary in edited footage: each adds a little. A jump inside a shot is what a
    # splice leaves, but vloggers make lone jump cuts too: one jump stays under 1, several add.
    cuts = _measurement(
        "cuts",
        len(cut_times),
        0.4 * len(cut_times),
        strength,
        cut_reasons,
        {"times": [round(t, 3) for t in cut_times]},
    )
    jump_feature = sum(min(0.9, (r - SPIKE_RATIO) / 15) for r in jump_ratios)
    jumps = _measurement(
        "jumps",
        len(jump_times),
        jump_feature,
        strength,
        jump_reasons,
        {"times": [round(t, 3) for t in jump_times], "ratios": [round(r, 1) for r in jump_ratios]},
    )
    return cuts, jumps


def _correlation(first: np.ndarray, second: np.ndarray) -> float:
    first, second = first - first.mean(), second - second.mean()
    scale = math.sqrt(float(first @ first) * float(second @ second))
    return float(first @ second) / scale if scale > 1e-9 else 1.0


def measure_timestamps(footage: Footage) -> Measurement:
    intervals = np.diff(footage.times)
    usual = float(np.median(intervals))
    if usual <= 0:
        return Measurement.unmeasured(
            "timestamps",
            Family.EDITING,
            tells.SPEED_CHANGE,
            "share of intervals",
            "The frames carry no usable timestamps.",
        )
    irregular = np.abs(intervals - usual) > usual * (GAP_FACTOR - 1)
    gaps = np.flatnonzero(intervals > max(LONG_GAP_SECONDS, GAP_FACTOR * usual))
    share = float(irregular.mean())
    reasons = [
        Reason(
            f"No frame is shown for {intervals[i]:.2f} s at {clock(footage.times[i])}: "
            "the timeline has a hole, as where frames were removed without re-timing.",
            float(footage.times[i]),
            float(footage.times[i + 1]),
        )
        for i in gaps
    ]
    if not reasons and share > 0.02:
        reasons = [Reason(f"{share:.0%} of frame intervals depart from the usual {usual:.3f} s.")]
    if not reasons:
        reasons = [Reason(f"Frames follow one another at a steady {1 / usual:.3g} per second.")]
    detail = {
        "usual_interval": round(usual, 5),
        "irregular": int(irregular.sum()),
        "gaps": [
            {"at": round(float(footage.times[i]), 3), "seconds": round(float(intervals[i]), 3)}
            for i in gaps
        ],
    }
    strength = min(1.0, len(intervals) / EVIDENCE_FRAMES)
    return _measurement("timestamps", share, 20 * share + len(gaps), strength, reasons, detail)


def measure_av_length(footage: Footage) -> Measurement:
    if not footage.has_audio or footage.audio_duration is None:
        return Measurement.unmeasured(
            "av_length",
            Family.EDITING,
            tells.VOICE_AUDIO,
            "seconds",
            "The clip has no sound to compare with the picture.",
        )
    difference = float(footage.audio_duration - footage.video_duration)
    feature = (abs(difference) - AV_TOLERANCE) / 0.5
    longer = "sound" if difference > 0 else "picture"
    shorter = "picture" if difference > 0 else "sound"
    if abs(difference) <= AV_TOLERANCE:
        text = "Sound and picture are the same length."
        reason = Reason(text)
    else:
        end = min(footage.audio_duration, footage.video_duration)
        text = (
            f"The {longer} runs {abs(difference):.1f} s longer than the {shorter}, from "
            f"{clock(end)}: they were edited or put together separately."
        )
        reason = Reason(text, end, end + abs(difference))
    detail = {
        "audio_seconds": round(footage.audio_duration, 3),
        "video_seconds": round(footage.video_duration, 3),
    }
    return _measurement("av_length", round(difference, 3), feature, 1.0, [reason], detail)
