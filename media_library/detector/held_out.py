"""How the detector does on clips it has never seen: the figures that count.

Every prediction here comes from a model fitted without the clip being scored, by one of:

- **leave one dataset out**: for each source (a dataset, a collection), fit on all the others
  and score that one; pooled over sources, this is how the detector does on footage from a place
  it never learned from;
- **leave one method out**: each fake is scored by a model fitted without any fake of its
  method (real clips keep their leave-one-dataset-out score), so a new kind of fake meets a
  model that never saw one like it;
- **in sample**, for contrast only: fitted on everything and scored on the same clips; the gap
  between it and the others is what fitting on the test clips would overstate.

The default (hand-set) weights are scored too: they were never fitted on these clips, but their
signals' thresholds were partly chosen on development media, so they are not a clean held-out
figure either; they are printed as such.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from media_library.detector.evaluation import auc, auc_interval, binary_metrics
from media_library.detector.fitting import (
    NotEnoughData,
    Sample,
    fit_model,
    fit_weights,
    grouped_splits,
    predict,
    ranking,
    single_threaded,
)
from media_library.detector.scoring import HeldOut, Weights

CROSS_VALIDATED = "cross-validated by identity"
LEAVE_ONE_DATASET_OUT = "leave-one-dataset-out"
LEAVE_ONE_METHOD_OUT = "leave-one-method-out"
IN_SAMPLE = "in-sample"
DEFAULT_WEIGHTS = "default weights (not fitted)"
# Share of real clips allowed above the threshold when counting fakes caught.
FALSE_POSITIVE_RATE = 0.10
# The scores and kinds of clip evaluated: (family, kind).
TARGETS = (("face", "video"), ("face", "image"), ("editing", "video"))


@dataclass
class Predictions:
    """One family on one kind of clip: the labelled samples and each scheme's predictions."""

    family: str
    kind: str
    samples: list[Sample]
    y: np.ndarray
    # scheme -> a (2, n) array: each clip's calibrated probability, and the uncalibrated logit
    # it is ranked by (see `fitting.ranking`).
    by_scheme: dict[str, np.ndarray] = field(default_factory=dict)


def labelled(samples: list[Sample], family: str, kind: str) -> list[Sample]:
    return [s for s in samples if s.kind == kind and s.labels.get(family) is not None]


def names_for(family: str, kind: str) -> list[str]:
    return list(Weights.default().model_for(family, kind).names)


def fitted_or_none(names: list[str], train: list[Sample], family: str, calibrate: bool = True):
    try:
        return fit_model(names, train, family, calibrate)
    except NotEnoughData:
        return None  # its test clips get 0.5: as good as guessing, which the figures punish


def leave_out(
    names: list[str],
    samples: list[Sample],
    family: str,
    left_out: Callable[[Sample], str | None],
    into: np.ndarray,
    calibrate: bool = True,
) -> np.ndarray:
    """For each value of `left_out` (None: never left out), fit without the samples that have
    it and score them; the others keep what `into` holds."""
    result = into.copy()
    for value in sorted({v for s in samples if (v := left_out(s)) is not None}):
        test = [i for i, s in enumerate(samples) if left_out(s) == value]
        train = [s for s in samples if left_out(s) != value]
        model = fitted_or_none(names, train, family, calibrate)
        scored = [samples[i] for i in test]
        result[:, test] = [predict(model, scored, family), ranking(model, scored, family)]
    return result


def scores_of(model, samples: list[Sample], family: str) -> np.ndarray:
    return np.vstack([predict(model, samples, family), ranking(model, samples, family)])


def guessing(count: int) -> np.ndarray:
    """50 % and a logit of 0 for every clip: what an abstention or a failed fit scores."""
    return np.vstack([np.full(count, 0.5), np.zeros(count)])


