"""The face-manipulation signals, each tied to a tell the lessons teach.

They read the small per-frame numbers the FaceTracker kept (landmarks, detail and colour
statistics) and the footage's loudness envelope. Thresholds were set on real, heavily
compressed dev footage (FaceForensics++ c40 originals) so ordinary footage sits at feature 0;
heavy compression hides much of what these signals look for, so on such footage they are weak
and the strengths say so. See docs/detector-face-signals.md for the figures behind each one.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from media_library.detector.faces import FaceFrame, FaceTracker
from media_library.detector.footage import AUDIO_HOP_SECONDS, Footage
from media_library.detector.measurements import Family, Measurement, Reason, clock
from media_library.models import TellCategory

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
MIN_BLINK_SECONDS = 3.0  # less tracked face than this: blinking is not measured

# Feature thresholds: the value where the feature starts above 0, and how much more is one unit.
# Each sits just past what real dev footage showed (see the doc for the figures).
MOUTH_DETAIL_LOW, MOUTH_DETAIL_UNIT = 1.8, 0.4  # mouth interior detail / face detail
BLUR_STEP_HIGH, BLUR_STEP_UNIT = 0.3, 0.15  # log(ring detail / face detail)
FLICKER_HIGH, FLICKER_UNIT = 1.3, 0.4  # Lab units, frame-to-frame face-vs-ring colour jitter
SKIN_HIGH, SKIN_UNIT = 9.0, 3.0  # Lab chroma distance cheeks vs forehead/neck
HIGHLIGHT_HIGH, HIGHLIGHT_UNIT = 0.8, 0.25  # eye widths between the two eyes' highlights
LIP_SYNC_LOW, LIP_SYNC_UNIT = 0.15, 0.1  # Pearson r of mouth opening vs loudness
SPECTRUM_HIGH, SPECTRUM_UNIT = 0.5, 0.25  # log10 power off the photo's own power law

LIP_SYNC_MAX_LAG = 0.2  # seconds either way: sound may lead or trail the lips a little
HIGHLIGHT_CONTRAST = 40  # grey levels over the eye's median for a highlight to count

FACE = Family.FACE
NO_FACE = "No face was found and tracked in this clip, so the face could not be examined."
ALL_NAMES = (
    "blink_rate",
    "mouth_detail",
    "boundary_blending",
    "colour_flicker",
    "skin_tone",
    "eye_highlights",
    "lip_sync",
    "spectrum",
)


def _feature(excess: float, unit: float) -> float:
    return float(np.clip(excess / unit, 0.0, 3.0))


def measure_face(footage: Footage, track: FaceTracker) -> list[Measurement]:
    """Every face signal, always in ALL_NAMES order, unmeasured ones included."""
    frames = track.frames
    still = footage.kind == "image"
    return [
        blink_rate(track, still),
        mouth_detail(frames, track.sample_step),
        boundary_blending(frames, track.tracked_seconds),
        colour_flicker(track, still),
        skin_tone(frames),
        eye_highlights(frames),
        lip_sync(footage, track),
        spectrum(footage),
    ]


def face_timeline(track: FaceTracker) -> list[tuple[float, float]]:
    """(time, 0..1) per tracked frame for the curator's chart: the mean of the boundary blur
    and colour flicker features of that frame, over 3."""
    points: list[tuple[float, float]] = []
    for run in track.segments():
        flicker = _flicker_series(run)
        for frame, jitter in zip(run, flicker, strict=True):
            blur = _feature(_blur_step(frame) - BLUR_STEP_HIGH, BLUR_STEP_UNIT)
            flick = _feature(jitter - FLICKER_HIGH, FLICKER_UNIT)
            points.append((round(frame.time, 3), round((blur + flick) / 6, 3)))
    return points


# -- blinking --------------------------------------------------------------------------------


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
    name, tell, unit = "blink_rate", TellCategory.BLINKING, "blinks/min"
    if still:
        return Measurement.unmeasured(name, FACE, tell, unit, "A still image shows no blinking.")
    if not track.frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    if track.tracked_seconds < MIN_BLINK_SECONDS:
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
        _feature(-math.log10(max(probability, 1e-12)) - 1, 1.0),
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


# -- mouth, boundary, colour -----------------------------------------------------------------


def mouth_detail(frames: list[FaceFrame], step: float) -> Measurement:
    name, tell, unit = "mouth_detail", TellCategory.TEETH_MOUTH, "x face detail"
    if not frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    open_frames = [f for f in frames if f.mouth_detail is not None]
    if len(open_frames) < (1 if len(frames) == 1 else 8):
        why = "The mouth was hardly ever open, so the teeth could not be examined."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    ratios = np.array([f.mouth_detail for f in open_frames])
    value = float(np.median(ratios))
    feature = _feature(MOUTH_DETAIL_LOW - value, MOUTH_DETAIL_UNIT)
    blurriest = open_frames[int(np.argmin(ratios))]
    if feature > 0:
        text = (
            f"When the mouth is open (e.g. at {clock(blurriest.time)}) the teeth and inside of "
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
        min(1.0, seconds / 3) * _size_factor(frames),
        [Reason(text, blurriest.time, blurriest.time)],
        {"open_mouth_frames": len(open_frames), "lowest": round(float(ratios.min()), 3)},
    )


def _blur_step(frame: FaceFrame) -> float:
    return math.log(max(frame.ring_detail, 0.1) / max(frame.face_detail, 0.1))


def _size_factor(frames: list[FaceFrame]) -> float:
    # Below ~80 px across, compression leaves little detail for these comparisons.
    return min(1.0, float(np.median([f.face_width for f in frames])) / 80)


def boundary_blending(frames: list[FaceFrame], seconds: float) -> Measurement:
    name, tell, unit = "boundary_blending", TellCategory.FACE_EDGES, "log detail ratio"
    if not frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    steps = np.array([_blur_step(f) for f in frames])
    value = float(np.median(steps))
    feature = _feature(value - BLUR_STEP_HIGH, BLUR_STEP_UNIT)
    worst = frames[int(np.argmax(steps))]
    seam = float(
        np.median([math.log(max(f.seam_detail, 0.1) / max(f.face_detail, 0.1)) for f in frames])
    )
    if feature > 0:
        text = (
            f"The face is smoother than the hair, skin and background just around it "
            f"(most of all at {clock(worst.time)}), as when a pasted face is blended in."
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
        min(1.0, seconds / 10) * _size_factor(frames),
        [Reason(text, worst.time, worst.time) if feature > 0 else Reason(text)],
        {"ring_over_face_detail": round(math.exp(value), 3), "seam_log_ratio": round(seam, 3)},
    )


def _flicker_series(run: list[FaceFrame]) -> np.ndarray:
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
    name, tell, unit = "colour_flicker", TellCategory.FACE_EDGES, "Lab units/frame"
    if still:
        return Measurement.unmeasured(name, FACE, tell, unit, "A still image cannot flicker.")
    if not track.frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    runs = [run for run in track.segments() if len(run) >= 5]
    if not runs:
        why = "The face was not tracked for long enough in a row to follow its colour."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    times = np.concatenate([[f.time for f in run] for run in runs])
    jitter = np.concatenate([_flicker_series(run) for run in runs])
    value = float(np.median(jitter))
    feature = _feature(value - FLICKER_HIGH, FLICKER_UNIT)
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
    name, tell, unit = "skin_tone", TellCategory.SKIN, "Lab chroma distance"
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
    feature = _feature(value - SKIN_HIGH, SKIN_UNIT)
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
        min(1.0, len(frames) / 30) * _size_factor(frames),
        [Reason(text)],
        {part_name: round(d, 2) for part_name, d in distances.items()},
    )


def eye_highlights(frames: list[FaceFrame]) -> Measurement:
    name, tell, unit = "eye_highlights", TellCategory.LIGHTING, "eye widths"
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
    feature = _feature(value - HIGHLIGHT_HIGH, HIGHLIGHT_UNIT)
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


# -- lip sync --------------------------------------------------------------------------------


def lip_sync(footage: Footage, track: FaceTracker) -> Measurement:
    name, tell, unit = "lip_sync", TellCategory.LIP_SYNC, "correlation"
    if footage.kind == "image":
        return Measurement.unmeasured(name, FACE, tell, unit, "A still image has no sound.")
    if not footage.has_audio:
        why = "The clip has no sound, so lip-sync cannot be checked."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    if not track.frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    if track.tracked_seconds < MIN_BLINK_SECONDS:
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
    feature = _feature(LIP_SYNC_LOW - best, LIP_SYNC_UNIT)
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
        min(1.0, track.tracked_seconds / 10) * _size_factor(track.frames),
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


# -- still images: frequency spectrum -------------------------------------------------------


def spectrum_anomaly(grey: np.ndarray) -> tuple[float, dict]:
    """How far the image's high-frequency power departs from the power law its lower
    frequencies follow (log10 units, the worse of a deficit and a peak): natural photographs
    fall off smoothly, while upsampling leaves a deficit and generators' upsampling layers
    leave periodic peaks near the top of the spectrum."""
    side = min(512, *grey.shape) // 2 * 2
    top, left = (grey.shape[0] - side) // 2, (grey.shape[1] - side) // 2
    patch = grey[top : top + side, left : left + side].astype(np.float64)
    patch -= patch.mean()
    window = np.outer(np.hanning(side), np.hanning(side))
    power = np.abs(np.fft.fftshift(np.fft.fft2(patch * window))) ** 2 + 1e-9
    y, x = np.indices(power.shape) - side // 2
    radius = np.hypot(x, y) / side  # cycles per pixel; 0.5 is Nyquist
    bins = np.linspace(0.02, 0.5, 49)
    which = np.digitize(radius, bins)
    profile = np.array([np.log10(power[which == i].mean()) for i in range(1, len(bins))])
    peaks = np.array([np.log10(power[which == i].max()) for i in range(1, len(bins))])
    freq = np.log10((bins[:-1] + bins[1:]) / 2)
    low = (10**freq >= 0.04) & (10**freq <= 0.25)
    high = 10**freq >= 0.3
    slope, intercept = np.polyfit(freq[low], profile[low], 1)
    residual = profile[high] - (slope * freq[high] + intercept)
    deficit = float(max(0.0, -residual.mean()))
    # A ring's brightest point over its mean, beyond what the low band's rings show.
    spikiness = float((peaks[high] - profile[high]).max() - np.median((peaks - profile)[low]))
    return max(deficit, spikiness / 2), {
        "slope": round(float(slope), 3),
        "high_band_deficit": round(deficit, 3),
        "high_band_peak": round(spikiness, 3),
        "pixels": side,
    }


def spectrum(footage: Footage) -> Measurement:
    name, tell, unit = "spectrum", TellCategory.HAIR_DETAIL, "log10 power"
    if footage.kind != "image" or footage.still is None:
        why = "Only measured on still images (video compression reshapes the spectrum)."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    grey = footage.still.mean(axis=2)
    if min(grey.shape) < 128:
        return Measurement.unmeasured(name, FACE, tell, unit, "The image is too small.")
    value, detail = spectrum_anomaly(grey)
    feature = _feature(value - SPECTRUM_HIGH, SPECTRUM_UNIT)
    if feature > 0:
        text = (
            "The finest detail (hair, pores, texture) has the wrong strength for a photograph, "
            "as in upscaled or generated images."
        )
    else:
        text = "The finest detail falls off as in an ordinary photograph."
    return Measurement(
        name,
        FACE,
        tell,
        round(value, 3),
        unit,
        feature,
        min(1.0, detail["pixels"] / 512),
        [Reason(text)],
        detail,
    )
