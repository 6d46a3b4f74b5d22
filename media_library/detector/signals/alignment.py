"""Aligning a clip with its original: which frame of the original each frame of the clip shows.

Both are reduced to small grey frames (mean removed, so a re-encode's slight shift in brightness
does not matter) and matched with a monotone dynamic programme: from one clip frame to the next
the original may stay (a repeated frame), advance a few frames (normal or faster speed), or jump
ahead at a price (a stretch cut out). The path gives the speed ratio as the slope of original
time against clip time, and the removed stretches as its forward jumps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from media_library.detector import tells
from media_library.detector.footage import Footage
from media_library.detector.measurements import Family, Measurement, Reason, clock

# From one clip frame to the next the original may advance up to this many frames without a
# jump: covers speed-ups to 3x after frame-rate conversion.
MAX_STEP = 4
# Costs are in units of the original's typical frame-to-frame change.
STEP_PRICE = 0.05  # any step but one frame: a slight preference for the plain path
JUMP_PRICE = 12.0  # a cut: paid back after a dozen frames that match better
COST_CAP = 8.0
# The cost matrix is kept under this many cells; longer pairs are compared at a coarser step.
MAX_CELLS = 8_000_000
# A matched pair must be much closer than two frames picked at random.
MATCH_RATIO = 0.5
SPEED_WINDOW_SECONDS = 1.0
OFF_SPEED = math.log(1.08)  # windows slower or faster than this stand out from 1x
SPEED_TOLERANCE = math.log(1.02)  # departures below this are rounding, not editing
MIN_STRETCH_SECONDS = 1.0
MIN_REMOVED_SECONDS = 0.25
TIMES = "\N{MULTIPLICATION SIGN}"


def pooled(thumbs: np.ndarray, factor: int) -> np.ndarray:
    """Float frames shrunk by `factor` (block means), which averages out compression noise."""
    count, height, width = thumbs.shape
    height, width = height // factor * factor, width // factor * factor
    blocks = thumbs[:, :height, :width].astype(np.float32)
    return blocks.reshape(count, height // factor, factor, width // factor, factor).mean(
        axis=(2, 4)
    )


def frame_features(footage: Footage, step: int = 1) -> np.ndarray:
    frames = pooled(footage.thumbs[::step], 4)
    frames -= frames.mean(axis=(1, 2), keepdims=True)
    return frames.reshape(len(frames), -1)


def _thumb_shape(footage: Footage) -> tuple[int, int]:
    return footage.thumbs.shape[1], footage.thumbs.shape[2]


@dataclass
class Alignment:
    clip_times: np.ndarray  # (k,) times of the aligned clip frames
    original_times: np.ndarray  # (k,) time in the original each one shows
    match_ratio: float  # path cost over the cost of random pairs: low is a close match


def align(clip: Footage, original: Footage) -> Alignment | None:
    """The best monotone path through the two clips, or None when they cannot be compared."""
    if _thumb_shape(clip) != _thumb_shape(original):
        clip_thumbs = _resize_like(clip.thumbs, _thumb_shape(original))
        clip = Footage(**{**clip.__dict__, "thumbs": clip_thumbs})
    cells = len(clip.thumbs) * len(original.thumbs)
    step = max(1, math.ceil(math.sqrt(cells / MAX_CELLS)))
    ours, theirs = frame_features(clip, step), frame_features(original, step)
    if len(ours) < 2 or len(theirs) < 2:
        return None
    cost = (
        (ours**2).sum(axis=1)[:, None] + (theirs**2).sum(axis=1)[None, :] - 2 * ours @ theirs.T
    ) / ours.shape[1]
    cost = np.maximum(cost, 0)
    typical_change = float(np.median(((theirs[1:] - theirs[:-1]) ** 2).mean(axis=1)))
    noise_floor = 0.05 * float(np.median(cost)) + 1e-6
    scaled = np.minimum(cost / max(typical_change, noise_floor), COST_CAP)
    path = _best_path(scaled)
    path_cost = float(np.median(cost[np.arange(len(path)), path]))
    return Alignment(
        clip_times=clip.times[::step][: len(path)],
        original_times=original.times[::step][path],
        match_ratio=path_cost / (float(np.median(cost)) + 1e-9),
    )


def _resize_like(thumbs: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    rows = np.linspace(0, thumbs.shape[1] - 1, shape[0]).round().astype(int)
    cols = np.linspace(0, thumbs.shape[2] - 1, shape[1]).round().astype(int)
    return thumbs[:, rows][:, :, cols]


def _best_path(cost: np.ndarray) -> np.ndarray:
    """For each clip frame, the original frame on the cheapest monotone path."""
    rows, cols = cost.shape
    came_from = np.zeros((rows, cols), dtype=np.int32)
    total = cost[0].copy()  # the clip may start anywhere in the original
    index = np.arange(cols)
    for row in range(1, rows):
        best = np.full(cols, np.inf)
        origin = np.zeros(cols, dtype=np.int32)
        for advance in range(MAX_STEP + 1):
            price = 0.0 if advance == 1 else STEP_PRICE * max(1, advance - 1)
            shifted = np.full(cols, np.inf)
            shifted[advance:] = total[: cols - advance] + price
            better = shifted < best
            best[better] = shifted[better]
            origin[better] = index[better] - advance
        # A jump ahead from any earlier frame: the cheapest one so far, found by a running min.
        reach = MAX_STEP + 1
        if cols > reach:
            running = np.minimum.accumulate(total[: cols - reach])
            where = _running_argmin(total[: cols - reach])
            jump = np.full(cols, np.inf)
            jump[reach:] = running + JUMP_PRICE
            better = jump < best
            best[better] = jump[better]
            origin[better] = np.concatenate([np.zeros(reach, dtype=np.int32), where])[better]
        total = best + cost[row]
        came_from[row] = origin
    path = np.zeros(rows, dtype=np.int64)
    path[-1] = int(np.argmin(total))
    for row in range(rows - 1, 0, -1):
        path[row - 1] = came_from[row, path[row]]
    return path


def _running_argmin(values: np.ndarray) -> np.ndarray:
    minima = np.minimum.accumulate(values)
    is_new = np.r_[True, values[1:] < minima[:-1]]
    return np.maximum.accumulate(np.where(is_new, np.arange(len(values)), 0)).astype(np.int32)


@dataclass
class Stretch:
    start: float  # clip seconds
    end: float
    speed: float  # original seconds per clip second


def speed_stretches(alignment: Alignment) -> list[Stretch]:
    """Stretches of at least a second that play faster or slower than the original."""
    clip_t, orig_t = alignment.clip_times, alignment.original_times
    if len(clip_t) < 3:
        return []
    frame = float(np.median(np.diff(clip_t)))
    window = max(2, round(SPEED_WINDOW_SECONDS / frame))
    if len(clip_t) <= window:
        window = len(clip_t) - 1
    steps = np.diff(orig_t)
    # Jumps (cut stretches) are no speed: they count as one ordinary step.
    steps = np.where(np.abs(steps) > MAX_STEP * 1.5 * frame + 1e-6, frame, steps)
    walked = np.r_[0.0, np.cumsum(steps)]
    slopes = (walked[window:] - walked[:-window]) / (clip_t[window:] - clip_t[:-window])
    logs = np.log(np.maximum(slopes, 1e-3))
    stretches = []
    for first, last in _runs(np.abs(logs) > OFF_SPEED):
        # A window departs once a little of it lies in the stretch; halfway to the stretch's
        # own speed marks the edge better.
        middle = np.median(logs[first : last + 1])
        inside = np.abs(logs - middle) < abs(middle) / 2
        core = [(a, b) for a, b in _runs(inside) if a <= (first + last) // 2 <= b]
        first, last = core[0] if core else (first, last)
        # Where the edges lie: a window part inside a stretch at speed s has the slope
        # 1 + f (s - 1) for the share f of it inside, which crosses the core's threshold (half
        # the stretch's log speed) at f = 1 / (sqrt(s) + 1). Centring the windows instead put
        # each edge a few frames outside a 2x stretch and measured it at 1.88x.
        inside_share = 1 / (math.sqrt(math.exp(middle)) + 1)
        begin = 0 if first == 0 else first + round((1 - inside_share) * window)
        end = (
            len(clip_t) - 1
            if last == len(slopes) - 1
            else min(len(clip_t) - 1, last + round(inside_share * window))
        )
        span = clip_t[end] - clip_t[begin]
        if span >= MIN_STRETCH_SECONDS:
            speed = float((walked[end] - walked[begin]) / span)
            stretches.append(Stretch(float(clip_t[begin]), float(clip_t[end] + frame), speed))
    return stretches


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.r_[0, mask.astype(np.int8), 0])
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1, strict=True))


def removed_stretches(alignment: Alignment) -> list[tuple[float, float, float]]:
    """(clip time, original from, original to) of every forward jump in the original."""
    clip_t, orig_t = alignment.clip_times, alignment.original_times
    frame = float(np.median(np.diff(clip_t))) if len(clip_t) > 1 else 0.0
    removed = []
    for index in np.flatnonzero(np.diff(orig_t) > max(MIN_REMOVED_SECONDS, MAX_STEP * frame)):
        removed.append(
            (float(clip_t[index + 1]), float(orig_t[index] + frame), float(orig_t[index + 1]))
        )
    return removed


def measure_against_original(clip: Footage, original: Footage | None) -> list[Measurement]:
    """`speed_vs_original` and `removed_vs_original`, in that order."""
    speed_args = ("speed_vs_original", Family.EDITING, tells.SPEED_CHANGE, "ratio")
    removed_args = ("removed_vs_original", Family.EDITING, tells.CUT_SPLICE, "seconds")
    why = None
    if original is None:
        why = "The clip's original is not in the library, so there is nothing to align it with."
    elif clip.kind != "video" or original.kind != "video":
        why = "A still image has no frames to compare."
    alignment = align(clip, original) if why is None else None
    if why is None and alignment is None:
        why = "The clip or its original is too short to align."
    if why is None and alignment.match_ratio > MATCH_RATIO:
        why = "The clip does not match the original closely enough to align the two."
    if why is not None:
        return [
            Measurement.unmeasured(*speed_args, why),
            Measurement.unmeasured(*removed_args, why),
        ]
    return [_speed(alignment, speed_args), _removed(alignment, original, removed_args)]


def _speed(alignment: Alignment, args: tuple) -> Measurement:
    clip_t, orig_t = alignment.clip_times, alignment.original_times
    stretches = speed_stretches(alignment)
    steps = np.diff(orig_t)
    frame = float(np.median(np.diff(clip_t)))
    steps = np.where(np.abs(steps) > MAX_STEP * 1.5 * frame + 1e-6, frame, steps)
    overall = float(steps.sum() / max(clip_t[-1] - clip_t[0], 1e-6))
    if stretches:
        chief = max(stretches, key=lambda s: abs(math.log(max(s.speed, 1e-3))))
        ratio = chief.speed
    else:
        ratio = overall
    departure = abs(math.log(max(ratio, 1e-3)))
    feature = float(np.clip((departure - SPEED_TOLERANCE) / OFF_SPEED, 0, 3))
    reasons = [
        Reason(
            f"From {clock(s.start)} to {clock(s.end)} the clip plays at {s.speed:.2f}{TIMES} the "
            f"speed of its original ({_slower_or_faster(s.speed)}).",
            s.start,
            s.end,
        )
        for s in stretches
    ]
    if not reasons:
        reasons = [Reason(f"The clip plays at the speed of its original ({overall:.2f}{TIMES}).")]
    duration = float(clip_t[-1] - clip_t[0])
    strength = min(1.0, duration / 5)
    detail = {
        "overall_ratio": round(overall, 4),
        "stretches": [
            {"start": round(s.start, 2), "end": round(s.end, 2), "ratio": round(float(s.speed), 4)}
            for s in stretches
        ],
        "match_ratio": round(alignment.match_ratio, 3),
    }
    return Measurement(*args[:3], round(ratio, 4), args[3], feature, strength, reasons, detail)


def _slower_or_faster(speed: float) -> str:
    return "slowed down" if speed < 1 else "sped up"


def _removed(alignment: Alignment, original: Footage, args: tuple) -> Measurement:
    removed = removed_stretches(alignment)
    seconds = float(sum(to - start for _, start, to in removed))
    reasons = [
        Reason(
            f"At {clock(at)} the clip jumps from {clock(start)} to {clock(to)} of the original: "
            f"{to - start:.1f} s of it were cut out.",
            at,
            at,
        )
        for at, start, to in removed
    ]
    lead = float(alignment.original_times[0] - original.times[0])
    tail = float(original.times[-1] - alignment.original_times[-1])
    if not reasons:
        reasons = [Reason("Nothing inside the clip is missing from its original.")]
    duration = float(alignment.clip_times[-1] - alignment.clip_times[0])
    detail = {
        "removed": [
            {"at": round(at, 2), "original_from": round(a, 2), "original_to": round(b, 2)}
            for at, a, b in removed
        ],
        "trimmed_start": round(max(0.0, lead), 2),
        "trimmed_end": round(max(0.0, tail), 2),
    }
    feature = float(np.clip(seconds / 0.5, 0, 3))
    strength = min(1.0, duration / 5)
    return Measurement(*args[:3], round(seconds, 3), args[3], feature, strength, reasons, detail)
