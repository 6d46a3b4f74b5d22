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
from media_library.detector.footage import AUDIO_HOP_SECONDS, Footage
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
    ("motion_steps", tells.SPEED_CHANGE, "alternation"),
    ("blend_cadence", tells.SPEED_CHANGE, "line strength"),
    ("splice_continuity", tells.CUT_SPLICE, "ratio"),
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
# Blind cues (issue 15). Constants chosen on the FF++ real clips of the development media (every
# one at feature 0), checked out of sample on the other real clips (docs/detector.md).
# Sped-up moment: dropping one frame in three makes the change between frames alternate between
# one and two frames' worth of motion. Measured as the mean of the detrended log change projected
# on (-1)^k over a window of frames (0 for steady motion, about 0.35 for steps of 1 and 2).
STEP_WINDOW = 48
STEP_DETREND = 5
STEP_CLIP = 0.7  # a repeat (log change far below) must not pass for an alternation
STEP_ORDINARY = 0.16
STEP_SCALE = 0.1
# Blended slow motion at a factor other than 2: a blend is smoother than a filmed frame, so the
# high-pass energy of the frames rises and falls on the blending cadence (every 5th frame pure at
# 0.8x). Measured as the strongest spectral line of the detrended energy between these
# frequencies (cycles per frame; 0.5 is the 2x cadence `blended_frames` sees, and where encoders'
# B-frames alternate in quality) against the spectrum's median.
CADENCE_BAND = (0.15, 0.45)
CADENCE_ORDINARY = 20.0
CADENCE_SCALE = 10.0
CADENCE_MIN_FRAMES = 90
# Splice inside a shot: a discontinuity in the whole picture and in its border (the background)
# at once, standing this many times above the frames around it...
SPLICE_PICTURE = 24.0
SPLICE_PICTURE_SCALE = 40.0
# ...and the sound stepping at the same moment: loudness and brightness (spectral centroid)
# before and after, as a robust z-score against every other moment of the clip.
SPLICE_SOUND_ORDINARY = 3.0
SPLICE_SOUND_SCALE = 2.0
SPLICE_HOPS = 5


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
        measure_motion_steps(footage, change),
        measure_blend_cadence(footage),
        measure_splice_continuity(footage, frames),
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