def predictions(
    samples: list[Sample], family: str, kind: str, names: list[str] | None = None
) -> Predictions:
    names = names or names_for(family, kind)
    mine = labelled(samples, family, kind)
    y = np.array([s.labels[family] for s in mine], dtype=int)
    result = Predictions(family, kind, mine, y)
    if not mine:
        return result
    nothing = guessing(len(mine))
    default_model = Weights.default().model_for(family, kind)
    result.by_scheme[DEFAULT_WEIGHTS] = scores_of(default_model, mine, family)
    result.by_scheme[IN_SAMPLE] = scores_of(fitted_or_none(names, mine, family), mine, family)
    folds = grouped_splits(y, np.array([str(s.group) for s in mine]))
    if folds is not None:
        fold_of = {i: k for k, (_train, test) in enumerate(folds) for i in test}
        indexed = {id(s): i for i, s in enumerate(mine)}
        result.by_scheme[CROSS_VALIDATED] = leave_out(
            names, mine, family, lambda s: str(fold_of.get(indexed[id(s)])), nothing
        )
    base = result.by_scheme.get(CROSS_VALIDATED, nothing)
    if len({s.source for s in mine}) > 1:
        base = leave_out(names, mine, family, lambda s: s.source, nothing)
        result.by_scheme[LEAVE_ONE_DATASET_OUT] = base
    if len({s.method for s in mine if s.labels[family]}) > 1:
        # Real clips keep the score of the scheme above: only fakes have a method to leave out.
        result.by_scheme[LEAVE_ONE_METHOD_OUT] = leave_out(
            names, mine, family, lambda s: s.method if s.labels[family] else None, base
        )
    return result


def caught_share(y: np.ndarray, rank: np.ndarray, reals: np.ndarray) -> float | None:
    """Share of the fakes in (y, rank) ranked above the threshold that lets 10 % of `reals`
    through (ties at the threshold count as not caught)."""
    if not len(reals) or not (y == 1).any():
        return None
    threshold = float(np.quantile(reals, 1 - FALSE_POSITIVE_RATE))
    return float(np.mean(rank[y == 1] > threshold))


def summary(
    y: np.ndarray,
    scores: np.ndarray,
    reals: np.ndarray | None = None,
    scored: np.ndarray | None = None,
) -> dict:
    """The metrics of one set of predictions: the AUC with its bootstrap interval and the share
    of fakes caught at 10 % false positives (of `reals`, the real clips' ranking scores, by
    default those in `y`), by the ranking score; accuracy, Brier score, log loss and ECE by the
    calibrated probability; how many fakes and reals it rests on and the share of clips the
    score did not abstain on."""
    p, rank = scores
    row = binary_metrics(y, p)
    row["auc"] = auc(y, rank)
    row["auc_interval"] = auc_interval(y, rank)
    row["coverage"] = float(np.mean(scored)) if scored is not None and len(scored) else None
    row["fakes"] = int((y == 1).sum())
    row["reals"] = int((y == 0).sum())
    row["mean_score"] = float(np.mean(p)) if len(p) else None
    row["caught_at_10"] = caught_share(y, rank, rank[y == 0] if reals is None else reals)
    return row


def breakdown(
    result: Predictions,
    scheme: str,
    key: Callable[[Sample], str],
    among: Callable[[Sample], bool] = lambda s: True,
) -> dict:
    """Per value of `key` (source, compression…): its clips' metrics under `scheme`, among the
    clips `among` keeps. For a group of fakes only (a method), the reals it is ranked against
    are all the real clips kept."""
    kept = np.array([among(s) for s in result.samples])
    everything = result.by_scheme[scheme]
    reals = everything[:, (result.y == 0) & kept]
    rows = {}
    for value in sorted({key(s) for s, keep in zip(result.samples, kept, strict=True) if keep}):
        inside = np.array([key(s) == value for s in result.samples]) & kept
        y, scores = result.y[inside], everything[:, inside]
        if (y == 0).sum() == 0:
            # Only fakes here: ranked against every real clip, scored the same way.
            y = np.concatenate([y, np.zeros(reals.shape[1], dtype=int)])
            scores = np.concatenate([scores, reals], axis=1)
            row = summary(y, scores, reals[1])
            row["reals_from"] = "all real clips"
        else:
            row = summary(y, scores, reals[1])
        rows[value] = row
    return rows


def held_scheme(result: Predictions) -> str:
    """The strictest held-out scheme the data allowed: by dataset, else by identity."""
    for scheme in (LEAVE_ONE_DATASET_OUT, CROSS_VALIDATED):
        if scheme in result.by_scheme:
            return scheme
    return IN_SAMPLE


