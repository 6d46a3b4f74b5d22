"""From measurements to two scores, face manipulation and editing, each a probability with an
interval, or an honest abstention.

Each family is a logistic model over its signals' features. A feature is shrunk towards
"ordinary" (0) by its strength, so a signal measured on two seconds of face counts for less than
the same number measured on a minute. The interval comes from the uncertainty of the weights
(the inverse Hessian of a fitted model, or a stated prior around the default weights) carried
through to the clip's logit, then through Platt scaling when the weights were calibrated.

The default weights are hand-set from the literature and marked uncalibrated; fitting on a
labelled library (`fitting.py`) returns new ones. Weights are plain data (`to_json`/`from_json`):
where they are kept is the caller's business (media_library keeps them in media storage, see
`media_library/detector_weights.py`, so every worker reads the same weights).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from media_library.detector.measurements import Family, Measurement

# Bump when a signal's meaning changes: stored analyses then need measuring again.
SIGNALS_VERSION = 2
Z95 = 1.959964

# A family abstains below these: fewer measured signals, or less evidence in all.
MIN_SIGNALS = 2
MIN_STRENGTH = 0.5
# A face tracked for less than this (seconds of video) is not enough to judge.
MIN_FACE_SECONDS = 2.0
# How many reasons a family explains itself with.
TOP_REASONS = 3

# Default weights (logit per unit of strength-weighted feature) and intercepts. The intercepts
# put an ordinary clip at about 15 % (face) and 10 % (editing): most clips people meet are
# real. The weights rank the signals as the literature does: boundary artefacts and flicker
# are the most reliable face-swap traces on compressed video (Li & Lyu 2019, "Exposing
# DeepFake Videos By Detecting Face Warping Artifacts"; FF++, Rössler et al. 2019), blinking was
# a strong cue for early fakes but newer ones blink (Li, Chang & Lyu 2018), lip sync separates
# lip-sync fakes (Agarwal et al. 2020, phoneme-viseme mismatches); repeated and blended frames
# are direct traces of retiming, cuts inside a talk are common in honest editing too. The blind
# cues of issue 15 are hand-set a little below the repeats they resemble: an alternation of
# frame steps (dropped frames) and a cadence of blends are direct traces of retiming too, but
# an odd encoder or frame-rate conversion can make a weaker version of either; a splice's
# joint jump of picture, background and sound is a jump cut with evidence that it hid
# something, so it weighs a little less than the original-based removal.
DEFAULT_MODEL = {
    Family.FACE: {
        "intercept": -1.7,
        "weights": {
            "boundary_blending": 1.0,
            "colour_flicker": 0.9,
            "mouth_detail": 0.6,
            "lip_sync": 0.7,
            "blink_rate": 0.5,
            "skin_tone": 0.4,
            "eye_highlights": 0.4,
            "spectrum": 0.8,
            # Noise, compression and motion traces (signals/face_noise.py): hand-set from how
            # they did out of sample on the development media (docs/detector-face-signals.md).
            "noise_mismatch": 0.7,
            "blocking_grid": 0.4,
            "blend_boundary": 0.2,
            "noise_flicker": 0.1,
            "landmark_jitter": 0.2,
            "face_spectrum": 0.5,
        },
    },
    Family.EDITING: {
        "intercept": -2.2,
        "weights": {
            "repeated_frames": 1.2,
            "blended_frames": 1.0,
            "speed_vs_original": 1.5,
            "removed_vs_original": 1.3,
            "jumps": 0.8,
            "timestamps": 0.6,
            "av_length": 0.5,
            "cuts": 0.3,
            "motion_steps": 0.9,
            "blend_cadence": 0.8,
            "splice_continuity": 0.7,
        },
    },
}
# Weights fitted on the development media (`fit_detector --samples … --ship`), committed with
# the code: what a fresh installation scores with until it fits its own library.
SHIPPED_WEIGHTS = Path(__file__).resolve().parent / "shipped_weights.json"
# The prior's spread around the default weights: wide, because they were not fitted here.
DEFAULT_INTERCEPT_SD = 0.5
DEFAULT_WEIGHT_SD_SHARE = 0.5


def sigmoid(x: float | np.ndarray) -> float | np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x, -40, 40)))


def design_row(measurements: list[Measurement], names: list[str]) -> np.ndarray:
    """[1, x1, x2 …]: each signal's feature times its strength, 0 when not measured."""
    by_name = {m.name: m for m in measurements}
    row = [1.0]
    for name in names:
        m = by_name.get(name)
        row.append(float(m.feature) * min(1.0, max(0.0, m.strength)) if m and m.measured else 0.0)
    return np.asarray(row)


