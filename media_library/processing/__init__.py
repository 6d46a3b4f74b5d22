"""Turning an untrusted upload into media we can serve: sniff, probe, transcode, stills.

Every refusal is a `MediaRejected` whose message a curator can read; nothing here lets a
traceback or an ffmpeg log line reach the UI.
"""

from __future__ import annotations


class MediaRejected(Exception):
    """The file cannot be used; `str(error)` says why in words a curator understands."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
