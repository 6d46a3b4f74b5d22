"""What every dataset importer shares: the entries it yields and the run that ingests them.

An importer only reads a dataset's own metadata and folder convention and yields `Entry`s (a file
with its verdict, technique, title and rights) or `Skip`s (a file it cannot use, with the reason).
`ImportRun` does the rest the same way for every format: it skips what an earlier run imported
(import_source + import_key), sends each file through the upload checks
(`Clip.objects.create_from_upload`), adds the entry's tells, links fakes to their originals once
everything is in, and publishes when asked and the clip is ready.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from media_library.choices import TellOrigin
from media_library.models import Clip, ProcessingStatus, Technique, Tell, Verdict
from media_library.processing import MediaRejected
from media_library.processing.ingest import check_upload

# Clip fields an entry may set besides verdict/technique/title (all optional).
RIGHTS_FIELDS = Clip.RECORD_FIELDS


@dataclass
class Entry:
    """One file of a dataset and what the dataset says it is."""

    key: str  # the file's path relative to the dataset root: its identity across runs
    path: Path
    verdict: Verdict
    technique: Technique
    title: str
    original_key: str = ""  # import_key of the real clip this fake was made from
    fields: dict = field(default_factory=dict)  # RIGHTS_FIELDS values
    tells: list[Tell] = field(default_factory=list)  # unsaved, already validated


@dataclass
class Skip:
    """A file (or metadata row) the importer cannot use, and why."""

    key: str
    reason: str


class DatasetError(Exception):
    """The dataset as a whole cannot be read (no metadata file, unreadable manifest)."""


class Importer:
    """Reads one dataset layout. Subclasses set the names and terms and implement `entries`."""

    name = ""  # the --format value, stored as Clip.import_source
    label = ""  # how the dataset is called in titles
    licence = ""  # the dataset's terms, used unless --licence says otherwise
    attribution = ""
    source_url = ""

    def __init__(self, root: Path, licence: str = "") -> None:
        self.root = root
        self.licence_override = licence

    def entries(self) -> Iterator[Entry | Skip]:
        raise NotImplementedError

    def make_entry(
        self,
        path: Path,
        verdict: Verdict,
        technique: Technique,
        title: str,
        original_key: str = "",
        **fields,
    ) -> Entry:
        fields = {
            "licence": self.licence_override or self.licence,
            "attribution": self.attribution,
            "source_url": self.source_url,
            **fields,
        }
        return Entry(
            key=self.key(path),
            path=path,
            verdict=verdict,
            technique=Technique.NONE if verdict == Verdict.REAL else technique,
            title=title[:200],
            original_key=original_key,
            fields=fields,
        )

    def key(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def missing(self, path: Path, where: str) -> Skip:
        return Skip(self.key(path), f"missing: listed in {where} but not on disk")


def originals_first(items: Iterable[Entry | Skip]) -> list[Entry | Skip]:
    """Entries without an original before those with one, so a --limit run imports the
    originals its fakes link to; skips keep their place among the first group."""
    items = list(items)
    first = [i for i in items if not (isinstance(i, Entry) and i.original_key)]
    return first + [i for i in items if isinstance(i, Entry) and i.original_key]


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    linked: list[tuple[str, str]] = field(default_factory=list)
    unlinked: list[tuple[str, str]] = field(default_factory=list)  # original not in the library
    published: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # still pending processing
    unpublishable: list[tuple[str, str]] = field(default_factory=list)


class ImportRun:
    """Ingest an importer's entries into the library (or, dry, only say what would happen)."""

    def __init__(
        self,
        importer: Importer,
        *,
        user=None,
        limit: int | None = None,
        publish: bool = False,
        process_now: bool = False,
        dry_run: bool = False,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> None:
        self.importer = importer
        self.user = user
        self.limit = limit
        self.publish = publish
        self.process_now = process_now
        self.dry_run = dry_run
        self.progress = progress or (lambda done, total, key: None)
        self.report = ImportReport()
        self._hashes_seen: set[str] = set()

    def run(self) -> ImportReport:
        items = originals_first(self.importer.entries())
        # (clip, original key) for every clip of this run, new or not: a fake imported by an
        # earlier --limit run gets its original once a later run brings it in.
        links: list[tuple[Clip, str]] = []
        for done, item in enumerate(items, start=1):
            if self.limit is not None and len(self.report.imported) >= self.limit:
                break
            self.progress(done - 1, len(items), item.key)
            if isinstance(item, Skip):
                self.report.skipped.append(item)
                continue
            clip = self.ingest(item)
            if clip is not None and item.original_key:
                links.append((clip, item.original_key))
            if clip is not None and self.publish:
                self.try_publish(clip, item.key)
            self.progress(done, len(items), item.key)
        if not self.dry_run:
            self.link(links)
        return self.report

    def existing(self, key: str) -> Clip | None:
        return Clip.objects.filter(import_source=self.importer.name, import_key=key).first()

    def ingest(self, entry: Entry) -> Clip | None:
        if (clip := self.existing(entry.key)) is not None:
            self.report.already.append(entry.key)
            return clip
        if not entry.path.is_file():
            self.report.skipped.append(Skip(entry.key, "missing: the file is not on disk"))
            return None
        if self.dry_run:
            self.check_only(entry)
            return None
        try:
            clip = self.create(entry)
        except ValidationError as error:
            self.report.skipped.append(Skip(entry.key, f"refused: {' '.join(error.messages)}"))
            return None
        except OSError as error:
            self.report.skipped.append(Skip(entry.key, f"unreadable: {error.strerror or error}"))
            return None
        if self.process_now:
            # In this process rather than the worker's; the queued task then finds the clip
            # already processed and does nothing.
            clip.process()
        clip.refresh_from_db()
        if clip.processing_status == ProcessingStatus.FAILED:
            # Processing ran during the import (an immediate tasks backend) and refused the
            # file: report it like any refusal and keep nothing, so a re-run tries again.
            reason = clip.processing_error
            clip.delete_with_files()
            self.report.skipped.append(Skip(entry.key, f"refused by the pipeline: {reason}"))
            return None
        self.report.imported.append(entry.key)
        if clip.processing_status != ProcessingStatus.READY:
            self.report.waiting.append(entry.key)
        return clip

    def create(self, entry: Entry) -> Clip:
        fields = {
            **entry.fields,
            "title": entry.title,
            "verdict": entry.verdict,
            "technique": entry.technique,
            "import_source": self.importer.name,
            "import_key": entry.key,
        }
        with open(entry.path, "rb") as handle:
            upload = UploadedFile(handle, name=entry.path.name, size=entry.path.stat().st_size)
            with transaction.atomic():
                clip = Clip.objects.create_from_upload(upload, self.user, **fields)
                try:
                    for tell in entry.tells:
                        tell.clip = clip
                        tell.origin = TellOrigin.IMPORT
                        tell.created_by = self.user
                        tell.save()
                except BaseException:
                    # The row rolls back with this block; the stored upload would not.
                    clip.source_file.storage.delete(clip.source_file.name)
                    raise
        return clip

    def check_only(self, entry: Entry) -> None:
        """The refusals a dry run can see without storing anything: size, format, duplicate."""
        with open(entry.path, "rb") as handle:
            upload = UploadedFile(handle, name=entry.path.name, size=entry.path.stat().st_size)
            try:
                check_upload(upload)
            except MediaRejected as error:
                self.report.skipped.append(Skip(entry.key, f"refused: {error.message}"))
                return
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
        sha256 = digest.hexdigest()
        duplicate = Clip.objects.filter(source_sha256=sha256).only("title").first()
        if duplicate is not None or sha256 in self._hashes_seen:
            title = duplicate.title if duplicate else "another file of this dataset"
            self.report.skipped.append(
                Skip(entry.key, f"refused: This file was already uploaded as “{title}”.")
            )
            return
        self._hashes_seen.add(sha256)
        self.report.imported.append(entry.key)

    def link(self, links: list[tuple[Clip, str]]) -> None:
        for clip, original_key in links:
            if clip.original_id is not None:
                continue
            original = self.existing(original_key)
            if original is None or original.pk == clip.pk:
                self.report.unlinked.append((clip.import_key, original_key))
                continue
            clip.original = original
            clip.save(update_fields=["original", "updated_at"])
            self.report.linked.append((clip.import_key, original_key))

    def try_publish(self, clip: Clip, key: str) -> None:
        """Publish a clip that is ready now; say why one that is not stays a draft.

        Processing belongs to the worker, so in real use a new clip is still pending when the
        import ends: re-run the same command with --publish once the worker is done (already
        imported clips are published then), or publish from the curator area.
        """
        clip.refresh_from_db()
        if clip.is_published:
            return
        if clip.processing_status != ProcessingStatus.READY:
            if key not in self.report.waiting:
                self.report.waiting.append(key)
            return
        blockers = clip.publication_blockers
        if blockers:
            self.report.unpublishable.append((key, " ".join(str(b) for b in blockers)))
            return
        if clip.publish_by_command(self.user):
            self.report.published.append(key)
