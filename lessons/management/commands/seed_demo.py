"""Build the demo pack a newcomer needs to see Telltale working, offline, in under a minute.

Run by `make run`. It makes demo accounts (student, teacher, curator, organizer, admin) and a
small library: genuine public-domain photographs shipped inside installed packages (real), and
deepfakes and shallowfakes made from them by Telltale's own code, every one badged "demo" and
published. See docs/demo-pack.md for what each item is and why there is no real video. Then the
demo quizzes over those clips (quiz.demo), the demo class that has done one (lessons.demo) and
the demo campaign over the feed (campaigns.demo).

It lives in lessons, the app that sees all the others: each app builds its own part, in the
order they depend on one another (media_library's clips, quiz's quizzes, lessons' class).

Safe to re-run: it changes nothing that is already there, but for translations an earlier run
left out. Every text a learner reads is written in English, Spanish and Chinese; the messages
this command prints follow the environment's language (languages/commands.py). The accounts
have published passwords, so the command refuses to run with DEBUG off unless
--allow-production is given.

With --from PATH (development and CI only) it imports the research clips under PATH (its ffpp/
and dfdc/ folders, via `manage.py import_dataset`) instead of building the library.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from campaigns.demo import seed_demo_campaign
from languages.commands import gettext as _
from languages.commands import gettext_lazy
from lessons.demo import seed_demo_classroom
from media_library.demo.items import ITEMS
from media_library.demo.pack import ACCOUNTS, DemoPack, DemoPackError
from media_library.demo.sources import PHOTOS, SourceMissing
from quiz.demo import seed_demo_quizzes

DATASET_FORMATS = ("ffpp", "dfdc")


class Command(BaseCommand):
    help = gettext_lazy("Create the demo accounts and the demo library (idempotent).")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help=_("Run even with DEBUG off (the demo accounts have public passwords)."),
        )
        parser.add_argument(
            "--from",
            dest="source",
            metavar="PATH",
            help=_("Import the dev media under PATH (ffpp/, dfdc/) instead of the demo library."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Say what would be made and check the source photos exist; change nothing."),
        )

    def handle(
        self,
        *args,
        allow_production: bool = False,
        source: str | None = None,
        dry_run: bool = False,
        **options,
    ) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                _(
                    "Demo accounts have public passwords; refusing with DEBUG off. "
                    "Pass --allow-production if this really is a demo deployment."
                )
            )
        folders = self.dataset_folders(Path(source)) if source else []
        if dry_run:
            self.dry_run(folders)
            return
        started = time.monotonic()
        pack = DemoPack(say=self.stdout.write)
        try:
            if folders:
                pack.create_accounts()
                self.import_datasets(folders)
            else:
                pack.build()
        except (DemoPackError, SourceMissing) as error:
            raise CommandError(str(error)) from error
        if not folders:
            curator = User.objects.get(username="curator")
            self.stdout.write(seed_demo_quizzes(pack.clips, curator))
            self.stdout.write(
                _("Demo library: %(clips)d clips (%(made)d made now) in %(seconds).1f s.")
                % {
                    "clips": len(pack.clips),
                    "made": len(pack.made),
                    "seconds": time.monotonic() - started,
                }
            )
            self.stdout.write(seed_demo_classroom())
            self.stdout.write(seed_demo_campaign())
        self.print_accounts()

    def dataset_folders(self, root: Path) -> list[tuple[str, Path]]:
        if not root.is_dir():
            raise CommandError(_("--from %(path)s: no such folder.") % {"path": root})
        folders = [(fmt, root / fmt) for fmt in DATASET_FORMATS if (root / fmt).is_dir()]
        if not folders:
            raise CommandError(
                _("--from %(path)s: expected a dataset folder named %(names)s.")
                % {"path": root, "names": " or ".join(DATASET_FORMATS)}
            )
        if "import_dataset" not in get_commands():
            raise CommandError(
                _("--from needs the import_dataset command, which is not installed.")
            )
        return folders

    def import_datasets(self, folders: list[tuple[str, Path]]) -> None:
        for fmt, folder in folders:
            self.stdout.write(
                _("Importing %(folder)s (%(format)s):") % {"folder": folder, "format": fmt}
            )
            call_command(
                "import_dataset",
                "--format",
                fmt,
                str(folder),
                "--publish",
                # Development and CI want a usable library now, not after the worker's turn.
                "--process-now",
                "--user",
                "curator",
                stdout=self.stdout,
            )

    def dry_run(self, folders: list[tuple[str, Path]]) -> None:
        for fmt, folder in folders:
            self.stdout.write(
                _("Would import %(folder)s as %(format)s.") % {"folder": folder, "format": fmt}
            )
        if not folders:
            try:
                for photo in PHOTOS:
                    self.stdout.write(
                        _("Source: %(file)s (%(path)s)")
                        % {"file": photo.package_file, "path": photo.path}
                    )
            except SourceMissing as error:
                raise CommandError(str(error)) from error
            for item in ITEMS:
                self.stdout.write(
                    _("Would make %(verdict)s %(title)s")
                    % {"verdict": f"{item.verdict:11}", "title": item.title}
                )
        for account in ACCOUNTS:
            self.stdout.write(
                _("Would create account %(username)s") % {"username": account.username}
            )

    def print_accounts(self) -> None:
        self.stdout.write(_("Demo log-ins (published passwords: never use them in production):"))
        for account in ACCOUNTS:
            roles = ", ".join(role.group_name for role in account.roles) + (
                _(" + superuser") if account.superuser else ""
            )
            self.stdout.write(
                _("  %(username)s password: %(password)s %(roles)s")
                % {
                    "username": f"{account.username:10}",
                    "password": f"{account.password:15}",
                    "roles": roles,
                }
            )
