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

from media_library.models import Clip
from media_library.processing import MediaRejected


class Command(BaseCommand):
    help = "Make the quiz and feed renditions processed clips lack (published ones unless --all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            dest="every_clip",
            help="Every processed clip, drafts and clips in review included.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be made; store nothing."
        )

    def handle(self, *args, every_clip: bool = False, dry_run: bool = False, **options) -> None:
        clips = Clip.objects.lacking_quiz_media().order_by("pk")
        if not every_clip:
            clips = clips.published()
        done = failed = 0
        for clip in clips.iterator():
            missing = ", ".join(clip.missing_quiz_fields)
            if dry_run:
                self.stdout.write(f"  would make {missing} for {clip.title} ({clip.slug})")
                done += 1
                continue
            try:
                made = clip.prepare_quiz_media()
            except MediaRejected as error:
                failed += 1
                self.stderr.write(f"  failed {clip.title} ({clip.slug}): {error.message}")
                continue
            if made:
                done += 1
                self.stdout.write(f"  made {', '.join(made)} for {clip.title} ({clip.slug})")
        verb = "would be filled in" if dry_run else "filled in"
        self.stdout.write(f"{done} clip{'' if done == 1 else 's'} {verb}.")
        if failed:
            raise CommandError(f"{failed} clip{'' if failed == 1 else 's'} could not be done.")
