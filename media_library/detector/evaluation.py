"""How good the detector's probabilities are: discrimination, accuracy, calibration.

Reference points printed beside the log loss: 0.693 is what always saying 50 % scores, 0.428
is the DFDC winner's public-leaderboard log loss on unseen videos (Dolhansky et al. 2020).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

GUESSING_LOG_LOSS = math.log(2)
DFDC_WINNER_LOG_LOSS = 0.428
BINS = 10
BOOTSTRAP_RESAMPLES = 1000
EPSILON = 1e-6


def auc(y: np.ndarray, p: np.ndarray) -> float | None:
    """Area under the ROC curve (Mann-Whitney U with mid-ranks for ties); None with one class."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if positives == 0 or negatives == 0:
        return None
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p))
    sorted_p = p[order]
    i = 0
    while i < len(p):
        j = i
        while j + 1 < len(p) and sorted_p[j + 1] == sorted_p[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    u = ranks[y == 1].sum() - positives * (positives + 1) / 2
    return float(u / (positives * negatives))


def auc_interval(
    y: np.ndarray, p: np.ndarray, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0
) -> tuple[float, float] | None:
    """95 % percentile bootstrap interval of the AUC (resamples with one class are skipped)."""
    rng = np.random.default_rng(seed)
    y, p = np.asarray(y), np.asarray(p)
    values = []
    for _ in range(resamples):
        pick = rng.integers(0, len(y), len(y))
        value = auc(y[pick], p[pick])
        if value is not None:
            values.append(value)
    if len(values) < resamples / 2:
        return None
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(np.asarray(p, dtype=float), EPSILON, 1 - EPSILON)
    y = np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@dataclass
class Bin:
    low: float
    high: float
    count: int
    mean_predicted: float | None
    observed: float | None


def reliability(y: np.ndarray, p: np.ndarray, bins: int = BINS) -> list[Bin]:
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    result = []
    for k in range(bins):
        inside = which == k
        count = int(inside.sum())
        result.append(
            Bin(
                float(edges[k]),
                float(edges[k + 1]),
                count,
                float(p[inside].mean()) if count else None,
                float(y[inside].mean()) if count else None,
            )
        )
    return result


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
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    metrics = {
        "n": len(y),
        "auc": auc(y, p),
        "accuracy": float(np.mean((p >= 0.5) == (y == 1))) if len(y) else None,
        "brier": float(np.mean((p - y) ** 2)) if len(y) else None,
        "log_loss": log_loss(y, p) if len(y) else None,
        "ece": expected_calibration_error(y, p) if len(y) else None,
    }
    if interval:
        metrics["auc_interval"] = auc_interval(y, p)
    return metrics


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
