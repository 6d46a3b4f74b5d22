"""Fit the detector's weights on the labelled library, honestly.

Each family is an L2-regularised logistic regression over its signals' features, fitted by
Newton's method (numpy; a dozen features need nothing more). Folds are grouped by original: a
fake and the real clip it was made from always sit in the same fold, so the model is never
scored on the twin of a clip it learned from. Out-of-fold logits are then mapped to
probabilities by Platt scaling, and the cross-validated metrics reported are those of these
out-of-fold, calibrated predictions. (Platt's two numbers are fitted on the same out-of-fold
logits they are scored on: a small optimism the metrics file states.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from media_library.detector.evaluation import binary_metrics
from media_library.detector.scoring import SIGNALS_VERSION, FamilyModel, Weights, design_row

RIDGE = 1.0  # L2 penalty on the weights (not the intercept): few clips, correlated signals
MAX_FOLDS = 5
# Fewer labelled clips than this in either class and a family keeps its default weights.
MIN_PER_CLASS = 3


class NotEnoughData(Exception):
    """The library cannot support a fit; the message says what is missing."""


@dataclass
class Sample:
    """One analysed clip as the fit sees it."""

    measurements: list
    face_seconds: float | None
    labels: dict[str, int | None]  # family -> 1 manipulated that way / 0 not / None: leave out
    group: int  # the original's id for a fake with one, else the clip's own
    technique: str


def fit_logistic(
    x: np.ndarray, y: np.ndarray, ridge: float = RIDGE
) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (intercept first) and their covariance (the inverse Hessian)."""
    penalty = np.full(x.shape[1], ridge)
    penalty[0] = 1e-6  # the intercept is not shrunk
    beta = np.zeros(x.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -40, 40)))
        gradient = x.T @ (p - y) + penalty * beta
        hessian = (x.T * (p * (1 - p))) @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    p = 1 / (1 + np.exp(-np.clip(x @ beta, -40, 40)))
    hessian = (x.T * (p * (1 - p))) @ x + np.diag(penalty)
    return beta, np.linalg.inv(hessian)


def fit_platt(logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """p = sigmoid(a * logit + b), fitted with Platt's smoothed targets (Platt 1999)."""
    positives, negatives = y.sum(), len(y) - y.sum()
    targets = np.where(y == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    x = np.column_stack([np.ones_like(logits), logits])
    beta = np.zeros(2)
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -40, 40)))
        hessian = (x.T * (p * (1 - p))) @ x + np.eye(2) * 1e-6
        step = np.linalg.solve(hessian, x.T @ (p - targets))
        beta -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(beta[1]), float(beta[0])


def grouped_folds(groups: np.ndarray, folds: int, seed: int = 0) -> list[np.ndarray]:
    """Indices of each fold's test set; every group lies wholly in one fold."""
    unique = np.unique(groups)
    rng = np.random.default_rng(seed)
    rng.shuffle(unique)
    assignment = {group: n % folds for n, group in enumerate(unique)}
    fold_of = np.array([assignment[g] for g in groups])
    return [np.flatnonzero(fold_of == k) for k in range(folds)]


def fit_family(family: str, names: list[str], samples: list[Sample]) -> tuple[FamilyModel, dict]:
    usable = [s for s in samples if s.labels.get(family) is not None]
    y = np.array([s.labels[family] for s in usable], dtype=float)
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if min(positives, negatives) < MIN_PER_CLASS:
        raise NotEnoughData(
            f"{family}: {positives} manipulated and {negatives} other labelled clips; "
            f"at least {MIN_PER_CLASS} of each are needed"
        )
    x = np.vstack([design_row(s.measurements, names) for s in usable])
    groups = np.array([s.group for s in usable])
    folds = min(MAX_FOLDS, len(np.unique(groups)))
    oof = np.zeros(len(y))
    for test in grouped_folds(groups, folds):
        train = np.setdiff1d(np.arange(len(y)), test)
        if len(np.unique(y[train])) < 2:
            # A fold whose training part has one class only cannot fit a slope: its clips
            # get the training prevalence, which the metrics then rightly punish.
            rate = np.clip(y[train].mean(), 1e-3, 1 - 1e-3)
            oof[test] = np.log(rate / (1 - rate))
            continue
        beta, _cov = fit_logistic(x[train], y[train])
        oof[test] = x[test] @ beta
    a, b = fit_platt(oof, y)
    calibrated = 1 / (1 + np.exp(-(a * oof + b)))
    beta, covariance = fit_logistic(x, y)
    metrics = binary_metrics(y, calibrated)
    metrics.update(
        {
            "folds": folds,
            "groups": len(np.unique(groups)),
            "manipulated": positives,
            "others": negatives,
            "note": "cross-validated, grouped by original; Platt fitted on the same "
            "out-of-fold logits",
        }
    )
    model = FamilyModel(names, beta.tolist(), covariance.tolist(), (a, b))
    return model, metrics


def fit_weights(samples: list[Sample]) -> tuple[Weights, list[str]]:
    """New weights for every family the data supports; a family it does not support keeps
    the default weights (and the returned notes say so). Raises NotEnoughData when neither
    family could be fitted."""
    defaults = Weights.default()
    models, metrics, notes = {}, {}, []
    for family, default in defaults.models.items():
        try:
            models[family], metrics[family] = fit_family(family, default.names, samples)
        except NotEnoughData as error:
            models[family] = default
            notes.append(f"kept the default weights for {error}")
    if not metrics:
        raise NotEnoughData("; ".join(notes))
    now = datetime.now(UTC)
    weights = Weights(
        version=f"fit-{now:%Y%m%dT%H%M%S}",
        calibrated=True,
        models=models,
        metrics=metrics,
        fitted_on={
            "clips": len(samples),
            "signals_version": SIGNALS_VERSION,
            "fitted_at": now.isoformat(timespec="seconds"),
            "families_fitted": sorted(metrics),
        },
    )
    return weights, notes
