"""Export the library as a Telltale manifest that import_dataset can read on another deployment.

    manage.py export_library PATH [--published-only] [--dry-run]

Writes PATH/manifest.json and, beside it in PATH/media/, each clip's processed file (or its
upload when processing has not produced one). `manage.py import_dataset --format manifest PATH`
recreates verdicts, techniques, titles, sources, licences, attribution, consent records,
originals and tells with their boxes. PATH must be new or empty; a failed export removes what
it wrote.
"""

from __future__ import annotations

import json
import shutil
from contextlib import closing
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from languages.commands import gettext as _
from languages.commands import gettext_lazy
from media_library.importers.base import RIGHTS_FIELDS
from media_library.importers.manifest import FORMAT, VERSION
from media_library.models import Clip
from media_library.processing import MediaRejected
from media_library.processing.sniff import HEAD_BYTES, sniff
from media_library.stored_files import copy_to_path, open_range

MEDIA_FOLDER = "media"
# Uploads are stored without a suffix; the exported copy gets one from what its bytes are.
SUFFIXES = {"mov": ".mp4", "matroska": ".mkv", "avi": ".avi", "PNG": ".png", "JPEG": ".jpg"}
SUFFIXES["WEBP"] = ".webp"


class Command(BaseCommand):
    help = gettext_lazy("Export the media library as manifest.json plus media files.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help=_("A new or empty folder to write to."))
        parser.add_argument(
            "--published-only", action="store_true", help=_("Only published clips.")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("List what would be exported; write nothing.")
        )

    def handle(self, *args, path: Path, published_only: bool, dry_run: bool, **options) -> None:
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise CommandError(_("%(path)s exists and is not an empty folder.") % {"path": path})
        clips = Clip.objects.select_related("original").prefetch_related("tells")
        if published_only:
            clips = clips.published()
        # Originals before the fakes made from them, so a --limit import brings them in first.
        clips = list(clips.order_by(F("original").asc(nulls_first=True), "created_at", "pk"))
        created = not path.exists()
        try:
            entries, skipped = self.export(clips, path, dry_run)
            if not dry_run:
                manifest = {"format": FORMAT, "version": VERSION, "clips": entries}
                (path / "manifest.json").write_text(
                    json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
                )
        except BaseException:
            if not dry_run:
                shutil.rmtree(path, ignore_errors=True) if created else self.empty(path)
            raise
        if dry_run:
            summary = _("Would export %(count)d clip(s) to %(path)s, skipped %(skipped)d.")
        else:
            summary = _("Exported %(count)d clip(s) to %(path)s, skipped %(skipped)d.")
        self.stdout.write(summary % {"count": len(entries), "path": path, "skipped": len(skipped)})
        for title, reason in skipped:
            self.stdout.write(_("  %(title)s: %(reason)s") % {"title": title, "reason": reason})

    @staticmethod
    def empty(path: Path) -> None:
        for child in path.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()

    def export(self, clips: list[Clip], path: Path, dry_run: bool):
        exported = {clip.pk: f"{MEDIA_FOLDER}/{clip.slug}" for clip in clips}
        entries, skipped = [], []
        for clip in clips:
            stored = clip.media_file or clip.source_file
            if not stored:
                skipped.append((clip.title, "no file stored"))
                del exported[clip.pk]
                continue
            try:
                # The first bytes say what the file is; then the whole of it is streamed to the
                # export (from a bucket: a ranged GET, then a download, never all in memory).
                with closing(open_range(stored.storage, stored.name, 0, HEAD_BYTES)) as handle:
                    suffix = SUFFIXES[sniff(handle.read(HEAD_BYTES)).demuxer]
                exported[clip.pk] += suffix
                if not dry_run:
                    target = path / exported[clip.pk]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    copy_to_path(stored.storage, stored.name, target)
            except (OSError, MediaRejected) as error:
                skipped.append((clip.title, _("file unreadable: %(error)s") % {"error": error}))
                del exported[clip.pk]
                continue
            entries.append(self.entry(clip, exported[clip.pk]))
        # Originals by file when they are in the export, else by title.
        for entry, clip in zip(entries, [c for c in clips if c.pk in exported], strict=True):
            if clip.original_id:
                entry["original"] = exported.get(clip.original_id, clip.original.title)
        return entries, skipped

    def entry(self, clip: Clip, file: str) -> dict:
        entry = {
            "file": file,
            "title": clip.title,
            "verdict": clip.verdict,
            "technique": clip.technique,
            **{name: getattr(clip, name) for name in RIGHTS_FIELDS},
            "original": "",
            "tells": [
                {
                    "category": tell.category,
                    "start": tell.start_seconds,
                    "end": tell.end_seconds,
                    "box": list(tell.box) if tell.box else None,
                    "explanation": tell.explanation,
                }
                for tell in clip.tells.all()
            ],
        }
        return entry