@dataclass
class FamilyModel:
    names: list[str]
    coefficients: list[float]  # intercept first, then one per name
    covariance: list[list[float]]
    # Platt scaling p = sigmoid(a * logit + b), or None for uncalibrated weights.
    platt: tuple[float, float] | None = None

    def logit_interval(self, row: np.ndarray) -> tuple[float, float]:
        logit = float(row @ np.asarray(self.coefficients))
        variance = float(row @ np.asarray(self.covariance) @ row)
        return logit, math.sqrt(max(variance, 0.0))

    def probability(self, row: np.ndarray) -> tuple[float, float, float]:
        logit, sd = self.logit_interval(row)
        a, b = self.platt or (1.0, 0.0)
        points = [a * value + b for value in (logit, logit - Z95 * sd, logit + Z95 * sd)]
        p, low, high = (float(sigmoid(x)) for x in points)
        return p, min(low, high), max(low, high)


@dataclass
class FamilyScore:
    family: str
    probability: float | None
    low: float | None
    high: float | None
    abstained: bool
    why: str = ""  # why it abstained
    # The signals that pushed the score up most, each with its reasons.
    reasons: list[dict] = field(default_factory=list)
    # How this score did on clips of the same kind it had never seen (`HeldOut.as_json()`),
    # or None when the weights carry no such figure: the reveal shows a percentage only when
    # that figure's interval excludes chance.
    held_out: dict | None = None


@dataclass(frozen=True)
class HeldOut:
    """A score's out-of-sample ranking on one kind of clip (video or still image): the AUC,
    "how often a fake ranked above a real clip", with its 95 % bootstrap interval, measured on
    clips scored by a model fitted without their dataset (`fitting.py`)."""

    auc: float
    low: float
    high: float
    fakes: int
    reals: int
    scheme: str = "leave-one-dataset-out"

    @property
    def informative(self) -> bool:
        """Better than chance even at the interval's lower end."""
        return self.low > 0.5

    def as_json(self) -> dict:
        return {**asdict(self), "informative": self.informative}

    @classmethod
    def from_json(cls, data: dict) -> HeldOut:
        return cls(
            auc=float(data["auc"]),
            low=float(data["low"]),
            high=float(data["high"]),
            fakes=int(data["fakes"]),
            reals=int(data["reals"]),
            scheme=str(data.get("scheme", "leave-one-dataset-out")),
        )


