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

from media_library import detector_weights
from media_library.detector.analysis import Analysis, analyze_file
from media_library.detector.footage import DecodeError
from media_library.detector.measurements import clock
from media_library.processing.probe import detector_rules

PROGRESS_WIDTH = 30
FAMILY_NAMES = {"face": "Face manipulation", "editing": "Editing"}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class Command(BaseCommand):
    help = "Analyse one video or image with the detector and explain the result."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="A video (MP4, MOV, WebM, MKV, AVI) or image.")
        parser.add_argument(
            "--original", type=Path, help="The original this clip was made from, if known."
        )
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, file: Path, original: Path | None, **options) -> None:
        for path in filter(None, (file, original)):
            if not path.is_file():
                raise CommandError(f"{path} is not a file.")
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
        self.stderr.write(f"\rDecoding [{bar}] {share:4.0%}", ending="")
        self.stderr.flush()

    def explain(self, result: Analysis) -> None:
        out = self.stdout.write
        weights = result.weights
        state = "calibrated" if weights.calibrated else "uncalibrated (default weights)"
        out(f"Detector weights {weights.version}, {state}; took {result.seconds_taken:.1f} s.")
        if result.face_seconds is not None:
            out(f"Face tracked for {result.face_seconds:.1f} s of {result.duration:.1f} s.")
        for name, score in result.scores.items():
            label = FAMILY_NAMES.get(name, name)
            if score.abstained:
                out(f"{label}: no score. {score.why}")
                continue
            out(
                f"{label}: {percent(score.probability)} "
                f"(95 % interval {percent(score.low)} to {percent(score.high)})"
            )
            for reason in score.reasons:
                for text in reason["reasons"]:
                    out(f"  - {text['text']}")
        out("Measurements:")
        for m in result.measurements:
            if m.measured:
                out(
                    f"  {m.family.value:8} {m.name:22} {m.value:10.4g} {m.unit:20} "
                    f"feature {m.feature:.2f}, strength {m.strength:.2f}"
                )
            else:
                why = m.detail.get("not_measured", "")
                out(f"  {m.family.value:8} {m.name:22} {'not measured':>10} {'':20} {why}")
        if result.timeline:
            peak_time, peak = max(result.timeline, key=lambda point: point[1])
            out(f"Face signal peaks at {clock(peak_time)} ({peak:.2f}).")
