"""Reading, linking and deleting what media storage holds, on a filesystem or an object store.

Django's Storage API hides where files live, but two of its answers are costly on S3: a file
opened from django-storages' S3Storage is downloaded whole (into memory, then a temporary file)
before its first byte is read, so serving a 64 KiB range of a 200 MB video would fetch all of
it; and `size()` and `get_modified_time()` are a request each. For an S3 bucket these helpers
go to the object itself (a ranged GET, one HEAD, a streamed download); for any other storage
they are the plain Storage calls.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import IO


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


def bucket_object(storage, name: str):
    """The boto3 Object behind `name` when `storage` is django-storages' S3Storage, else None."""
    # Looked up in sys.modules rather than imported: a site on disk storage never loads boto3,
    # and a site on S3 has loaded the module to build its storage.
    s3 = sys.modules.get("storages.backends.s3")
    if s3 is None or not isinstance(storage, s3.S3Storage):
        return None
    from storages.utils import clean_name

    # The storage's own rule for turning a name into a key (its `location` prefix, no "..").
    return storage.bucket.Object(storage._normalize_name(clean_name(name)))


def stat(storage, name: str) -> tuple[int, datetime | None]:
    """A stored file's size and last modification (None when the storage cannot say).
    Raises FileNotFoundError when it is not there."""
    obj = bucket_object(storage, name)
    if obj is not None:
        with _missing_as_file_not_found(name):
            obj.load()
        return obj.content_length, obj.last_modified
    size = storage.size(name)
    try:
        modified = storage.get_modified_time(name)
    except (NotImplementedError, OSError):
        modified = None
    return size, modified


def open_range(storage, name: str, start: int, length: int) -> IO[bytes]:
    """A readable file of the `length` bytes of a stored file from `start` (one ranged GET on
    S3, a seek elsewhere); the caller reads at most `length` bytes and closes it. Raises
    FileNotFoundError when the file is not there."""
    obj = bucket_object(storage, name)
    if obj is None:
        handle = storage.open(name, "rb")
        if start:
            handle.seek(start)
        return handle
    if length <= 0:
        return io.BytesIO(b"")
    with _missing_as_file_not_found(name):
        reply = obj.get(Range=f"bytes={start}-{start + length - 1}", **_read_parameters(storage))
    return reply["Body"]


def copy_to_path(storage, name: str, target: Path) -> None:
    """Write a stored file to the local file `target` (streamed, never held in memory)."""
    obj = bucket_object(storage, name)
    with open(target, "wb") as out:
        if obj is None:
            with storage.open(name, "rb") as source:
                shutil.copyfileobj(source, out, 1024 * 1024)
            return
        with _missing_as_file_not_found(name):
            obj.download_fileobj(
                out, ExtraArgs=_read_parameters(storage), Config=storage.transfer_config
            )


def browser_url(storage, name: str, *, content_type: str, disposition: str, cache: str) -> str:
    """The URL a browser fetches the file from itself (MEDIA_SERVING=storage). A presigned S3
    URL also fixes the headers the bucket answers with, so the bytes arrive with the type,
    neutral file name and cache rule Django would have sent, whatever the object was stored
    with; a CDN's custom domain takes no such parameters."""
    if bucket_object(storage, name) is None or storage.custom_domain:
        return storage.url(name)
    parameters = {
        "ResponseContentType": content_type,
        "ResponseContentDisposition": disposition,
        "ResponseCacheControl": cache,
    }
    return storage.url(name, parameters=parameters)


def _read_parameters(storage) -> dict:
    # Objects written with a customer-provided key (SSE-C) can only be read with it again.
    parameters = storage.object_parameters or {}
    return {key: value for key, value in parameters.items() if key.startswith("SSECustomer")}


@contextlib.contextmanager
def _missing_as_file_not_found(name: str):
    """boto3 reports a missing object as a ClientError; the Storage API's callers expect
    FileNotFoundError, as django-storages' own size() and open() raise."""
    from botocore.exceptions import ClientError

    try:
        yield
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = error.response.get("Error", {}).get("Code")
        if status == 404 or code in {"404", "NoSuchKey", "NotFound"}:
            raise FileNotFoundError(f"File does not exist: {name}") from error
        raise
