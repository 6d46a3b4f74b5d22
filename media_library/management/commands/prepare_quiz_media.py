"""Make the blind quiz and feed renditions that processed clips lack.

    manage.py prepare_quiz_media [--all] [--dry-run]

Processing makes them for every clip now (media_library/processing/renditions.py), but clips
processed before they existed have none, and a quiz shows only clips that have them
(Clip.objects.quizzable()). By default the published clips are filled in, the ones a quiz can
use; --all takes every processed clip, drafts included. --dry-run lists the clips and what each
lacks, storing nothing. Safe to re-run: what a clip has is left alone, and a clip that cannot be
done is reported without stopping the others (the command then exits with an error).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from languages.commands import gettext as _
from languages.commands import gettext_lazy, ngettext
from media_library.models import Clip
from media_library.processing import MediaRejected


class Command(BaseCommand):
    help = gettext_lazy(
        "Make the quiz and feed renditions processed clips lack (published ones unless --all)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            dest="every_clip",
            help=_("Every processed clip, drafts and clips in review included."),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("List what would be made; store nothing.")
        )

    def handle(self, *args, every_clip: bool = False, dry_run: bool = False, **options) -> None:
        clips = Clip.objects.lacking_quiz_media().order_by("pk")
        if not every_clip:
            clips = clips.published()
        done = failed = 0
        for clip in clips.iterator():
            missing = ", ".join(clip.missing_quiz_fields)
            if dry_run:
                self.stdout.write(
                    _("  would make %(renditions)s for %(title)s (%(slug)s)")
                    % {"renditions": missing, "title": clip.title, "slug": clip.slug}
                )
                done += 1
                continue
            try:
                made = clip.prepare_quiz_media()
            except MediaRejected as error:
                failed += 1
                self.stderr.write(
                    _("  failed %(title)s (%(slug)s): %(error)s")
                    % {"title": clip.title, "slug": clip.slug, "error": error.message}
                )
                continue
            if made:
                done += 1
                self.stdout.write(
                    _("  made %(renditions)s for %(title)s (%(slug)s)")
                    % {"renditions": ", ".join(made), "title": clip.title, "slug": clip.slug}
                )
        if dry_run:
            summary = ngettext(
                "%(count)d clip would be filled in.", "%(count)d clips would be filled in.", done
            )
        else:
            summary = ngettext("%(count)d clip filled in.", "%(count)d clips filled in.", done)
        self.stdout.write(summary % {"count": done})
        if failed:
            raise CommandError(
                ngettext(
                    "%(count)d clip could not be done.",
                    "%(count)d clips could not be done.",
                    failed,
                )
                % {"count": failed}
            )
