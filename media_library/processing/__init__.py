"""Turning an untrusted upload into media we can serve: sniff, probe, transcode, stills.

Every refusal is a `MediaRejected` whose message a curator can read; nothing here lets a
traceback or an ffmpeg log line reach the UI.
"""

from __future__ import annotations

import errno

from django.utils.translation import gettext as _

# A full disk, or a full quota: either way nothing more can be written.
NO_SPACE_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


class MediaRejected(Exception):
    """The file cannot be used; `str(error)` says why in words a curator understands."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class OutOfSpace(MediaRejected):
    """A disk filled up while processing (ffmpeg's output or one of our own writes): the file
    is not at fault, and a retry will work once space is freed. `detail` is for the log."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            _(
                "The server ran out of space while processing this clip; nothing was kept. "
                "Retry when space is freed."
            )
        )
        self.detail = detail


def is_out_of_space(error: BaseException | None) -> bool:
    """Whether `error`, or an error it was raised from, is a disk being full."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OutOfSpace):
            return True
        if isinstance(error, OSError) and error.errno in NO_SPACE_ERRNOS:
            return True
        error = error.__cause__ or error.__context__
    return False
