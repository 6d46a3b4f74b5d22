"""Deleting what storage holds for a clip, on a filesystem or an object store."""

from __future__ import annotations

import contextlib
from pathlib import Path


def delete_stored_files(storage, names: list[str], folder: str = "") -> None:
    """Delete the named files and whatever else lies under folder (variants made later)."""
    for name in names:
        storage.delete(name)
    if folder:
        _delete_folder(storage, folder)


def _delete_folder(storage, folder: str) -> None:
    try:
        subfolders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
    for sub in subfolders:
        _delete_folder(storage, f"{folder}/{sub}")
    # Object stores have no folders; on a filesystem the emptied folder goes too.
    with contextlib.suppress(NotImplementedError, OSError):
        Path(storage.path(folder)).rmdir()
