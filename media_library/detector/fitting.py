"""Fit the detector's weights on labelled clips, with scikit-learn, honestly.

Each family (and, for the face score, each kind of clip: video and still image, which are
measured by different signals) is an L2-regularised `LogisticRegression` over its signals'
strength-weighted features, calibrated by `CalibratedClassifierCV` (Platt's sigmoid) on
out-of-fold scores from `StratifiedGroupKFold`: folds are grouped by identity, so a fake and the
real clip it was made from always sit in the same fold and the model is never calibrated on the
twin of a clip it learned from. The logistic model stays a plain weight per signal, so every
reason a score gives is still one signal's contribution.

`fit_model` is the one way a model is made from samples: the shipped weights, each fold of the
cross-validation and each held-out fit of `held_out.py` all go through it.
"""

from __future__ import annotations

import functools
import warnings
from datetime import UTC, datetime

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from threadpoolctl import threadpool_limits

from media_library.detector.evaluation import binary_metrics
from media_library.detector.samples import Sample
from media_library.detector.scoring import (
    SIGNALS_VERSION,
    FamilyModel,
    Weights,
    design_row,
)

# L2 penalty on the weights (scikit-learn's C is its inverse): few clips, correlated signals.
RIDGE = 1.0
MAX_FOLDS = 5
# Fewer labelled clips than this in either class and a model keeps its default weights.
MIN_PER_CLASS = 3


class NotEnoughData(Exception):
    """The samples cannot support a fit; the message says what is missing."""


def design_matrix(samples: list[Sample], names: list[str]) -> np.ndarray:
    """One row per sample, one column per signal (no intercept column: scikit-learn fits it)."""
    if not samples:
        return np.zeros((0, len(names)))
    return np.vstack([design_row(s.measurements, names)[1:] for s in samples])


def grouped_splits(y: np.ndarray, groups: np.ndarray, seed: int = 0) -> list | None:
    """Stratified folds that never split a group, as many as the data allows (up to 5), or
    None when there are too few groups of either class for two folds."""
    folds = min(
        MAX_FOLDS,
        len(np.unique(groups[y == 1])),
        len(np.unique(groups[y == 0])),
    )
    if folds < 2:
        return None
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = [
        (train, test)
        for train, test in splitter.split(np.zeros(len(y)), y, groups)
        if len(np.unique(y[train])) == 2
    ]
    return splits if len(splits) >= 2 else None


def class_weights(y: np.ndarray) -> np.ndarray:
    """Each clip weighted so both classes weigh the same ("balanced"): the fitted intercept
    then does not follow the share of fakes in the training clips, which differs from one
    held-out fold to the next (a dataset of fakes only, one of real clips only) and would
    otherwise rank whole folds above others for their make-up, not their signals."""
    counts = np.bincount(y, minlength=2).astype(float)
    return (len(y) / (2 * counts))[y]


def covariance(
    x: np.ndarray, coefficients: np.ndarray, weights: np.ndarray, ridge: float = RIDGE
) -> np.ndarray:
    """The inverse Hessian of the penalised log-likelihood at the fitted coefficients
    (intercept first): the uncertainty of the weights, which scoring carries to each clip's
    interval. scikit-learn does not return it; it is two lines of algebra."""
    design = np.column_stack([np.ones(len(x)), x])
    p = 1 / (1 + np.exp(-np.clip(design @ coefficients, -40, 40)))
    penalty = np.full(design.shape[1], ridge)
    penalty[0] = 1e-6  # the intercept is not shrunk
    hessian = (design.T * (weights * p * (1 - p))) @ design + np.diag(penalty)
    return np.linalg.inv(hessian)


def fit_model(
    names: list[str], samples: list[Sample], family: str, calibrate: bool = True
) -> FamilyModel:
    """A calibrated logistic model of `family` on the samples it scores and labels (without
    `calibrate`, the plain fit). Raises NotEnoughData when either class has fewer than
    MIN_PER_CLASS clips."""
    usable = [s for s in samples if s.labels.get(family) is not None and s.scored_by(family)]
    y = np.array([s.labels[family] for s in usable], dtype=int)
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if min(positives, negatives) < MIN_PER_CLASS:
        raise NotEnoughData(
            f"{family}: {positives} manipulated and {negatives} other labelled clips; "
            f"at least {MIN_PER_CLASS} of each are needed"
        )
    x = design_matrix(usable, names)
    groups = np.array([str(s.group) for s in usable])
    logistic = LogisticRegression(
        C=1 / RIDGE, solver="newton-cholesky", max_iter=200, class_weight="balanced"
    )
    splits = grouped_splits(y, groups) if calibrate else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if splits is None:
            # Too few groups to calibrate out of fold (or not asked): the plain fit.
            logistic.fit(x, y)
            fitted, platt = logistic, None
        else:
            calibrated = CalibratedClassifierCV(
                logistic, method="sigmoid", cv=splits, ensemble=False
            ).fit(x, y)
            inner = calibrated.calibrated_classifiers_[0]
            fitted = inner.estimator
            sigmoid = inner.calibrators[0]
            # scikit-learn's sigmoid is 1 / (1 + exp(a f + b)); scoring's Platt is
            # sigmoid(a' f + b'), so a' = -a and b' = -b.
            platt = (-float(sigmoid.a_), -float(sigmoid.b_))
            if platt[0] < 0:
                # Out of fold, the scores ranked real clips above fakes: calibration would turn
                # the model upside down. It knows nothing, so it says the base rate.
                rate = float(np.clip(y.mean(), 1e-3, 1 - 1e-3))
                platt = (0.0, float(np.log(rate / (1 - rate))))
    coefficients = np.concatenate([fitted.intercept_, fitted.coef_[0]])
    return FamilyModel(
        list(names),
        coefficients.tolist(),
        covariance(x, coefficients, class_weights(y)).tolist(),
        platt,
    )


