"""Run the detector on one file, outside the library.

    manage.py analyze_clip FILE [--original FILE] [--json]

Decodes the file once, measures every face and editing signal, and prints both scores with
their intervals, the top reasons with timestamps, and every measurement (or the whole result as
JSON with --json). --original names the file the clip was made from, for the speed ratio and
the removed stretches. Uses the newest fitted weights, or the default (uncalibrated) ones.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from languages.commands import gettext as _
from languages.commands import gettext_lazy
from media_library import detector_weights
from media_library.detector.analysis import Analysis, analyze_file
from media_library.detector.footage import DecodeError
from media_library.detector.measurements import clock
from media_library.processing.probe import detector_rules

PROGRESS_WIDTH = 30
FAMILY_NAMES = {"face": gettext_lazy("Face manipulation"), "editing": gettext_lazy("Editing")}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class Command(BaseCommand):
    help = gettext_lazy("Analyse one video or image with the detector and explain the result.")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "file", type=Path, help=_("A video (MP4, MOV, WebM, MKV, AVI) or image.")
        )
        parser.add_argument(
            "--original", type=Path, help=_("The original this clip was made from, if known.")
        )
        parser.add_argument("--json", action="store_true", help=_("Print the result as JSON."))

    def handle(self, *args, file: Path, original: Path | None, **options) -> None:
        for path in filter(None, (file, original)):
            if not path.is_file():
                raise CommandError(_("%(path)s is not a file.") % {"path": path})
        show_progress = self.stderr.isatty()
        try:
            result = analyze_file(
                file,
                original,
                detector_weights.current(),
                progress=self.progress if show_progress else None,
                rules=detector_rules(),
            )
        except DecodeError as error:
            raise CommandError(f"{file}: {error}") from error
        finally:
            if show_progress:
                self.stderr.write("")
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), indent=2))
        else:
            self.explain(result)

    def progress(self, share: float) -> None:
        filled = round(PROGRESS_WIDTH * share)
        bar = "#" * filled + "." * (PROGRESS_WIDTH - filled)
        self.stderr.write(
            "\r" + _("Decoding [%(bar)s] %(share)s") % {"bar": bar, "share": f"{share:4.0%}"},
            ending="",
        )
        self.stderr.flush()

    def explain(self, result: Analysis) -> None:
        out = self.stdout.write
        weights = result.weights
        state = _("calibrated") if weights.calibrated else _("uncalibrated (default weights)")
        out(
            _("Detector weights %(version)s, %(state)s; took %(seconds).1f s.")
            % {"version": weights.version, "state": state, "seconds": result.seconds_taken}
        )
        if result.face_seconds is not None:
            out(
                _("Face tracked for %(tracked).1f s of %(duration).1f s.")
                % {"tracked": result.face_seconds, "duration": result.duration}
            )
        for name, score in result.scores.items():
            label = FAMILY_NAMES.get(name, name)
            if score.abstained:
                out(_("%(family)s: no score. %(why)s") % {"family": label, "why": score.why})
                continue
            out(
                _("%(family)s: %(probability)s (95 %% interval %(low)s to %(high)s)")
                % {
                    "family": label,
                    "probability": percent(score.probability),
                    "low": percent(score.low),
                    "high": percent(score.high),
                }
            )
            for reason in score.reasons:
                for text in reason["reasons"]:
                    out(f"  - {text['text']}")
        out(_("Measurements:"))
        for m in result.measurements:
            if m.measured:
                out(
                    f"  {m.family.value:8} {m.name:22} {m.value:10.4g} {m.unit:20} "
                    + _("feature %(feature).2f, strength %(strength).2f")
                    % {"feature": m.feature, "strength": m.strength}
                )
            else:
                why = m.detail.get("not_measured", "")
                out(f"  {m.family.value:8} {m.name:22} {_('not measured'):>10} {'':20} {why}")
        if result.timeline:
            peak_time, peak = max(result.timeline, key=lambda point: point[1])
            out(
                _("Face signal peaks at %(time)s (%(peak).2f).")
                % {"time": clock(peak_time), "peak": peak}
            )
