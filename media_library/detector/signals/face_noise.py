"""Noise, compression and motion traces of a pasted or generated face, measured against the rest
of the same picture so that the camera, the light and the codec cancel out.

The cues the forensics literature found to hold up across datasets and compression are not the
visible ones but the statistical prints a manipulation leaves:
- a face pasted into a frame carries its own sensor noise and its own compression history, so
  its high-pass residual differs from the background's (noise-print and SRM-residual detectors:
  Zhou et al. 2017, "Two-stream neural networks for tampered face detection"; Cozzolino et al.
  2020, "Noiseprint"); `noise_mismatch`;
- the same face was resampled and compressed before the frame was, so the 8-pixel blocking grid
  of the final encoding shows differently inside it (Barni et al. 2017 on aligned and
  non-aligned double JPEG; Bianchi & Piva 2012); `blocking_grid`;
- where the face was blended into the frame along a mask, two noise fields mix and the high-pass
  energy changes along a mask-shaped contour: Face X-ray (Li et al. 2020) learns exactly this
  boundary and generalised to unseen face-swap methods; `blend_boundary`;
- faces generated frame by frame are not consistent over time: their residual flickers on its
  own (`noise_flicker`) and the inner landmarks jitter against the head's motion (Sun et al.
  2021, "Improving the efficiency and robustness of deepfakes detection through precise geometric
  features", LRNet; Zheng et al. 2021, temporal coherence); `landmark_jitter`;
- for still images, generators' upsampling leaves traces in the face's spectrum (Durall et al.
  2020, "Watch your up-convolution"; Dzanic et al. 2020, "Fourier spectrum discrepancies"),
  measured here with the JPEG grid's own frequencies left out; `face_spectrum`.

The per-frame numbers come from `faces.residual_stats()` (noise per band around the outline, the
coding grid inside and outside the face) and the landmarks. Thresholds and figures are in
docs/detector-face-signals.md and come from `bench/face_signals.py`.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from media_library.detector import tells
from media_library.detector.faces import FaceFrame, FaceTracker
from media_library.detector.footage import Footage
from media_library.detector.measurements import Measurement, Reason, clock
from media_library.detector.signals.face_common import FACE, NO_FACE, excess_feature, size_factor

# Feature thresholds (value where the feature starts above 0, and one unit more), chosen on part
# A of the development media (bench/face_signals.py; docs/detector-face-signals.md has the
# figures): for video, just past every real clip there; for still images, whose real values
# spread much wider (one of the real face crops far out), at about the real crops' 10th or
# 90th percentile, so one real still in ten there already scores above 0.
NOISE_LOW, NOISE_UNIT = 0.15, 0.15  # log(face residual / ring residual), below it
NOISE_LOW_STILL = -0.3
GRID_HIGH, GRID_UNIT = 0.04, 0.03  # log(face blockiness / background blockiness)
# log(residual just inside / just outside the outline): real faces sit between the two.
BLEND_LOW, BLEND_HIGH, BLEND_UNIT = -0.65, 0.15, 0.15
BLEND_LOW_STILL, BLEND_HIGH_STILL = -0.55, 0.35
NOISE_FLICKER_HIGH, NOISE_FLICKER_UNIT = 0.04, 0.01  # log units per frame
JITTER_HIGH, JITTER_UNIT = 0.03, 0.01  # face widths per frame, second difference
FACE_SPECTRUM_HIGH, FACE_SPECTRUM_UNIT = 1.0, 0.25  # log10 power
# A residual this small (grey levels) is added before taking logs, so flat or black areas do not
# give wild ratios.
NOISE_FLOOR = 0.05
# The head's own motion is followed by the jaw line (landmarks 0-16): in a face swap it belongs
# to the real head, while the eyebrows, eyes, nose and mouth inside it belong to the pasted face.
STABLE_POINTS = tuple(range(17))
INNER = slice(17, 68)
MIN_RUN = 5  # frames in a row for the motion signals


def _with_noise(frames: list[FaceFrame], bands: tuple[int, ...] = (0,)) -> list[FaceFrame]:
    """The frames whose residual was measured in every one of `bands` (indices into
    faces.NOISE_BANDS: a tight face crop has no background band)."""
    return [
        f
        for f in frames
        if f.noise is not None and f.grid is not None and np.isfinite(f.noise[list(bands)]).all()
    ]


def _log_noise(frames: list[FaceFrame]) -> np.ndarray:
    """(n, 6) log residual per band: face, inside, outline, outside, ring, background."""
    return np.log(np.array([f.noise for f in frames], np.float64) + NOISE_FLOOR)


def _when(still: bool, time: float) -> float | None:
    return None if still else time


def _evidence(still: bool, seconds: float, frames: list[FaceFrame]) -> float:
    """A noise measure's strength: a still is one whole frame, a video counts its tracked
    seconds up to ten; either way scaled by how large the face was."""
    return (1.0 if still else min(1.0, seconds / 10)) * size_factor(frames)


def _reason(text: str, when: float | None) -> Reason:
    return Reason(text, when, when) if when is not None else Reason(text)


def noise_mismatch(frames: list[FaceFrame], seconds: float, still: bool) -> Measurement:
    name, tell, unit = "noise_mismatch", tells.SKIN, "log residual ratio"
    usable = _with_noise(frames, (0, 4))
    if not usable:
        return _no_band(name, tell, unit, frames)
    logs = _log_noise(usable)
    # The face against the ring of hair and skin just around it (the background further out may
    # be out of focus, which would make any real face look grainy against it).
    ratio = logs[:, 0] - logs[:, 4]
    value = float(np.median(ratio))
    feature = excess_feature((NOISE_LOW_STILL if still else NOISE_LOW) - value, NOISE_UNIT)
    worst = usable[int(np.argmin(ratio))]
    when = _when(still, worst.time)
    if feature > 0:
        at = "" if when is None else f" (most of all at {clock(when)})"
        text = (
            f"The skin is smoother than the hair and skin around it{at}: it lacks the fine "
            "grain the camera put into the rest of the picture, as a face made elsewhere and "
            "pasted in does."
        )
    else:
        text = "The face has the same fine grain as the rest of the picture."
    return Measurement(
        name,
        FACE,
        tell,
        round(value, 3),
        unit,
        feature,
        _evidence(still, seconds, usable),
        [_reason(text, when if feature > 0 else None)],
        {
            "face_over_ring": round(math.exp(value), 3),
            "face_over_background": _median_exp(logs[:, 0] - logs[:, 5]),
            "frames": len(usable),
        },
    )


def _no_band(name: str, tell: str, unit: str, frames: list[FaceFrame]) -> Measurement:
    if not frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    why = "Too little of the picture lies around the face to compare its grain with."
    return Measurement.unmeasured(name, FACE, tell, unit, why)


def _median_exp(values: np.ndarray) -> float | None:
    """exp of the median of the finite values, rounded; None when there is none."""
    finite = values[np.isfinite(values)]
    return round(math.exp(float(np.median(finite))), 3) if finite.size else None


def blockiness(grid: np.ndarray) -> float:
    """How much stronger pixel steps are on the strongest of the 8 positions of a block grid
    than on a typical one, averaged over x and y: about 1 without blocking, above 1 with it.
    The strongest position rather than the frame's own grid, because a face compressed before
    it was pasted may carry its blocks at any offset."""
    return float(np.mean([row.max() / max(float(np.median(row)), 1e-3) for row in grid]))


def blocking_grid(frames: list[FaceFrame], seconds: float, still: bool) -> Measurement:
    name, tell, unit = "blocking_grid", tells.FACE_EDGES, "log blockiness ratio"
    usable = [f for f in _with_noise(frames) if np.isfinite(f.grid).all()]
    if not frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    if not usable:
        why = "Too little of the picture lies around the face to compare its blocks with."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    face = np.array([blockiness(f.grid[0]) for f in usable])
    background = np.array([blockiness(f.grid[1]) for f in usable])
    ratio = np.log(np.maximum(face, 1e-3)) - np.log(np.maximum(background, 1e-3))
    value = float(np.median(ratio))
    feature = excess_feature(value - GRID_HIGH, GRID_UNIT)
    if feature > 0:
        text = (
            "The face shows the 8-pixel blocks of compression more than the rest of the "
            "picture, as when a face was compressed on its own before being pasted in."
        )
    else:
        text = "The face carries the same compression blocks as the rest of the picture."
    return Measurement(
        name,
        FACE,
        tell,
        round(value, 3),
        unit,
        feature,
        _evidence(still, seconds, usable),
        [Reason(text)],
        {
            "face_blockiness": round(float(np.median(face)), 3),
            "background_blockiness": round(float(np.median(background)), 3),
        },
    )


def blend_boundary(frames: list[FaceFrame], seconds: float, still: bool) -> Measurement:
    name, tell, unit = "blend_boundary", tells.FACE_EDGES, "log residual ratio"
    usable = _with_noise(frames, (1, 2, 3))
    if not usable:
        return _no_band(name, tell, unit, frames)
    logs = _log_noise(usable)
    # Just inside the outline against just outside it: where a face was blended in along a
    # mask, the high-pass energy steps there.
    step = logs[:, 1] - logs[:, 3]
    dip = (logs[:, 1] + logs[:, 3]) / 2 - logs[:, 2]
    value = float(np.median(step))
    # Real faces are a little smoother just inside their outline than just outside it (hair,
    # neck and background carry more grain than a cheek); a mask's edge departs from that
    # either way: a smoothed pasted face below, a feathered, smoothed surround above.
    low, high = (BLEND_LOW_STILL, BLEND_HIGH_STILL) if still else (BLEND_LOW, BLEND_HIGH)
    feature = max(excess_feature(value - high, BLEND_UNIT), excess_feature(low - value, BLEND_UNIT))
    middle = (low + high) / 2
    worst = usable[int(np.argmax(np.abs(step - middle)))]
    when = _when(still, worst.time)
    if feature > 0:
        at = "" if when is None else f" (most of all at {clock(when)})"
        side = "inside" if value < middle else "just outside"
        text = (
            f"The picture's fine grain steps along the outline of the face: it is much smoother "
            f"{side} it{at}, as along the edge of a mask where a face was blended in."
        )
    else:
        text = "The fine grain runs on across the outline of the face without a step."
    return Measurement(
        name,
        FACE,
        tell,
        round(value, 3),
        unit,
        feature,
        _evidence(still, seconds, usable),
        [_reason(text, when if feature > 0 else None)],
        {"outline_dip": round(float(np.median(dip)), 3), "frames": len(usable)},
    )


def _runs(track: FaceTracker) -> list[list[FaceFrame]]:
    runs = (_with_noise(run, (0, 5)) for run in track.segments())
    return [run for run in runs if len(run) >= MIN_RUN]


def noise_flicker(track: FaceTracker, still: bool) -> Measurement:
    name, tell, unit = "noise_flicker", tells.FACE_EDGES, "log units/frame"
    if still:
        return Measurement.unmeasured(name, FACE, tell, unit, "A still image cannot flicker.")
    if not track.frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    runs = _runs(track)
    if not runs:
        why = "The face was not tracked for long enough in a row to follow its grain."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    jumps, times = [], []
    for run in runs:
        logs = _log_noise(run)
        ratio = logs[:, 0] - logs[:, 5]  # the face's grain against the background's
        smooth = np.array([np.median(ratio[max(0, i - 2) : i + 3]) for i in range(len(ratio))])
        jumps.extend(np.abs(ratio - smooth))
        times.extend(f.time for f in run)
    jumps_a = np.asarray(jumps)
    value = float(np.median(jumps_a))
    feature = excess_feature(value - NOISE_FLICKER_HIGH, NOISE_FLICKER_UNIT)
    peak = float(times[int(np.argmax(jumps_a))])
    if feature > 0:
        text = (
            f"The face's fine grain changes from frame to frame on its own while the "
            f"background's stays steady (strongest at {clock(peak)}), as in faces generated "
            "one frame at a time."
        )
    else:
        text = "The face's fine grain stays steady with the background's."
    return Measurement(
        name,
        FACE,
        tell,
        round(value, 4),
        unit,
        feature,
        min(1.0, len(jumps_a) * track.sample_step / 10) * size_factor(track.frames),
        [_reason(text, peak if feature > 0 else None)],
        {"p90": round(float(np.percentile(jumps_a, 90)), 4), "frames": len(jumps_a)},
    )


def jitter_series(run: list[FaceFrame]) -> tuple[np.ndarray, np.ndarray]:
    """Per inner frame of a run: how much the inner landmarks (eyebrows, eyes, nose, mouth) jerk
    once the head's own motion is taken out (second difference after aligning every frame to
    the run's first on the jaw line, in face widths), and the head's own jerk (second
    difference of the jaw line's centre, in face widths)."""
    points = np.array([f.landmarks for f in run], np.float64)
    widths = np.array([f.face_width for f in run])
    # The least-squares similarity (rotation, scale, shift) taking each frame's jaw line onto
    # the first frame's, in closed form for all frames at once.
    jaw = points[:, list(STABLE_POINTS)]
    source = jaw - jaw.mean(axis=1, keepdims=True)
    target = jaw[0] - jaw[0].mean(axis=0)
    norm = np.maximum((source**2).sum(axis=(1, 2)), 1e-9)
    cos = (source * target).sum(axis=(1, 2)) / norm
    sin = (source[..., 0] * target[:, 1] - source[..., 1] * target[:, 0]).sum(axis=1) / norm
    rotation = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)  # (n, 2, 2)
    centred = points - jaw.mean(axis=1, keepdims=True)
    aligned = np.einsum("nij,npj->npi", rotation, centred) + jaw[0].mean(axis=0)
    inner = aligned[:, INNER]
    jerk = np.linalg.norm(inner[2:] - 2 * inner[1:-1] + inner[:-2], axis=2).mean(axis=1)
    centre = points[:, list(STABLE_POINTS)].mean(axis=1)
    head = np.linalg.norm(centre[2:] - 2 * centre[1:-1] + centre[:-2], axis=1)
    return jerk / widths[1:-1], head / widths[1:-1]


