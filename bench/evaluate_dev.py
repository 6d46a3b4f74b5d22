"""The detector on the development media, end to end: `make evaluate-detector`.

In a throwaway database and media folder (nothing touches var/):
1. `evaluate_detector` on the FaceForensics++ and DFDC folders of ../shared/media/dev, labels
   from their own metadata, each file analysed with the weights in force (the defaults);
2. the FF++ folder imported, processed and published (`import_dataset --process-now
   --publish`), and four shallowfakes made by the workshop from every real clip (slowed speech
   0.75x, a sped-up moment 1.5x, a 2-second splice, blended slow motion 2x) and published;
3. every published clip analysed, and `fit_detector --dry-run` reporting its cross-validated
   figures (grouped by original, Platt-calibrated) without saving;
4. `evaluate_detector library` on all of it with the default weights.
`--library-only` skips step 1.
Development data: small, heavily compressed (c40), and partly the data the signals' thresholds
were chosen on. The figures say what the detector does here, not what it would do in the wild.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEV = BASE_DIR.parent / "shared" / "media" / "dev"
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TELLTALE_ALLOW_DEV_SECRET", "1")
os.environ["TELLTALE_VAR_DIR"] = tempfile.mkdtemp(prefix="telltale-evaluate-")
os.environ.pop("DATABASE_URL", None)
# Everything runs here, in order; the detector is run explicitly in step 3.
os.environ["TASKS_BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"
os.environ["DETECTOR_ANALYZE_AFTER_PROCESSING"] = "0"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from media_library.models import Clip, MediaKind, PublicationState, Verdict  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results"
WORKSHOP = [
    ("slow_speech", ["--factor", "0.75"]),
    ("speed_up_moment", ["--start", "3", "--end", "7", "--factor", "1.5"]),
    ("splice", ["--start", "4", "--end", "6"]),
    ("slow_motion", ["--factor", "2"]),
]


def heading(text: str) -> None:
    print(f"\n=== {text}", flush=True)


def main() -> int:
    if not DEV.is_dir():
        print(f"{DEV} is absent: the development media are needed for this evaluation.")
        return 1
    RESULTS.mkdir(parents=True, exist_ok=True)
    folders = () if "--library-only" in sys.argv else ("ffpp", "dfdc")
    for name in folders:
        heading(f"evaluate_detector on the {name} folder (default weights)")
        call_command(
            "evaluate_detector",
            str(DEV / name),
            format=name,
            svg=RESULTS / f"reliability-{name}.svg",
            json=RESULTS / f"evaluation-{name}.json",
        )

    heading("Library: FF++ imported, workshop shallowfakes made from every real clip")
    call_command("migrate", verbosity=0)
    call_command(
        "import_dataset",
        str(DEV / "ffpp"),
        format="ffpp",
        process_now=True,
        publish=True,
        licence="FaceForensics++ terms of use (research only)",
    )
    # Published directly (the research clips' records lack the public-figure answer a curator
    # gives): this throwaway library is for measuring, never for learners.
    Clip.objects.ready().update(publication_state=PublicationState.PUBLISHED)
    reals = list(Clip.objects.published().filter(verdict=Verdict.REAL, kind=MediaKind.VIDEO))
    for real in reals:
        for recipe, options in WORKSHOP:
            call_command("make_shallowfake", real.slug, recipe, *options, "--now")
    Clip.objects.ready().update(publication_state=PublicationState.PUBLISHED)
    print(f"{Clip.objects.published().count()} published clips", flush=True)

    heading("fit_detector --analyze-missing --dry-run (cross-validated, grouped by original)")
    call_command("fit_detector", analyze_missing=True, dry_run=True)

    heading("evaluate_detector library (default weights)")
    call_command(
        "evaluate_detector",
        "library",
        svg=RESULTS / "reliability-library.svg",
        json=RESULTS / "evaluation-library.json",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
