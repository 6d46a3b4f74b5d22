"""How well the detector does on labelled clips: the library's, a dataset folder's, or a
samples file's (what `make evaluate-detector` writes from the development media).

    manage.py evaluate_detector library [--svg FILE] [--json FILE]
    manage.py evaluate_detector PATH [--format {dfdc,ffpp,celebdf,fakeavceleb,manifest}]
        [--limit N] [--svg FILE] [--json FILE]
    manage.py evaluate_detector --samples FILE [--json FILE]

"library" scores the published clips the detector has analysed (with the weights they were
scored with). A folder is read with the dataset importers (labels from the dataset's own
metadata, never from a file name; the layout is recognised unless --format names it), and every
file is analysed here, with its original when the dataset names one.

The headline is **held out** (`media_library/detector/held_out.py`): for each score and kind of
clip, models refitted with scikit-learn without the clips they score — leaving out one dataset
(source) at a time, one fake-making method at a time, or folds grouped by identity where all
clips come from one source — with the in-sample figure beside, so the gap shows, and broken
down per source, method, compression and signal. Then, for the weights in force:
for "manipulated in any way" and for each score: AUC with a bootstrap 95 % interval,
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
from media_library.detector import held_out
from media_library.detector.analysis import analyze_file
from media_library.detector.evaluation import (
    DFDC_WINNER_LOG_LOSS,
    GUESSING_LOG_LOSS,
    binary_metrics,
    reliability_svg,
)
from media_library.detector.footage import DecodeError
from media_library.detector.samples import Sample
from media_library.detector.scoring import SIGNALS_VERSION, combined_probability
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
    sample: Sample | None = None  # what the held-out figures refit on

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


def read_samples(path: Path) -> list[Sample]:
    """A samples file written by `make evaluate-detector`, measured by these signals."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise CommandError(
            _("Cannot read the samples file %(path)s: %(error)s") % {"path": path, "error": error}
        ) from error
    if data.get("signals_version") != SIGNALS_VERSION:
        raise CommandError(
            _(
                "The samples in %(path)s were measured by other signals (version "
                "%(theirs)s, this code measures %(ours)s): run make evaluate-detector again."
            )
            % {"path": path, "theirs": data.get("signals_version"), "ours": SIGNALS_VERSION}
        )
    return [Sample.from_json(sample) for sample in data["samples"]]


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
        parser.add_argument(
            "source", nargs="?", help=_('"library", or a dataset folder (with --format).')
        )
        parser.add_argument(
            "--samples",
            type=Path,
            help=_("A samples file written by make evaluate-detector, instead of a source."),
        )
        parser.add_argument("--format", choices=sorted(IMPORTERS), help=_("The folder's layout."))
        parser.add_argument("--limit", type=int, help=_("Analyse at most this many files."))
        parser.add_argument(
            "--svg", type=Path, default=Path("detector-reliability.svg"),
            help=_("Where to write the reliability diagram (default: %(default)s)."),
        )  # fmt: skip
        parser.add_argument("--json", type=Path, help=_("Also write every figure to this file."))

    def handle(self, *args, source: str | None, **options) -> None:
        if options["samples"]:
            figures = {"held_out": self.held_out_report(read_samples(options["samples"]))}
            if options["json"]:
                options["json"].write_text(json.dumps(figures, indent=2) + "\n")
                self.stdout.write(_("Figures written to %(path)s") % {"path": options["json"]})
            return
        if not source:
            raise CommandError(_('Name what to evaluate: "library", a folder, or --samples.'))
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
        report = self.held_out_report([s.sample for s in scored if s.sample is not None])
        figures = self.report(scored, shown)
        figures["held_out"] = report
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
                a.as_sample() if a.signals_version == SIGNALS_VERSION else None,
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
            fake = entry.verdict != Verdict.REAL
            sample = Sample(
                measurements=result.measurements,
                face_seconds=result.face_seconds,
                labels={
                    "face": int(entry.verdict == Verdict.DEEPFAKE),
                    "editing": int(entry.verdict == Verdict.SHALLOWFAKE),
                },
                group=entry.original_key or entry.key,
                technique=entry.technique,
                source=format,
                method=entry.technique if fake else "",
                with_original=result.compared_with_original,
            )
            scored.append(
                Scored(
                    entry.verdict,
                    entry.technique,
                    None if face.abstained else face.probability,
                    None if editing.abstained else editing.probability,
                    sample,
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

    def held_out_report(self, samples: list[Sample]) -> dict:
        """The held-out tables, each beside the in-sample figure; returns them as data."""
        out = self.stdout.write
        report = held_out.evaluate(samples)
        if not report:
            out(_("Held out: not enough labelled clips of both kinds to refit and hold out."))
            return report
        for entry in report.values():
            out("")
            out(str(TARGET_LABELS[(entry["family"], entry["kind"])]))
            self.table(_("scheme"), entry["headline"], SCHEME_LABELS)
            scheme = str(SCHEME_LABELS.get(entry["scheme"], entry["scheme"]))
            for part, title in (
                ("per_source", _("per source (%(scheme)s)")),
                ("per_method", _("per method (each method left out; reals as above)")),
                ("per_compression", _("per compression (%(scheme)s)")),
                ("by_original", _("with and without the original (%(scheme)s)")),
                ("blind_per_method", _("without the original, per method (%(scheme)s)")),
                ("per_signal", _("per signal alone, left out by dataset")),
            ):
                if entry.get(part):
                    self.table(str(title) % {"scheme": scheme}, entry[part], {})
        return report

    def table(self, title: str, rows: dict, labels: dict) -> None:
        out = self.stdout.write
        # Outside the f-string, which xgettext does not read; the levels as placeholders, so
        # "% i" in "95 % interval" is not taken for a format of its own.
        fakes, reals, log_loss, ece = _("fakes"), _("reals"), _("log loss"), _("ECE")
        scored = _("scored")
        auc_head = _("AUC [%(level)d %% interval]") % {"level": 95}
        caught_head = _("caught at %(rate)d %% FP") % {"rate": 10}
        out(f"  {title}")
        out(
            f"  {'':<44} {fakes:>5} {reals:>5} {scored:>6}  {auc_head:<22}"
            f" {caught_head:>17} {log_loss:>8} {ece:>6}"
        )
        for name, row in rows.items():
            auc = row["auc"]
            interval = row.get("auc_interval")
            auc_text = _("n/a") if auc is None else f"{auc:.2f}"
            if interval:
                auc_text += f" [{interval[0]:.2f}, {interval[1]:.2f}]"
            caught = row.get("caught_at_10")
            coverage = row.get("coverage")
            coverage_text = "" if coverage is None else f"{coverage:.0%}"
            label = str(labels.get(name, name))[:44]
            out(
                f"  {label:<44} {row['fakes']:>5} {row['reals']:>5} {coverage_text:>6}"
                f"  {auc_text:<22}"
                f" {'' if caught is None else f'{caught:.0%}':>17}"
                f" {row['log_loss']:>8.3f} {row['ece']:>6.3f}"
            )


TARGET_LABELS = {
    ("face", "video"): gettext_lazy("Face manipulation score, videos (deepfakes against real)"),
    ("face", "image"): gettext_lazy("Face manipulation score, still images (fakes against real)"),
    ("editing", "video"): gettext_lazy(
        "Editing score, videos (speed changes and splices against the same clips unedited)"
    ),
}
SCHEME_LABELS = {
    held_out.IN_SAMPLE: gettext_lazy("in sample (fitted on these clips)"),
    held_out.CROSS_VALIDATED: gettext_lazy("held out: folds grouped by identity"),
    held_out.LEAVE_ONE_DATASET_OUT: gettext_lazy("held out: leave one dataset out"),
    held_out.LEAVE_ONE_METHOD_OUT: gettext_lazy("held out: leave one method out"),
    held_out.DEFAULT_WEIGHTS: gettext_lazy("default weights (not fitted)"),
}