def landmark_jitter(track: FaceTracker, still: bool) -> Measurement:
    name, tell, unit = "landmark_jitter", tells.FACE_EDGES, "face widths/frame²"
    if still:
        return Measurement.unmeasured(name, FACE, tell, unit, "A still image does not move.")
    if not track.frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    runs = [run for run in track.segments() if len(run) >= MIN_RUN]
    if not runs:
        why = "The face was not tracked for long enough in a row to follow its features."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    jerks, heads, times = [], [], []
    for run in runs:
        jerk, head = jitter_series(run)
        jerks.extend(jerk)
        heads.extend(head)
        times.extend(f.time for f in run[1:-1])
    jerks_a = np.asarray(jerks)
    value = float(np.median(jerks_a))
    feature = excess_feature(value - JITTER_HIGH, JITTER_UNIT)
    peak = float(times[int(np.argmax(jerks_a))])
    if feature > 0:
        text = (
            f"The eyes, nose and mouth shake against the head from frame to frame (strongest "
            f"at {clock(peak)}), as when a face is generated one frame at a time."
        )
    else:
        text = "The eyes, nose and mouth move smoothly with the head."
    return Measurement(
        name,
        FACE,
        tell,
        round(value, 5),
        unit,
        feature,
        min(1.0, len(jerks_a) * track.sample_step / 10) * size_factor(track.frames),
        [_reason(text, peak if feature > 0 else None)],
        {
            "head_jerk": round(float(np.median(heads)), 5),
            "frames": len(jerks_a),
        },
    )


