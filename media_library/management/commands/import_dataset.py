"""Import a research dataset (or a Telltale manifest) from disk into the library.

    manage.py import_dataset --format {dfdc,ffpp,celebdf,fakeavceleb,manifest} PATH
        [--limit N] [--licence TEXT] [--publish] [--dry-run]

Labels come from the dataset's own metadata and folder convention (see docs/importing.md).
Every file goes through the same checks as an upload and is queued for processing. Re-runs
add nothing twice: a clip remembers its format and its path inside the dataset. The command
ends with a summary that lists every skipped file and why.

--publish publishes the clips that are ready when the command reaches them: with the worker
(real use) new clips are still waiting, so run the command again with --publish once the
worker has processed them; already imported clips are published then. --process-now processes
each clip inside the command instead, so one run can import and publish everything.

Nothing outside the dataset folder is read: a file or metadata file that is a link leading out
of it (or whose folder is) is refused, and the summary lists it under "Refused".
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from media_library.importers import IMPORTERS, DatasetError, ImportReport, ImportRun

PROGRESS_WIDTH = 30


class Command(BaseCommand):
    help = "Import a research dataset or a Telltale manifest into the media library."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="The dataset's folder (or the manifest file).")
        parser.add_argument("--format", required=True, choices=sorted(IMPORTERS))
        parser.add_argument(
            "--limit", type=int, help="Stop after importing this many new clips (originals first)."
        )
        parser.add_argument(
            "--licence", default="", help="Licence to record instead of the dataset's terms."
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish each clip once it is processed (ready clips only; see the summary).",
        )
        parser.add_argument(
            "--process-now",
            action="store_true",
            help="Process each clip in this command instead of leaving it to the worker, so "
            "--publish can publish everything in one run (slower).",
        )
        parser.add_argument("--user", help="Username recorded as the importer (default: nobody).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; store nothing."
        )

    def handle(self, *args, path: Path, format: str, **options) -> None:
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user called {options['user']!r}.")
        try:
            importer = IMPORTERS[format](path.resolve(), licence=options["licence"].strip())
            run = ImportRun(
                importer,
                user=user,
                limit=options["limit"],
                publish=options["publish"] and not options["dry_run"],
                process_now=options["process_now"],
                dry_run=options["dry_run"],
                progress=self.progress if self.stderr.isatty() else None,
            )
            report = run.run()
        except DatasetError as error:
            raise CommandError(str(error)) from error
        finally:
            if self.stderr.isatty():
                self.stderr.write("")
        self.summarise(report, dry_run=options["dry_run"], publish=options["publish"])

    def progress(self, done: int, total: int, key: str) -> None:
        filled = PROGRESS_WIDTH * done // max(total, 1)
        bar = "#" * filled + "." * (PROGRESS_WIDTH - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total} {key[-40:]:40}", ending="")
        self.stderr.flush()

    def summarise(self, report: ImportReport, *, dry_run: bool, publish: bool) -> None:
        out = self.stdout.write
        verb = "Would import" if dry_run else "Imported"
        refused = f", refused {len(report.refused)}" if report.refused else ""
        out(
            f"{verb} {len(report.imported)}, already imported {len(report.already)}, "
            f"skipped {len(report.skipped)}{refused}."
        )
        if report.linked:
            out(f"Linked {len(report.linked)} fake(s) to their original:")
            for key, original in report.linked:
                out(f"  {key} -> {original}")
        if report.unlinked:
            out(f"Original not in the library for {len(report.unlinked)} clip(s):")
            for key, original in report.unlinked:
                out(f"  {key} (original {original})")
        if report.waiting and not dry_run:
            out(
                f"{len(report.waiting)} clip(s) queued for processing by the worker "
                "(manage.py db_worker)."
            )
        if publish and not dry_run:
            out(f"Published {len(report.published)}.")
            if report.waiting:
                out(
                    "Not yet processed, so not published (run again with --publish once the "
                    "worker is done):"
                )
                for key in report.waiting:
                    out(f"  {key}")
            if report.unpublishable:
                out("Not published until a curator completes the record:")
                for key, reasons in report.unpublishable:
                    out(f"  {key}: {reasons}")
        if report.refused:
            out(
                f"Refused {len(report.refused)} entries (nothing outside the dataset folder "
                "is read; copy the file into the folder if it belongs to the dataset):"
            )
            for refused_entry in report.refused:
                out(f"  {refused_entry.key}: {refused_entry.reason}")
        if report.skipped:
            out("Skipped:")
            for skip in report.skipped:
                out(f"  {skip.key}: {skip.reason}")
