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

from languages.commands import gettext as _
from languages.commands import gettext_lazy
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
        raise CommandError(_("%(path)s does not exist.") % {"path": root})
    found = []
    for name, importer in IMPORTERS.items():
        try:
            next(iter(importer(root).entries()), None)  # the first entry checks the layout
        except DatasetError:
            continue
        found.append(name)
    if len(found) != 1:
        if found:
            message = _("Name the dataset's layout with --format: it fits %(layouts)s.")
        else:
            message = _("Name the dataset's layout with --format: no known layout fits it.")
        raise CommandError(message % {"layouts": ", ".join(found)})
    return found[0]


def as_guess(values: list[float | None]) -> np.ndarray:
    return np.array([0.5 if v is None else v for v in values], dtype=float)


# The figures' keys in --json (stable, English) and how the report names them.
VIEW_LABELS = {
    "manipulated (either score)": gettext_lazy("manipulated (either score)"),
    "face score: deepfake vs real": gettext_lazy("face score: deepfake vs real"),
    "editing score: shallowfake vs real": gettext_lazy("editing score: shallowfake vs real"),
}


class Command(BaseCommand):
    help = gettext_lazy("Evaluate the detector on the library or on a labelled dataset folder.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", help=_('"library", or a dataset folder (with --format).'))
        parser.add_argument("--format", choices=sorted(IMPORTERS), help=_("The folder's layout."))
        parser.add_argument("--limit", type=int, help=_("Analyse at most this many files."))
        parser.add_argument(
            "--svg", type=Path, default=Path("detector-reliability.svg"),
            help=_("Where to write the reliability diagram (default: %(default)s)."),
        )  # fmt: skip
        parser.add_argument("--json", type=Path, help=_("Also write every figure to this file."))

    def handle(self, *args, source: str, **options) -> None:
        # The diagram's title stays English (a file the command writes); the report is in the
        # language the command speaks.
        if source == "library":
            scored, label = self.from_library(), "published library clips"
            shown = _("published library clips")
        else:
            layout = options["format"] or recognise_layout(Path(source))
            scored = self.from_folder(Path(source), layout, options["limit"])
            label = f"{layout} folder {source}"
            shown = _("%(layout)s folder %(path)s") % {"layout": layout, "path": source}
        if not scored:
            raise CommandError(_("Nothing to evaluate: no labelled clip could be analysed."))
        figures = self.report(scored, shown)
        manipulated = [s.manipulated for s in scored]
        y = np.array([s.verdict != Verdict.REAL for s in scored], dtype=float)
        options["svg"].write_text(
            reliability_svg(
                y, as_guess(manipulated), f"Detector reliability on {len(scored)} {label}"
            )
        )
        self.stdout.write(_("Reliability diagram written to %(path)s") % {"path": options["svg"]})
        if options["json"]:
            options["json"].write_text(json.dumps(figures, indent=2) + "\n")
            self.stdout.write(_("Figures written to %(path)s") % {"path": options["json"]})

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
            self.stderr.write(
                _("[%(n)d/%(total)d] analysing") % {"n": n, "total": len(entries)}, ending="\r"
            )
            try:
                result = analyze_file(entry.path, original_path, weights, rules=rules)
            except DecodeError as error:
                self.stderr.write(_("skipped one file: %(error)s") % {"error": error})
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
        if weights.calibrated:
            evaluated = _("Evaluated %(count)d %(what)s with weights %(version)s (calibrated).")
        else:
            evaluated = _(
                "Evaluated %(count)d %(what)s with weights %(version)s (uncalibrated defaults)."
            )
        out(evaluated % {"count": len(scored), "what": label, "version": weights.version})
        real = [s for s in scored if s.verdict == Verdict.REAL]
        out(
            _(
                "%(real)d real, %(manipulated)d manipulated. Log loss references: %(guessing)s "
                "for always saying 50 %%, %(winner)s for the DFDC winner on unseen videos."
            )
            % {
                "real": len(real),
                "manipulated": len(scored) - len(real),
                "guessing": f"{GUESSING_LOG_LOSS:.3f}",
                "winner": DFDC_WINNER_LOG_LOSS,
            }
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
            figures["scores"][name] = self.describe(str(VIEW_LABELS[name]), subset, pick)
        out(_("Per technique (its fakes against every real clip, either score):"))
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
            out(_("%(name)s: no clips") % {"name": name})
            return {}
        values = [pick(s) for s in subset]
        y = np.array([s.verdict != Verdict.REAL for s in subset], dtype=float)
        metrics = binary_metrics(y, as_guess(values), interval=True)
        metrics["coverage"] = sum(v is not None for v in values) / len(values)
        auc, interval = metrics["auc"], metrics["auc_interval"]
        auc_text = _("n/a (one class only)") if auc is None else f"{auc:.3f}"
        if interval:
            auc_text += f" [{interval[0]:.3f}, {interval[1]:.3f}]"
        out(
            _(
                "%(name)s: n=%(n)s, scored %(coverage)s, AUC %(auc)s, accuracy %(accuracy)s, "
                "Brier %(brier)s, log loss %(log_loss)s, ECE %(ece)s"
            )
            % {
                "name": name,
                "n": metrics["n"],
                "coverage": f"{metrics['coverage']:.0%}",
                "auc": auc_text,
                "accuracy": f"{metrics['accuracy']:.1%}",
                "brier": f"{metrics['brier']:.3f}",
                "log_loss": f"{metrics['log_loss']:.3f}",
                "ece": f"{metrics['ece']:.3f}",
            }
        )
        return metrics