# The JPEG grid's own frequencies (multiples of 1/8 cycle per pixel along either axis) are left
# out of the face's spectrum: compression puts peaks there that no generator needs to explain.
JPEG_PERIOD = 8
FACE_SPECTRUM_MAX = 256  # pixels: the central square of a larger face is used
FACE_SPECTRUM_MIN = 64


def face_spectrum_anomaly(bgr: np.ndarray, points: np.ndarray) -> tuple[float, dict] | None:
    """The face crop's azimuthal power spectrum, with the JPEG grid's frequencies masked: how
    far its top band departs from the power law of the middle band (log10 units; the worse of
    a deficit and a rise), and how far the strongest single frequency there stands out.
    None when the face is too small."""
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    side = int(min(x1 - x0, y1 - y0, FACE_SPECTRUM_MAX)) // 8 * 8
    if side < FACE_SPECTRUM_MIN:
        return None
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left, top = int(cx - side / 2), int(cy - side / 2)
    left = min(max(left, 0), bgr.shape[1] - side)
    top = min(max(top, 0), bgr.shape[0] - side)
    if left < 0 or top < 0:
        return None
    grey = cv2.cvtColor(bgr[top : top + side, left : left + side], cv2.COLOR_BGR2GRAY)
    patch = grey.astype(np.float64)
    patch -= patch.mean()
    window = np.outer(np.hanning(side), np.hanning(side))
    power = np.abs(np.fft.fftshift(np.fft.fft2(patch * window))) ** 2 + 1e-9
    index = np.arange(side) - side // 2
    on_grid = (np.abs(index) % (side // JPEG_PERIOD)) <= 1
    keep = ~(on_grid[:, None] | on_grid[None, :])
    radius = np.hypot(index[:, None], index[None, :]) / side  # cycles per pixel
    bins = np.linspace(0.03, 0.5, 25)
    which = np.digitize(radius, bins)
    centres = (bins[:-1] + bins[1:]) / 2
    profile = np.full(len(centres), np.nan)
    peaks = np.full(len(centres), np.nan)
    for i in range(1, len(bins)):
        ring = power[(which == i) & keep]
        if ring.size:
            profile[i - 1] = np.log10(ring.mean())
            peaks[i - 1] = np.log10(ring.max())
    middle = (centres >= 0.05) & (centres <= 0.25) & np.isfinite(profile)
    high = (centres >= 0.3) & np.isfinite(profile)
    if middle.sum() < 3 or high.sum() < 2:
        return None
    freq = np.log10(centres)
    slope, intercept = np.polyfit(freq[middle], profile[middle], 1)
    residual = profile[high] - (slope * freq[high] + intercept)
    departure = float(np.abs(residual).mean())
    spikiness = float(np.nanmax(peaks[high] - profile[high]) - np.median((peaks - profile)[middle]))
    high_slope = float(np.polyfit(freq[high], profile[high], 1)[0])
    return max(departure, spikiness / 2), {
        "slope": round(float(slope), 3),
        "high_slope": round(high_slope, 3),
        "high_band_departure": round(float(residual.mean()), 3),
        "high_band_peak": round(spikiness, 3),
        "pixels": side,
    }


def face_spectrum(footage: Footage, frames: list[FaceFrame]) -> Measurement:
    name, tell, unit = "face_spectrum", tells.SKIN, "log10 power"
    if footage.kind != "image" or footage.still is None:
        why = "Only measured on still images (video compression reshapes the spectrum)."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    if not frames:
        return Measurement.unmeasured(name, FACE, tell, unit, NO_FACE)
    measured = face_spectrum_anomaly(footage.still, frames[0].landmarks)
    if measured is None:
        return Measurement.unmeasured(name, FACE, tell, unit, "The face is too small.")
    value, detail = measured
    feature = excess_feature(value - FACE_SPECTRUM_HIGH, FACE_SPECTRUM_UNIT)
    if feature > 0:
        text = (
            "The finest texture of the skin has the wrong strength or a regular pattern for a "
            "photograph, as generators' upsampling leaves."
        )
    else:
        text = "The finest texture of the skin falls off as in an ordinary photograph."
    return Measurement(
        name,
        FACE,
        tell,
        round(value, 3),
        unit,
        feature,
        min(1.0, detail["pixels"] / 128),
        [Reason(text)],
        detail,
    )