def ranking(model: FamilyModel | None, samples: list[Sample], family: str) -> np.ndarray:
    """Each sample's evidence under `model`: the weighted sum of its features, without the
    intercept and before calibration (0 where the family abstains). Held-out figures pool
    clips scored by models fitted on different folds, and rank them by this: the intercept and
    the calibration follow each fold's training clips — leave out a dataset of fakes only and
    the rest holds fewer fakes — so pooled, they would rank whole folds against their own
    labels, an artefact of the evaluation that no single deployed model has. Within one model
    the ranking is the same as by probability."""
    result = np.zeros(len(samples))
    if model is None:
        return result
    weights = np.asarray(model.coefficients[1:])
    for i, s in enumerate(samples):
        if s.scored_by(family):
            result[i] = float(design_row(s.measurements, model.names)[1:] @ weights)
    return result


def predict(model: FamilyModel | None, samples: list[Sample], family: str) -> np.ndarray:
    """Each sample's probability under `model` as the product would show it; 0.5 (as good as
    guessing) where the family abstains or no model could be fitted."""
    result = np.full(len(samples), 0.5)
    if model is None:
        return result
    for i, s in enumerate(samples):
        if s.scored_by(family):
            result[i] = model.probability(design_row(s.measurements, model.names))[0]
    return result


def cross_validated(names: list[str], samples: list[Sample], family: str) -> dict:
    """Metrics of out-of-fold predictions (grouped by identity), each fold's model fitted and
    calibrated on the other folds alone."""
    usable = [s for s in samples if s.labels.get(family) is not None and s.scored_by(family)]
    y = np.array([s.labels[family] for s in usable], dtype=int)
    groups = np.array([str(s.group) for s in usable])
    splits = grouped_splits(y, groups)
    if splits is None:
        return {}
    oof = np.full(len(usable), 0.5)
    for train, test in splits:
        try:
            model = fit_model(names, [usable[i] for i in train], family)
        except NotEnoughData:
            continue  # its clips keep 0.5, which the metrics rightly punish
        oof[test] = predict(model, [usable[i] for i in test], family)
    metrics = binary_metrics(y, oof, interval=True)
    metrics.update(
        {
            "folds": len(splits),
            "groups": len(np.unique(groups)),
            "manipulated": int(y.sum()),
            "others": int(len(y) - y.sum()),
            "note": "cross-validated, grouped by identity; each fold calibrated on its own "
            "training part",
        }
    )
    return metrics


def single_threaded(function):
    """Run with one BLAS thread: a few hundred clips by a few dozen signals gain nothing from
    threads, and on a busy machine spinning threads made each fit a hundred times slower."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1):
            return function(*args, **kwargs)

    return wrapper


@single_threaded
def fit_weights(samples: list[Sample]) -> tuple[Weights, list[str]]:
    """New weights for every family (and kind of clip) the data supports; one it does not
    support keeps the default weights (and the notes say so). Raises NotEnoughData when
    nothing could be fitted. `held_out.fit_and_hold_out` adds each score's held-out figure,
    which is what the reveal tells learners."""
    defaults = Weights.default()
    models, still_models, metrics, notes = {}, {}, {}, []
    for family, default in defaults.models.items():
        videos = [s for s in samples if s.kind == "video"]
        try:
            models[family] = fit_model(default.names, videos, family)
            metrics[family] = cross_validated(default.names, videos, family)
        except NotEnoughData as error:
            models[family] = default
            notes.append(f"kept the default weights for {error}")
    for family, default in defaults.still_models.items():
        stills = [s for s in samples if s.kind == "image"]
        try:
            still_models[family] = fit_model(default.names, stills, family)
            metrics[f"{family}/image"] = cross_validated(default.names, stills, family)
        except NotEnoughData as error:
            still_models[family] = default
            notes.append(f"kept the default weights for still images for {error}")
    if not metrics:
        raise NotEnoughData("; ".join(notes))
    now = datetime.now(UTC)
    weights = Weights(
        version=f"fit-{now:%Y%m%dT%H%M%S}",
        calibrated=True,
        models=models,
        still_models=still_models,
        metrics=metrics,
        fitted_on={
            "clips": len(samples),
            "signals_version": SIGNALS_VERSION,
            "fitted_at": now.isoformat(timespec="seconds"),
            "families_fitted": sorted(metrics),
        },
    )
    return weights, notes