@dataclass
class Weights:
    version: str
    calibrated: bool
    models: dict[str, FamilyModel]
    # Models for still images, by family, where they differ from the video ones: a still is
    # measured by other signals (one frame: spectrum, eye highlights), so it is fitted apart.
    still_models: dict[str, FamilyModel] = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)  # cross-validated, when fitted
    fitted_on: dict = field(default_factory=dict)
    # family -> kind of clip ("video", "image") -> HeldOut.as_json(): what the reveal says of
    # how the score did out of sample. Empty for the default weights: nobody measured them so.
    out_of_sample: dict = field(default_factory=dict)

    @classmethod
    def default(cls) -> Weights:
        models = {}
        for family, spec in DEFAULT_MODEL.items():
            names = list(spec["weights"])
            coefficients = [spec["intercept"], *spec["weights"].values()]
            spreads = [DEFAULT_INTERCEPT_SD] + [
                DEFAULT_WEIGHT_SD_SHARE * abs(w) for w in spec["weights"].values()
            ]
            models[family.value] = FamilyModel(
                names, coefficients, np.diag(np.square(spreads)).tolist()
            )
        # The literature's weights make no difference between the kinds of clip.
        still_models = {Family.FACE.value: models[Family.FACE.value]}
        return cls(
            version=f"default-{SIGNALS_VERSION}",
            calibrated=False,
            models=models,
            still_models=still_models,
        )

    @classmethod
    def shipped(cls, path: Path | None = SHIPPED_WEIGHTS) -> Weights | None:
        """The weights committed with the code (or kept at `path`), if they match the signals
        this code measures."""
        if path is None:
            return None
        try:
            weights = cls.from_json(json.loads(Path(path).read_text()))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return weights if weights.signals_version == SIGNALS_VERSION else None

    @classmethod
    def best_available(cls, shipped: Path | None = SHIPPED_WEIGHTS) -> Weights:
        """The shipped weights, else the literature's defaults."""
        return cls.shipped(shipped) or cls.default()

    @property
    def signals_version(self) -> int:
        return int(self.fitted_on.get("signals_version", SIGNALS_VERSION))

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Weights:
        def models(entries: dict) -> dict[str, FamilyModel]:
            return {
                name: FamilyModel(
                    names=list(model["names"]),
                    coefficients=[float(c) for c in model["coefficients"]],
                    covariance=[[float(v) for v in row] for row in model["covariance"]],
                    platt=tuple(model["platt"]) if model.get("platt") else None,
                )
                for name, model in entries.items()
            }

        return cls(
            version=str(data["version"]),
            calibrated=bool(data["calibrated"]),
            models=models(data["models"]),
            still_models=models(data.get("still_models", {})),
            metrics=data.get("metrics", {}),
            fitted_on=data.get("fitted_on", {}),
            out_of_sample=data.get("out_of_sample", {}),
        )

    def model_for(self, family: str, kind: str) -> FamilyModel:
        """The model that scores `family` on a kind of clip ("video", "image"): the still-image
        one for a still where there is one."""
        if kind == "image" and family in self.still_models:
            return self.still_models[family]
        return self.models[family]

    def held_out(self, family: str, kind: str) -> HeldOut | None:
        """How `family`'s score did out of sample on clips of `kind`, if it was measured."""
        data = self.out_of_sample.get(family, {}).get(kind)
        try:
            return HeldOut.from_json(data) if data else None
        except (KeyError, TypeError, ValueError):
            return None

    def score(self, measurements: list[Measurement], face_seconds: float | None) -> dict:
        """Both families' scores for one clip's measurements. `face_seconds` is how long a
        face was tracked (None for a still image, where one frame is all there is)."""
        return {
            family: self.score_family(Family(family), measurements, face_seconds)
            for family in self.models
        }

    def score_family(
        self, family: Family, measurements: list[Measurement], face_seconds: float | None
    ) -> FamilyScore:
        # A still image is the one clip scored without face seconds (one frame is all there is).
        kind = "image" if face_seconds is None else "video"
        model = self.model_for(family.value, kind)
        mine = [m for m in measurements if m.family == family and m.name in model.names]
        measured = [m for m in mine if m.measured]
        why = abstention(family, mine, face_seconds)
        if why:
            return FamilyScore(family.value, None, None, None, True, why)
        row = design_row(mine, model.names)
        p, low, high = model.probability(row)
        held_out = self.held_out(family.value, kind)
        return FamilyScore(
            family.value,
            p,
            low,
            high,
            False,
            "",
            top_reasons(model, row, measured),
            held_out.as_json() if held_out else None,
        )


def abstention(family: Family, signals: list[Measurement], face_seconds: float | None) -> str:
    """Why this family cannot give a score for the clip, or ""."""
    measured = [m for m in signals if m.measured]
    if family == Family.FACE and face_seconds is not None and face_seconds < MIN_FACE_SECONDS:
        if face_seconds == 0:
            return "No face was found, so the face signals could not be measured."
        return (
            f"A face was tracked for only {face_seconds:.1f} s; at least "
            f"{MIN_FACE_SECONDS:.0f} s are needed to judge it."
        )
    if not measured:
        # One reason for all (a still image has no frames to compare): say that one.
        reasons = {m.detail.get("not_measured", "") for m in signals}
        if len(reasons) == 1 and (reason := reasons.pop()):
            return reason
    if len(measured) < MIN_SIGNALS:
        return (
            f"Only {len(measured)} of the signals could be measured on this clip; "
            f"at least {MIN_SIGNALS} are needed."
        )
    if sum(min(1.0, m.strength) for m in measured) < MIN_STRENGTH:
        return "Too little evidence: the signals rest on too few frames to judge."
    return ""


def top_reasons(model: FamilyModel, row: np.ndarray, measured: list[Measurement]) -> list[dict]:
    """The signals that raised the score most (weight x feature), with their reasons."""
    contribution = {
        name: coefficient * value
        for name, coefficient, value in zip(
            model.names, model.coefficients[1:], row[1:], strict=True
        )
    }
    ranked = sorted(
        (m for m in measured if contribution.get(m.name, 0) > 0.05 and m.reasons),
        key=lambda m: contribution[m.name],
        reverse=True,
    )
    return [
        {
            "signal": m.name,
            "tell": m.tell,
            "contribution": round(contribution[m.name], 3),
            "reasons": [asdict(reason) for reason in m.reasons[:2]],
        }
        for m in ranked[:TOP_REASONS]
    ]


def combined_probability(probabilities: list[float | None]) -> float | None:
    """The chance a clip was manipulated in either way, from the two scores (None where a
    score abstained) taken as independent; None when both abstained."""
    answered = [p for p in probabilities if p is not None]
    if not answered:
        return None
    return 1 - math.prod(1 - p for p in answered)