def _log_detrended(series: np.ndarray, half: int) -> np.ndarray:
    """log(series) minus its running median over 2 * half + 1 values."""
    logged = np.log(np.maximum(series, 1e-3))
    padded = np.pad(logged, half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    return logged - np.median(windows, axis=1)


def measure_motion_steps(footage: Footage, change: np.ndarray) -> Measurement:
    """A stretch where the change between frames alternates small, large, small: frames dropped
    to speed it up, so the motion jumps by two source frames where it moved by one."""
    unit = "alternation"
    moving = change > STILL_CHANGE
    if len(change) < STEP_WINDOW or moving.mean() < 0.2:
        return Measurement.unmeasured(
            "motion_steps",
            Family.EDITING,
            tells.SPEED_CHANGE,
            unit,
            "Too little of the clip moves to see how far it moves from frame to frame.",
        )
    residual = np.clip(_log_detrended(change, STEP_DETREND), -STEP_CLIP, STEP_CLIP)
    alternating = residual * (-1.0) ** np.arange(len(residual))
    best, at = 0.0, 0
    for start in range(0, len(residual) - STEP_WINDOW + 1, 4):
        window = slice(start, start + STEP_WINDOW)
        if moving[window].mean() < 0.8:
            continue
        amount = abs(float(alternating[window].mean()))
        if amount > best:
            best, at = amount, start
    strength = min(1.0, int(moving.sum()) / EVIDENCE_FRAMES)
    feature = (best - STEP_ORDINARY) / STEP_SCALE
    detail = {"alternation": round(best, 3)}
    if feature <= 0:
        text = "Motion changes smoothly from frame to frame, without a pattern of skipped frames."
        return _measurement("motion_steps", best, 0.0, strength, [Reason(text)], detail)
    # Grow the stretch while the alternation keeps its sign around the best window.
    sign = np.sign(alternating[at : at + STEP_WINDOW].mean())
    smooth = np.convolve(alternating * sign, np.ones(16) / 16, mode="same")
    inside = smooth > STEP_ORDINARY / 2
    first, last = at, at + STEP_WINDOW - 1
    while first > 0 and inside[first - 1]:
        first -= 1
    while last < len(inside) - 1 and inside[last + 1]:
        last += 1
    start, end = (
        float(footage.times[first]),
        float(footage.times[min(last + 1, len(footage.times) - 1)]),
    )
    detail |= {"start": round(start, 3), "end": round(end, 3)}
    text = (
        f"From {clock(start)} to {clock(end)} the picture moves in alternating short and long "
        "steps, as when frames are dropped to speed a stretch up: the motion jumps by whole "
        "frames."
    )
    return _measurement("motion_steps", best, feature, strength, [Reason(text, start, end)], detail)


def measure_blend_cadence(footage: Footage) -> Measurement:
    """Blended frames on a regular cadence that is not every other frame (slow motion at 0.8x,
    where one frame in five is filmed and four are mixes)."""
    unit = "line strength"
    if len(footage.thumbs) < CADENCE_MIN_FRAMES:
        return Measurement.unmeasured(
            "blend_cadence",
            Family.EDITING,
            tells.SPEED_CHANGE,
            unit,
            "The clip is too short to find a regular cadence in its frames.",
        )
    thumbs = footage.thumbs.astype(np.float32)
    detail_map = (
        4 * thumbs[:, 1:-1, 1:-1]
        - thumbs[:, :-2, 1:-1]
        - thumbs[:, 2:, 1:-1]
        - thumbs[:, 1:-1, :-2]
        - thumbs[:, 1:-1, 2:]
    )
    energy = np.mean(detail_map**2, axis=(1, 2))
    residual = _log_detrended(energy, STEP_DETREND)
    residual -= residual.mean()
    power = np.abs(np.fft.rfft(residual * np.hanning(len(residual)))) ** 2
    frequencies = np.fft.rfftfreq(len(residual))
    reference = float(np.median(power[frequencies >= 0.05])) or 1e-12
    band = np.flatnonzero((frequencies >= CADENCE_BAND[0]) & (frequencies <= CADENCE_BAND[1]))
    peak = int(band[np.argmax(power[band])])
    line = float(power[max(0, peak - 1) : peak + 2].mean() / reference)
    period = 1 / float(frequencies[peak])
    feature = (line - CADENCE_ORDINARY) / CADENCE_SCALE
    strength = min(1.0, len(footage.thumbs) / EVIDENCE_FRAMES)
    detail = {"line": round(line, 1), "period": round(period, 2)}
    if feature <= 0:
        text = "The sharpness of the frames varies without a regular cadence."
        return _measurement("blend_cadence", line, 0.0, strength, [Reason(text)], detail)
    start, end = float(footage.times[0]), float(footage.times[-1])
    text = (
        f"Frame sharpness rises and falls every {period:.1f} frames from {clock(start)} to "
        f"{clock(end)}: frames mixed from their neighbours on a cadence, as slow motion with "
        "blended frames makes (or a frame-rate conversion that blends)."
    )
    return _measurement(
        "blend_cadence", line, feature, strength, [Reason(text, start, end)], detail
    )


def _sound_steps(footage: Footage) -> np.ndarray | None:
    """Per audio hop: how far loudness and brightness before and after it differ, as a robust
    z-score against the whole clip; None without sound."""
    if not footage.has_audio or footage.audio_features is None:
        return None
    envelope = footage.audio_envelope
    if len(envelope) < 8 * SPLICE_HOPS:
        return None
    loudness = np.log(np.maximum(envelope, 1e-4))
    brightness = np.log(np.maximum(footage.audio_features[: len(envelope), 1], 50.0))
    kernel = np.r_[np.ones(SPLICE_HOPS), -np.ones(SPLICE_HOPS)] / SPLICE_HOPS
    total = np.zeros(len(envelope))
    for series in (loudness, brightness):
        step = np.abs(np.convolve(series, kernel, mode="same"))
        spread = float(np.median(np.abs(step - np.median(step)))) or 1e-6
        total += (step - np.median(step)) / (1.4826 * spread)
    return total / 2


def _spike_ratio(series: np.ndarray) -> np.ndarray:
    """Each value against the median of the 14 around it (leaving out its direct neighbours);
    0 within 8 of either end."""
    ratio = np.zeros(len(series))
    if len(series) < 17:
        return ratio
    windows = np.lib.stride_tricks.sliding_window_view(series, 17)
    around = np.median(np.delete(windows, [7, 8, 9], axis=1), axis=1)
    ratio[8:-8] = series[8:-8] / np.maximum(around, SPIKE_FLOOR / 4)
    return ratio


def measure_splice_continuity(footage: Footage, frames: np.ndarray | None = None) -> Measurement:
    """A jump inside one shot where the background jumps too and, with sound, the sound steps
    at the same moment: what joining two ends of a cut-out stretch leaves."""
    frames = pooled(footage.thumbs, 2) if frames is None else frames
    if len(frames) < 20:
        return Measurement.unmeasured(
            "splice_continuity",
            Family.EDITING,
            tells.CUT_SPLICE,
            "ratio",
            "The clip has too few frames to follow its continuity.",
        )
    frames = frames - frames.mean(axis=(1, 2), keepdims=True)
    steps = np.abs(np.diff(frames, axis=0))
    height, width = steps.shape[1:]
    ring = np.ones((height, width), dtype=bool)
    ring[
        max(1, height // 6) : height - max(1, height // 6),
        max(1, width // 6) : width - max(1, width // 6),
    ] = False
    whole, border = steps.reshape(len(steps), -1).mean(axis=1), steps[:, ring].mean(axis=1)
    # The coarse layout (blocks of 8 thumbnail pixels), from the frames already pooled by 2.
    high, wide = height // 4 * 4, width // 4 * 4
    coarse = (
        frames[:, :high, :wide].reshape(len(frames), high // 4, 4, wide // 4, 4).sum(axis=(2, 4))
    ).reshape(len(frames), -1)
    sound = _sound_steps(footage)
    ratio_of = np.minimum(_spike_ratio(whole), _spike_ratio(border))
    best = (0.0, 0.0, 0.0, 0.0, -1)  # feature, picture ratio, sound z, time, index
    for index in np.flatnonzero(ratio_of >= SPLICE_PICTURE):
        ratio = float(ratio_of[index])
        if _correlation(coarse[index], coarse[index + 1]) < SAME_SCENE:
            continue  # a cut to another shot: `cuts` has it
        time = float(footage.times[index + 1])
        # Alone, a jump is what an honest jump cut leaves too: it stays under 1, as in `jumps`.
        picture = min(0.9, (ratio - SPLICE_PICTURE) / SPLICE_PICTURE_SCALE)
        z = 0.0
        if sound is not None:
            hop = round(time / AUDIO_HOP_SECONDS)
            near = sound[max(0, hop - 2) : hop + 3]
            z = float(near.max()) if len(near) else 0.0
        heard = float(np.clip((z - SPLICE_SOUND_ORDINARY) / SPLICE_SOUND_SCALE, 0, 2))
        feature = picture + heard if sound is not None else picture
        if feature > best[0]:
            best = (feature, ratio, z, time, index)
    feature, ratio, z, time, _ = best
    strength = min(1.0, len(footage.times) / EVIDENCE_FRAMES)
    detail = {
        "picture_ratio": round(ratio, 1),
        "sound_z": round(z, 1) if sound is not None else None,
    }
    if feature <= 0:
        text = "Picture, background and sound run on continuously inside each shot."
        return _measurement("splice_continuity", ratio, 0.0, strength, [Reason(text)], detail)
    detail["at"] = round(time, 3)
    text = (
        f"At {clock(time)} the scene stays but the picture and its background jump at once"
        + (", and the sound changes in the same instant" if z > SPLICE_SOUND_ORDINARY else "")
        + ": where a stretch was cut out and the ends joined."
    )
    return _measurement(
        "splice_continuity", ratio, feature, strength, [Reason(text, time, time)], detail
    )
