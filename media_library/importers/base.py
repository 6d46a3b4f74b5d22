"""What every dataset importer shares: the entries it yields and the run that ingests them.

An importer only reads a dataset's own metadata and folder convention and yields `Entry`s (a file
with its verdict, technique, title and rights) or `Skip`s (a file it cannot use, with the reason).
`ImportRun` does the rest the same way for every format: it skips what an earlier run imported
(import_source + import_key), refuses every file that leads out of the dataset folder (see
`Importer.open`), sends each file through the upload checks
(`Clip.objects.create_from_upload`), adds the entry's tells, links fakes to their originals once
everything is in, and publishes when asked and the clip is ready.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

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


@dataclass
class Refused(Skip):
    """A file (or metadata file) that leads out of the dataset folder: nothing of it is read."""


OUTSIDE = "points outside the dataset folder"


class DatasetError(Exception):
    """The dataset as a whole cannot be read (no metadata file, unreadable manifest)."""


class OutsideDataset(Exception):
    """A path that, its links followed, is not inside the dataset folder; `str()` says where."""


# Each folder on the way is opened without following a link, from the root's descriptor: a
# link swapped in after the path was resolved (a race with whoever else writes the folder)
# fails with ELOOP or ENOTDIR instead of being followed. O_NONBLOCK: a FIFO swapped in for a
# file must not hang the import (regular files ignore the flag).
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class Importer:
    """Reads one dataset layout. Subclasses set the names and terms and implement `entries`."""

    name = ""  # the --format value, stored as Clip.import_source
    label = ""  # how the dataset is called in titles
    licence = ""  # the dataset's terms, used unless --licence says otherwise
    attribution = ""
    source_url = ""

    def __init__(self, root: Path, licence: str = "") -> None:
        # Resolved once: every path the dataset names is checked against the real folder.
        self.root = root.resolve()
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

    # The one rule every importer follows: nothing outside the dataset folder is read, whether
    # a metadata row names it or a link inside the folder leads to it (a link to /etc/passwd
    # or to another site's media was once imported, published and served to anyone).

    def inside(self, path: Path) -> Path:
        """`path` with every link resolved, or OutsideDataset when that is not inside the root."""
        try:
            target = path.resolve()
        except (OSError, ValueError) as error:
            raise OutsideDataset(f"its path cannot be resolved ({error})") from error
        if target == self.root or not target.is_relative_to(self.root):
            raise OutsideDataset(f"{OUTSIDE} (it leads to {target})")
        return target

    def refusal(self, path: Path) -> Refused | None:
        """The report line for a dataset file that may not be read, or None when it may."""
        try:
            self.inside(path)
        except OutsideDataset as error:
            return Refused(self.key(path), str(error))
        return None

    def open(self, path: Path) -> BinaryIO:
        """`path` opened for reading if it is a regular file inside the root (OutsideDataset if
        not); what is opened is what was checked even if the folder changes meanwhile."""
        return open_beneath(self.root, self.inside(path).relative_to(self.root).parts)

    def read_text(self, path: Path, encoding: str = "utf-8") -> str:
        """A metadata file's text, by the same rule as the media (OutsideDataset, OSError,
        UnicodeDecodeError)."""
        with self.open(path) as handle:
            return io.TextIOWrapper(handle, encoding=encoding, newline="").read()


def open_beneath(root: Path, parts: tuple[str, ...]) -> BinaryIO:
    """The regular file `root`/`parts`, walked from the root one name at a time with O_NOFOLLOW:
    a link met on the way (swapped in after the path was resolved) is refused, not followed."""
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts[:-1]:
            inner = os.open(part, _DIR_FLAGS, dir_fd=folder)
            os.close(folder)
            folder = inner
        descriptor = os.open(parts[-1], _FILE_FLAGS, dir_fd=folder)
    except OSError as error:
        # ELOOP: the name is a link; ENOTDIR: a folder on the way is one (O_DIRECTORY|NOFOLLOW).
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            raise OutsideDataset(f"{OUTSIDE} (a link appeared while it was read)") from error
        raise
    finally:
        os.close(folder)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise OSError(errno.EINVAL, "not a regular file")
    return os.fdopen(descriptor, "rb")


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
    refused: list[Skip] = field(default_factory=list)  # led out of the dataset folder
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
                self.record_skip(item)
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

    def record_skip(self, skip: Skip) -> None:
        (self.report.refused if isinstance(skip, Refused) else self.report.skipped).append(skip)

    def ingest(self, entry: Entry) -> Clip | None:
        # Checked before the "already imported" lookup: a link that leads out of the folder is
        # reported on every run, never counted as already imported.
        if (refused := self.importer.refusal(entry.path)) is not None:
            self.record_skip(refused)
            return None
        if (clip := self.existing(entry.key)) is not None:
            self.report.already.append(entry.key)
            return clip
        if not entry.path.is_file():
            self.report.skipped.append(Skip(entry.key, "missing: the file is not on disk"))
            return None
        if self.dry_run:
            try:
                self.check_only(entry)
            except OutsideDataset as error:
                self.record_skip(Refused(entry.key, str(error)))
            except OSError as error:
                self.report.skipped.append(
                    Skip(entry.key, f"unreadable: {error.strerror or error}")
                )
            return None
        try:
            clip = self.create(entry)
        except OutsideDataset as error:
            self.record_skip(Refused(entry.key, str(error)))
            return None
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
        with self.importer.open(entry.path) as handle:
            size = os.fstat(handle.fileno()).st_size
            upload = UploadedFile(handle, name=entry.path.name, size=size)
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
        with self.importer.open(entry.path) as handle:
            size = os.fstat(handle.fileno()).st_size
            upload = UploadedFile(handle, name=entry.path.name, size=size)
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
