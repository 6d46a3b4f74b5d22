"""A display copy of the uploader's file name. It is shown to curators, never used in a path."""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 120


def display_filename(raw: str | bytes | None) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bytes):
        name = raw.decode("utf-8", errors="replace")
    else:
        # Names that came through surrogateescape carry lone surrogates: make them U+FFFD.
        name = "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in raw)
    name = unicodedata.normalize("NFC", name)
    # Control and format characters (NUL, newlines, right-to-left overrides) can spoof or
    # break the pages the name is shown on.
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf"})
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = name.strip().lstrip("-. ").strip()
    if len(name) > MAX_LENGTH:
        stem, dot, suffix = name.rpartition(".")
        if dot and 0 < len(suffix) <= 10:
            name = stem[: MAX_LENGTH - len(suffix) - 1].rstrip() + "." + suffix
        else:
            name = name[:MAX_LENGTH]
    return name
