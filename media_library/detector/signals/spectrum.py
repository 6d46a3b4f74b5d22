"""The frequency spectrum of a still image (tell: hair and fine detail): natural photographs
lose power smoothly towards the finest detail; upscaled and generated images do not."""

from __future__ import annotations

import numpy as np

from media_library.detector import tells
from media_library.detector.footage import Footage
from media_library.detector.measurements import Measurement, Reason
from media_library.detector.signals.face_common import FACE, excess_feature

# Feature thresholds: the value where the feature starts above 0, and how much more is one unit.
# Each sits just past what real dev footage showed (docs/detector-face-signals.md has the figures).
SPECTRUM_HIGH, SPECTRUM_UNIT = 0.5, 0.25  # log10 power off the photo's own power law


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
    name, tell, unit = "spectrum", tells.HAIR_DETAIL, "log10 power"
    if footage.kind != "image" or footage.still is None:
        why = "Only measured on still images (video compression reshapes the spectrum)."
        return Measurement.unmeasured(name, FACE, tell, unit, why)
    grey = footage.still.mean(axis=2)
    if min(grey.shape) < 128:
        return Measurement.unmeasured(name, FACE, tell, unit, "The image is too small.")
    value, detail = spectrum_anomaly(grey)
    feature = excess_feature(value - SPECTRUM_HIGH, SPECTRUM_UNIT)
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
