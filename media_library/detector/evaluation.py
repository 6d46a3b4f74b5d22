"""How good the detector's probabilities are: discrimination, accuracy, calibration, with
scikit-learn's metrics (the bootstrap interval and the ECE, which it lacks, are written here).

Reference points printed beside the log loss: 0.693 is what always saying 50 % scores, 0.428
is the DFDC winner's public-leaderboard log loss on unseen videos (Dolhansky et al. 2020).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn import metrics
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score

GUESSING_LOG_LOSS = math.log(2)
DFDC_WINNER_LOG_LOSS = 0.428
BINS = 10
BOOTSTRAP_RESAMPLES = 1000
EPSILON = 1e-6


def auc(y: np.ndarray, p: np.ndarray) -> float | None:
    """Area under the ROC curve (scikit-learn's); None with one class only."""
    y = np.asarray(y, dtype=int)
    if len(np.unique(y)) < 2:
        return None
    return float(roc_auc_score(y, np.asarray(p, dtype=float)))


def auc_interval(
    y: np.ndarray, p: np.ndarray, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0
) -> tuple[float, float] | None:
    """95 % percentile bootstrap interval of the AUC, resampling fakes and reals separately
    (so every resample has both and the class balance of the data stays as measured)."""
    y, p = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    positives, negatives = p[y == 1], p[y == 0]
    if len(positives) < 2 or len(negatives) < 2:
        return None
    rng = np.random.default_rng(seed)
    a = rng.choice(positives, size=(resamples, len(positives)))
    b = rng.choice(negatives, size=(resamples, len(negatives)))
    # The AUC of each resample as the share of (fake, real) pairs ranked right, ties half: the
    # Mann-Whitney statistic roc_auc_score computes, here for all resamples at once.
    b_sorted = np.sort(b, axis=1)
    pairs = list(zip(b_sorted, a, strict=True))
    below = np.stack([np.searchsorted(row, fakes, side="left") for row, fakes in pairs])
    upto = np.stack([np.searchsorted(row, fakes, side="right") for row, fakes in pairs])
    values = (below + upto).sum(axis=1) / (2 * len(positives) * len(negatives))
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(np.asarray(p, dtype=float), EPSILON, 1 - EPSILON)
    return float(metrics.log_loss(np.asarray(y, dtype=int), p, labels=[0, 1]))


@dataclass
class Bin:
    low: float
    high: float
    count: int
    mean_predicted: float | None
    observed: float | None


def reliability(y: np.ndarray, p: np.ndarray, bins: int = BINS) -> list[Bin]:
    """The reliability diagram's bins: scikit-learn's calibration_curve (uniform bins) with
    how many clips each holds, which it does not return."""
    y, p = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    # Binned as calibration_curve bins them (searchsorted, left), so the counts line up.
    which = np.clip(np.searchsorted(edges[1:-1], p), 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    observed: dict = {}
    predicted: dict = {}
    if len(y):
        true_share, mean_p = calibration_curve(y, p, n_bins=bins, strategy="uniform")
        filled = [k for k in range(bins) if counts[k]]
        observed = dict(zip(filled, true_share, strict=True))
        predicted = dict(zip(filled, mean_p, strict=True))
    return [
        Bin(
            float(edges[k]),
            float(edges[k + 1]),
            int(counts[k]),
            float(predicted[k]) if counts[k] else None,
            float(observed[k]) if counts[k] else None,
        )
        for k in range(bins)
    ]


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = BINS) -> float:
    """Mean |observed - predicted| over the bins, weighted by how many clips each holds."""
    total = len(y)
    return float(
        sum(
            b.count / total * abs(b.observed - b.mean_predicted)
            for b in reliability(y, p, bins)
            if b.count
        )
    )


def binary_metrics(y: np.ndarray, p: np.ndarray, interval: bool = False) -> dict:
    y, p = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    result = {
        "n": len(y),
        "auc": auc(y, p),
        "accuracy": float(metrics.accuracy_score(y, p >= 0.5)) if len(y) else None,
        "brier": float(metrics.brier_score_loss(y, p, pos_label=1)) if len(y) else None,
        "log_loss": log_loss(y, p) if len(y) else None,
        "ece": expected_calibration_error(y, p) if len(y) else None,
    }
    if interval:
        result["auc_interval"] = auc_interval(y, p)
    return result


def reliability_svg(y: np.ndarray, p: np.ndarray, title: str, bins: int = BINS) -> str:
    """A reliability diagram as a standalone SVG: observed share of fakes per predicted bin,
    against the diagonal of perfect calibration, with a text alternative in <title>/<desc>."""
    size, pad = 320, 40
    plot = size - 2 * pad

    def x(value: float) -> float:
        return pad + value * plot

    def y_(value: float) -> float:
        return size - pad - value * plot

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}" role="img" aria-labelledby="t d">',
        f'<title id="t">{escape(title)}</title>',
    ]
    rows = reliability(y, p, bins)
    described = "; ".join(
        f"{b.low:.1f} to {b.high:.1f}: {b.count} clips, {b.observed:.0%} manipulated"
        for b in rows
        if b.count
    )
    parts.append(f'<desc id="d">Predicted probability bins: {escape(described)}</desc>')
    parts.append(
        f'<rect x="{pad}" y="{pad}" width="{plot}" height="{plot}" fill="none" stroke="#999"/>'
    )
    parts.append(
        f'<line x1="{x(0)}" y1="{y_(0)}" x2="{x(1)}" y2="{y_(1)}" stroke="#999" '
        'stroke-dasharray="4 4"/>'
    )
    width = plot / bins
    for b in rows:
        if not b.count:
            continue
        top = y_(b.observed)
        parts.append(
            f'<rect x="{x(b.low) + 2:.1f}" y="{top:.1f}" width="{width - 4:.1f}" '
            f'height="{y_(0) - top:.1f}" fill="#3465a4" fill-opacity="0.7"/>'
        )
        parts.append(
            f'<circle cx="{x(b.mean_predicted):.1f}" cy="{y_(b.observed):.1f}" r="3" '
            'fill="#a40000"/>'
        )
    parts.append(
        f'<text x="{size / 2}" y="{size - 8}" text-anchor="middle" font-size="12">'
        "predicted probability</text>"
    )
    parts.append(
        f'<text x="12" y="{size / 2}" text-anchor="middle" font-size="12" '
        f'transform="rotate(-90 12 {size / 2})">observed share manipulated</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
