"""Scratch files in settings.MEDIA_WORK_DIR: created for one job, moved into storage or deleted.

A worker killed mid-job cannot clean up after itself, so each job first sweeps leftovers older
than a day (no live job runs that long: the transcode timeout is minutes).
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

STALE_AFTER_SECONDS = 24 * 60 * 60
PREFIX = "tt-"


def work_dir() -> Path:
    path = Path(settings.MEDIA_WORK_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_work_path(suffix: str) -> Path:
    """A fresh, empty file in the work dir that only this process knows the name of."""
    fd, name = tempfile.mkstemp(prefix=PREFIX, suffix=suffix, dir=work_dir())
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
            if entry.lstat().st_mtime >= cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return removed


class WorkFile(File):
    """A finished work file. FileSystemStorage renames it into place (no copy) because it
    exposes `temporary_file_path()`; other storages read it in chunks."""

    def __init__(self, path: Path, name: str) -> None:
        super().__init__(open(path, "rb"), name=name)  # noqa: SIM115 (closed by save_work_file)
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


def save_work_file(storage: Storage, name: str, path: Path) -> str:
    """Move a finished work file into storage under `name`; returns the stored name."""
    work_file = WorkFile(path, name)
    try:
        return storage.save(name, work_file)
    finally:
        work_file.close()
        discard(path)


@contextlib.contextmanager
def local_path(storage: Storage, name: str, suffix: str = "") -> Iterator[Path]:
    """A local file path for a stored file: the file itself on disk storage, else a copy."""
    try:
        on_disk = storage.path(name)
    except NotImplementedError:
        on_disk = None
    if on_disk is not None:
        yield Path(on_disk)
        return
    copy = new_work_path(suffix)
    try:
        with storage.open(name, "rb") as source, open(copy, "wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
        yield copy
    finally:
        discard(copy)