def per_signal(result: Predictions, names: list[str]) -> dict:
    """Each signal alone, left out by dataset (the direction it points, fake or real, learnt
    from the other datasets), on the clips where it was measured: what it carries to unseen
    footage."""
    rows = {}
    if LEAVE_ONE_DATASET_OUT not in result.by_scheme:
        return rows
    for name in names:
        measured = np.array(
            [
                s.scored_by(result.family)
                and any(m.name == name and m.measured for m in s.measurements)
                for s in result.samples
            ]
        )
        mine = [s for s, keep in zip(result.samples, measured, strict=True) if keep]
        y = result.y[measured]
        if len(np.unique(y)) < 2 or len({s.source for s in mine}) < 2:
            continue
        alone = leave_out(
            [name], mine, result.family, lambda s: s.source, guessing(len(mine)), calibrate=False
        )
        rows[name] = summary(y, alone)
    return rows


@single_threaded
def evaluate(samples: list[Sample], signals: bool = True) -> dict:
    """The whole report: for each score and kind of clip, every scheme's headline figures, and
    per source, per method, per compression and per signal (held out)."""
    report = {}
    for family, kind in TARGETS:
        result = predictions(samples, family, kind)
        if not result.samples or len(np.unique(result.y)) < 2:
            continue
        scored = np.array([s.scored_by(family) for s in result.samples])
        entry = {
            "family": family,
            "kind": kind,
            "headline": {
                scheme: summary(result.y, scores, scored=scored)
                for scheme, scores in result.by_scheme.items()
            },
        }
        held = held_scheme(result)
        method_scheme = LEAVE_ONE_METHOD_OUT if LEAVE_ONE_METHOD_OUT in result.by_scheme else held
        entry["scheme"] = held
        entry["per_source"] = breakdown(result, held, lambda s: s.source or "(none)")
        entry["per_method"] = breakdown(
            result, method_scheme, lambda s, family=family: s.method if s.labels[family] else "real"
        )
        entry["per_compression"] = breakdown(result, held, lambda s: s.compression or "unknown")
        if family == "editing":
            entry["by_original"] = breakdown(
                result,
                held,
                lambda s: "with the original" if s.with_original else "blind",
            )
            entry["blind_per_method"] = breakdown(
                result,
                held,
                lambda s, family=family: s.method if s.labels[family] else "real",
                among=lambda s: not s.with_original,
            )
        if signals:
            entry["per_signal"] = per_signal(result, names_for(family, kind))
        report[f"{family}/{kind}"] = entry
    return report


def out_of_sample_figures(samples: list[Sample], weights: Weights) -> dict:
    """family -> kind -> HeldOut.as_json(): what the reveal says of each score. Of the
    held-out schemes the data allowed (one dataset left out, one method left out, folds by
    identity), the one whose AUC interval reaches lowest, so a percentage is shown only where
    the score beats chance however it is held out. A family and kind that could not be held
    out at all gets no figure: the reveal then shows no percentage."""
    figures: dict = {}
    for family, kind in TARGETS:
        model = weights.model_for(family, kind)
        result = predictions(samples, family, kind, list(model.names))
        if len(np.unique(result.y)) < 2:
            continue
        rows = {
            scheme: summary(result.y, result.by_scheme[scheme])
            for scheme in (LEAVE_ONE_DATASET_OUT, LEAVE_ONE_METHOD_OUT, CROSS_VALIDATED)
            if scheme in result.by_scheme
        }
        rows = {k: r for k, r in rows.items() if r["auc"] is not None and r["auc_interval"]}
        if not rows:
            continue
        # However it was held out, the score must beat chance: the figure shown is the
        # scheme whose interval reaches lowest.
        scheme, row = min(rows.items(), key=lambda item: item[1]["auc_interval"][0])
        low, high = row["auc_interval"]
        figures.setdefault(family, {})[kind] = HeldOut(
            auc=round(row["auc"], 3),
            low=round(low, 3),
            high=round(high, 3),
            fakes=row["fakes"],
            reals=row["reals"],
            scheme=scheme,
        ).as_json()
    return figures


def fit_and_hold_out(samples: list[Sample]) -> tuple[Weights, list[str]]:
    """`fitting.fit_weights`, with each fitted score's held-out figure per kind of clip."""
    weights, notes = fit_weights(samples)
    weights.out_of_sample = out_of_sample_figures(samples, weights)
    return weights, notes
