"""Fingerprint the library's ready video clips and look each one up among the others.

    manage.py fingerprint_library [--all] [--dry-run]

New clips are fingerprinted when they become ready (by the analysis, from its own decoding pass,
or by the fingerprint task when the detector does not run after processing). This backfills
clips from before, in two passes: first every clip without a current fingerprint gets one (one
thumbnail decode each), then those clips are looked up, so a clip finds its original whatever
order they were fingerprinted in. --all fingerprints and looks up every clip again; --dry-run
only says how many clips it would do.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from languages.commands import gettext as _
from languages.commands import gettext_lazy
from media_library.models import Clip, ClipFingerprint, MediaKind, ProcessingStatus
from media_library.models.fingerprint import decode


class Command(BaseCommand):
    help = gettext_lazy("Fingerprint the library's video clips and find each one's original.")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--all", action="store_true", help=_("Fingerprint and look up every clip again.")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Only say how many clips would be done.")
        )

    def handle(self, *args, all: bool, dry_run: bool, **options) -> None:
        clips = Clip.objects.filter(
            kind=MediaKind.VIDEO, processing_status=ProcessingStatus.READY
        ).order_by("created_at", "pk")
        if not all:
            current = ClipFingerprint.objects.current().values("clip_id")
            clips = clips.exclude(pk__in=current)
        todo = list(clips)
        if dry_run:
            self.stdout.write(_("%(count)d clips would be fingerprinted.") % {"count": len(todo)})
            return
        done = []
        for clip in todo:
            footage = decode(clip)
            if footage is not None and ClipFingerprint.objects.record(clip, footage):
                done.append(clip)
        matched = 0
        for clip in done:
            record = ClipFingerprint.objects.get(clip=clip)
            if record.look_up() is not None:
                matched += 1
                self.stdout.write(
                    _("%(clip)s: %(words)s") % {"clip": clip.title, "words": record.describe()}
                )
        self.stdout.write(
            _("%(done)d clips fingerprinted, %(matched)d matched a clip of the library.")
            % {"done": len(done), "matched": matched}
        )
