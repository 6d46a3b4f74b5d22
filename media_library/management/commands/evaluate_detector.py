"""How well the detector does on labelled clips: the library's, or a dataset folder's.

    manage.py evaluate_detector library [--svg FILE] [--json FILE]
    manage.py evaluate_detector PATH [--format {dfdc,ffpp,celebdf,fakeavceleb,manifest}]
        [--limit N] [--svg FILE] [--json FILE]

"library" scores the published clips the detector has analysed (with the weights they were
scored with). A folder is read with the dataset importers (labels from the dataset's own
metadata, never from a file name; the layout is recognised unless --format names it), and every
file is analysed here, with its original when the dataset names one.

Prints, for "manipulated in any way" and for each score: AUC with a bootstrap 95 % interval,
accuracy at 50 %, Brier score, log loss (beside 0.693 for guessing and 0.428 for the DFDC
winner on unseen videos), expected calibration error, and results per technique; writes a
reliability diagram as SVG. Where the detector abstains it counts as 50 %
(as good as guessing) and the coverage says how often that happened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from media_library import detector_weights
from media_library.detector.analysis import analyze_file
from media_library.detector.evaluation import (
    DFDC_WINNER_LOG_LOSS,
    GUESSING_LOG_LOSS,
    binary_metrics,
    reliability_svg,
)
from media_library.detector.footage import DecodeError
from media_library.detector.scoring import combined_probability
from media_library.importers import IMPORTERS, DatasetError
from media_library.importers.base import Entry
from media_library.models import ClipAnalysis, Technique, Verdict
from media_library.processing.probe import detector_rules


@dataclass
class Scored:
    verdict: str
    technique: str
    face: float | None  # None: abstained
    editing: float | None

    @property
    def manipulated(self) -> float | None:
        return combined_probability([self.face, self.editing])


def recognise_layout(root: Path) -> str:
    """The one importer format whose metadata the folder has; CommandError otherwise."""
    if not root.exists():
        raise CommandError(f"{root} does not exist.")
    found = []
    for name, importer in IMPORTERS.items():
        try:
            next(iter(importer(root).entries()), None)  # the first entry checks the layout
        except DatasetError:
            continue
        found.append(name)
    if len(found) != 1:
        which = f"it fits {', '.join(found)}" if found else "no known layout fits it"
        raise CommandError(f"Name the dataset's layout with --format: {which}.")
    return found[0]


def as_guess(values: list[float | None]) -> np.ndarray:
    return np.array([0.5 if v is None else v for v in values], dtype=float)


class Command(BaseCommand):
    help = "Evaluate the detector on the library or on a labelled dataset folder."

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", help='"library", or a dataset folder (with --format).')
        parser.add_argument("--format", choices=sorted(IMPORTERS), help="The folder's layout.")
        parser.add_argument("--limit", type=int, help="Analyse at most this many files.")
        parser.add_argument(
            "--svg", type=Path, default=Path("detector-reliability.svg"),
            help="Where to write the reliability diagram (default: %(default)s).",
        )  # fmt: skip
        parser.add_argument("--json", type=Path, help="Also write every figure to this file.")

    def handle(self, *args, source: str, **options) -> None:
        if source == "library":
            scored, label = self.from_library(), "published library clips"
        else:
            layout = options["format"] or recognise_layout(Path(source))
            scored = self.from_folder(Path(source), layout, options["limit"])
            label = f"{layout} folder {source}"
        if not scored:
            raise CommandError("Nothing to evaluate: no labelled clip could be analysed.")
        figures = self.report(scored, label)
        manipulated = [s.manipulated for s in scored]
        y = np.array([s.verdict != Verdict.REAL for s in scored], dtype=float)
        options["svg"].write_text(
            reliability_svg(
                y, as_guess(manipulated), f"Detector reliability on {len(scored)} {label}"
            )
        )
        self.stdout.write(f"Reliability diagram written to {options['svg']}")
        if options["json"]:
            options["json"].write_text(json.dumps(figures, indent=2) + "\n")
            self.stdout.write(f"Figures written to {options['json']}")

    def from_library(self) -> list[Scored]:
        analyses = (
            ClipAnalysis.objects.done()
            .filter(clip__publication_state="published")
            .select_related("clip")
        )
        return [
            Scored(
                a.clip.verdict,
                a.clip.technique,
                None if a.face_abstained else a.face_probability,
                None if a.editing_abstained else a.editing_probability,
            )
            for a in analyses
        ]

    def from_folder(self, root: Path, format: str, limit: int | None) -> list[Scored]:
        try:
            entries = [e for e in IMPORTERS[format](root).entries() if isinstance(e, Entry)]
        except DatasetError as error:
            raise CommandError(str(error)) from error
        by_key = {entry.key: entry for entry in entries}
        weights = detector_weights.current()
        rules = detector_rules()
        scored = []
        for n, entry in enumerate(entries[:limit] if limit else entries, start=1):
            if not entry.path.is_file():
                continue
            original = by_key.get(entry.original_key) if entry.original_key else None
            original_path = original.path if original and original.path.is_file() else None
            self.stderr.write(f"[{n}/{len(entries)}] analysing", ending="\r")
            try:
                result = analyze_file(entry.path, original_path, weights, rules=rules)
            except DecodeError as error:
                self.stderr.write(f"skipped one file: {error}")
                continue
            face, editing = result.scores["face"], result.scores["editing"]
            scored.append(
                Scored(
                    entry.verdict,
                    entry.technique,
                    None if face.abstained else face.probability,
                    None if editing.abstained else editing.probability,
                )
            )
        self.stderr.write("")
        return scored

    def report(self, scored: list[Scored], label: str) -> dict:
        out = self.stdout.write
        weights = detector_weights.current()
        out(
            f"Evaluated {len(scored)} {label} with weights {weights.version} "
            f"({'calibrated' if weights.calibrated else 'uncalibrated defaults'})."
        )
        real = [s for s in scored if s.verdict == Verdict.REAL]
        out(
            f"{len(real)} real, {len(scored) - len(real)} manipulated. Log loss references: "
            f"{GUESSING_LOG_LOSS:.3f} for always saying 50 %, {DFDC_WINNER_LOG_LOSS} for the "
            "DFDC winner on unseen videos."
        )
        figures = {"clips": len(scored), "weights": weights.version, "scores": {}}
        views = {
            "manipulated (either score)": (scored, lambda s: s.manipulated),
            "face score: deepfake vs real": (
                [s for s in scored if s.verdict in (Verdict.REAL, Verdict.DEEPFAKE)],
                lambda s: s.face,
            ),
            "editing score: shallowfake vs real": (
                [s for s in scored if s.verdict in (Verdict.REAL, Verdict.SHALLOWFAKE)],
                lambda s: s.editing,
            ),
        }
        for name, (subset, pick) in views.items():
            figures["scores"][name] = self.describe(name, subset, pick)
        out("Per technique (its fakes against every real clip, either score):")
        figures["techniques"] = {}
        for technique in Technique:
            fakes = [s for s in scored if s.verdict != Verdict.REAL and s.technique == technique]
            if not fakes:
                continue
            subset = real + fakes
            figures["techniques"][technique.value] = self.describe(
                f"  {technique.label}", subset, lambda s: s.manipulated
            )
        return figures

    def describe(self, name: str, subset: list[Scored], pick) -> dict:
        out = self.stdout.write
        if not subset:
            out(f"{name}: no clips")
            return {}
        values = [pick(s) for s in subset]
        y = np.array([s.verdict != Verdict.REAL for s in subset], dtype=float)
        metrics = binary_metrics(y, as_guess(values), interval=True)
        metrics["coverage"] = sum(v is not None for v in values) / len(values)
        auc, interval = metrics["auc"], metrics["auc_interval"]
        auc_text = "n/a (one class only)" if auc is None else f"{auc:.3f}"
        if interval:
            auc_text += f" [{interval[0]:.3f}, {interval[1]:.3f}]"
        out(
            f"{name}: n={metrics['n']}, scored {metrics['coverage']:.0%}, AUC {auc_text}, "
            f"accuracy {metrics['accuracy']:.1%}, Brier {metrics['brier']:.3f}, "
            f"log loss {metrics['log_loss']:.3f}, ECE {metrics['ece']:.3f}"
        )
        return metrics
