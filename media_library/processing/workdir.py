"""Scratch files in settings.MEDIA_WORK_DIR: created for one job, moved into storage or deleted.

A worker killed mid-job cannot clean up after itself. Each work file's name carries the token
of the process that made it (processing/liveness.py), so the next sweep (at each job and when
a worker starts) deletes the files of processes that are gone at once; files whose maker
cannot be checked (another host sharing the folder, older names) go once they are a day old
(no live job runs that long: the transcode timeout is minutes).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage

from media_library.processing.liveness import current_token, is_gone
from media_library.stored_files import copy_to_path

STALE_AFTER_SECONDS = 24 * 60 * 60
PREFIX = "tt-"


def work_dir() -> Path:
    path = Path(settings.MEDIA_WORK_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_work_path(suffix: str) -> Path:
    """A fresh, empty file in the work dir that only this process knows the name of."""
    # "tt-<token>-<random><suffix>"; the token is dots and digits, so the first "-" ends it.
    prefix = f"{PREFIX}{current_token()}-" if current_token() else PREFIX
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=work_dir())
    os.close(fd)
    return Path(name)


def discard(*paths: Path | None) -> None:
    for path in paths:
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def sweep_stale(now: float | None = None) -> int:
    """Delete work files left by crashed jobs; returns how many were removed."""
    cutoff = (now or time.time()) - STALE_AFTER_SECONDS
    removed = 0
    for entry in work_dir().iterdir():
        try:
            if not is_gone(maker_token(entry.name)) and entry.lstat().st_mtime >= cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return removed


def maker_token(name: str) -> str:
    """The token of the process that made the work file `name` ('' when it has none)."""
    if not name.startswith(PREFIX):
        return ""
    return name[len(PREFIX) :].partition("-")[0]


class WorkFile(File):
    """A finished work file. FileSystemStorage renames it into place (no copy) because it
    exposes `temporary_file_path()`; other storages read it in chunks."""

    def __init__(self, path: Path, name: str) -> None:
        super().__init__(open(path, "rb"), name=name)  # noqa: SIM115 (closed by save_work_file)
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


def save_work_file(storage: Storage, name: str, path: Path) -> str:
    """Move a finished work file into storage under `name`; returns the stored name.

    A save that fails part way (a full disk) leaves no partial file behind: the name is
    chosen first, so what a failed save wrote is known and deleted."""
    work_file = WorkFile(path, name)
    try:
        name = storage.get_available_name(name)
        try:
            return storage.save(name, work_file)
        except BaseException:
            with contextlib.suppress(OSError):
                storage.delete(name)
            raise
    finally:
        work_file.close()
        discard(path)


@contextlib.contextmanager
def local_path(storage: Storage, name: str, suffix: str = "") -> Iterator[Path]:
    """A local file path for a stored file: the file itself on disk storage, else a copy in
    the work dir (object storage), deleted on leaving."""
    try:
        on_disk = storage.path(name)
    except NotImplementedError:
        on_disk = None
    if on_disk is not None:
        yield Path(on_disk)
        return
    copy = new_work_path(suffix)
    try:
        # Streamed to the work dir (a bucket's object in parts), never whole in memory.
        copy_to_path(storage, name, copy)
        yield copy
    finally:
        discard(copy)
