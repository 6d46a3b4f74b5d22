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

from languages.commands import gettext as _
from languages.commands import gettext_lazy
from media_library.importers import IMPORTERS, DatasetError, ImportReport, ImportRun

PROGRESS_WIDTH = 30


class Command(BaseCommand):
    help = gettext_lazy("Import a research dataset or a Telltale manifest into the media library.")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "path", type=Path, help=_("The dataset's folder (or the manifest file).")
        )
        parser.add_argument("--format", required=True, choices=sorted(IMPORTERS))
        parser.add_argument(
            "--limit",
            type=int,
            help=_("Stop after importing this many new clips (originals first)."),
        )
        parser.add_argument(
            "--licence", default="", help=_("Licence to record instead of the dataset's terms.")
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help=_("Publish each clip once it is processed (ready clips only; see the summary)."),
        )
        parser.add_argument(
            "--process-now",
            action="store_true",
            help=_(
                "Process each clip in this command instead of leaving it to the worker, so "
                "--publish can publish everything in one run (slower)."
            ),
        )
        parser.add_argument(
            "--user", help=_("Username recorded as the importer (default: nobody).")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Report what would happen; store nothing.")
        )

    def handle(self, *args, path: Path, format: str, **options) -> None:
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError(_("--limit must be at least 1."))
        if not path.exists():
            raise CommandError(_("%(path)s does not exist.") % {"path": path})
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(
                    _("No user called %(username)s.") % {"username": repr(options["user"])}
                )
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
        counts = {
            "imported": len(report.imported),
            "already": len(report.already),
            "skipped": len(report.skipped),
            "refused": len(report.refused),
        }
        if dry_run and report.refused:
            summary = _(
                "Would import %(imported)d, already imported %(already)d, skipped %(skipped)d, "
                "refused %(refused)d."
            )
        elif dry_run:
            summary = _(
                "Would import %(imported)d, already imported %(already)d, skipped %(skipped)d."
            )
        elif report.refused:
            summary = _(
                "Imported %(imported)d, already imported %(already)d, skipped %(skipped)d, "
                "refused %(refused)d."
            )
        else:
            summary = _("Imported %(imported)d, already imported %(already)d, skipped %(skipped)d.")
        out(summary % counts)
        if report.linked:
            out(_("Linked %(count)d fake(s) to their original:") % {"count": len(report.linked)})
            for key, original in report.linked:
                out(f"  {key} -> {original}")
        if report.unlinked:
            out(
                _("Original not in the library for %(count)d clip(s):")
                % {"count": len(report.unlinked)}
            )
            for key, original in report.unlinked:
                out(_("  %(key)s (original %(original)s)") % {"key": key, "original": original})
        if report.waiting and not dry_run:
            out(
                _("%(count)d clip(s) queued for processing by the worker (manage.py db_worker).")
                % {"count": len(report.waiting)}
            )
        if publish and not dry_run:
            out(_("Published %(count)d.") % {"count": len(report.published)})
            if report.waiting:
                out(
                    _(
                        "Not yet processed, so not published (run again with --publish once the "
                        "worker is done):"
                    )
                )
                for key in report.waiting:
                    out(f"  {key}")
            if report.unpublishable:
                out(_("Not published until a curator completes the record:"))
                for key, reasons in report.unpublishable:
                    out(f"  {key}: {reasons}")
        if report.refused:
            out(
                _(
                    "Refused %(count)d entries (nothing outside the dataset folder is read; "
                    "copy the file into the folder if it belongs to the dataset):"
                )
                % {"count": len(report.refused)}
            )
            for refused_entry in report.refused:
                out(f"  {refused_entry.key}: {refused_entry.reason}")
        if report.skipped:
            out(_("Skipped:"))
            for skip in report.skipped:
                out(f"  {skip.key}: {skip.reason}")
