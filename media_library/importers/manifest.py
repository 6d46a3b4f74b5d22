"""Telltale's own manifest (what export_library writes): JSON or CSV, one entry per file.

JSON is `{"format": "telltale-manifest", "version": 1, "clips": [...]}` (a bare list works
too); CSV has one row per clip with the same names as columns and `tells` JSON-encoded. Each
entry: file (relative to the manifest), verdict, technique, title, source_url, licence,
attribution, depicts_people, depicts_public_figure, consent_on_file, consent_notes,
content_notes, language, transcript, captions_vtt, original (the file or title of another
entry), and tells, a list of {category, start, end, box: [x, y, w, h] normalised to 0..1 or
null, explanation}. Only `file` and `verdict` are required.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError

from media_library.importers.base import (
    RIGHTS_FIELDS,
    DatasetError,
    Entry,
    Importer,
    OutsideDataset,
    Skip,
)
from media_library.models import Clip, Technique, Tell, Verdict

MANIFEST_NAMES = ("manifest.json", "manifest.csv")
FORMAT = "telltale-manifest"
VERSION = 1
BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
VERBATIM_FIELDS = {"consent_notes", "content_notes", "transcript", "captions_vtt"}
CLIP_FIELDS = ("title", "verdict", "technique", *RIGHTS_FIELDS)


class ManifestImporter(Importer):
    name = "manifest"
    label = "Manifest"

    def __init__(self, root: Path, licence: str = "") -> None:
        manifest = self.find_manifest(root)
        super().__init__(manifest.parent, licence)
        self.manifest = self.root / manifest.name

    @staticmethod
    def find_manifest(path: Path) -> Path:
        if path.is_file():
            return path
        for name in MANIFEST_NAMES:
            if (path / name).is_file():
                return path / name
        raise DatasetError(f"No {' or '.join(MANIFEST_NAMES)} in {path}.")

    def read(self) -> list[dict]:
        try:
            text = self.read_text(self.manifest, encoding="utf-8-sig")
        except OutsideDataset as error:
            raise DatasetError(f"{self.manifest.name} {error}: refused.") from error
        except (OSError, UnicodeDecodeError) as error:
            raise DatasetError(f"{self.manifest.name} cannot be read: {error}") from error
        if self.manifest.suffix.lower() == ".csv":
            try:
                # newline="": a quoted field may hold a line break (a transcript).
                return list(csv.DictReader(io.StringIO(text, newline="")))
            except csv.Error as error:
                raise DatasetError(f"{self.manifest.name} is not valid CSV: {error}") from error
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise DatasetError(f"{self.manifest.name} is not valid JSON: {error}") from error
        if isinstance(data, dict):
            if data.get("format", FORMAT) != FORMAT or data.get("version", VERSION) != VERSION:
                raise DatasetError(
                    f"{self.manifest.name} is not a version {VERSION} Telltale manifest."
                )
            data = data.get("clips")
        if not isinstance(data, list):
            raise DatasetError(f"{self.manifest.name} holds no list of clips.")
        return data

    def entries(self) -> Iterator[Entry | Skip]:
        rows = self.read()
        keys = {}  # row number -> key, for rows whose file is usable
        titles: dict[str, str] = {}
        for number, row in enumerate(rows, start=1):
            key = self.relative(row.get("file")) if isinstance(row, dict) else None
            if key:
                keys[number] = key
                title = str(row.get("title") or "").strip()
                if title:
                    titles.setdefault(title, key)
        for number, row in enumerate(rows, start=1):
            where = f"{self.manifest.name} entry {number}"
            if not isinstance(row, dict):
                yield Skip(where, "malformed row: not an object")
                continue
            if number not in keys:
                reason = "malformed row: `file` must be a path inside the manifest's folder"
                yield Skip(where, reason)
                continue
            try:
                yield self.entry(row, keys[number], set(keys.values()), titles)
            except ValidationError as error:
                yield Skip(keys[number], f"malformed row: {'; '.join(error.messages)}")

    def relative(self, value) -> str | None:
        """The manifest-relative posix path `value` names, or None when it leaves the folder."""
        if not isinstance(value, str) or not value.strip():
            return None
        path = PurePosixPath(value.strip().replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or not path.parts:
            return None
        return path.as_posix()

    def entry(self, row: dict, key: str, files: set[str], titles: dict[str, str]) -> Entry:
        path = self.root / key
        verdict = str(row.get("verdict") or "").strip()
        if verdict not in Verdict.values:
            raise ValidationError(f"unknown verdict {verdict!r}")
        values = {
            "title": str(row.get("title") or "").strip() or path.stem,
            "verdict": verdict,
            "technique": str(row.get("technique") or "").strip() or Technique.NONE,
            "licence": self.licence_override or text(row.get("licence")),
            "depicts_people": boolean(row.get("depicts_people"), None),
            "depicts_public_figure": boolean(row.get("depicts_public_figure"), None),
            "consent_on_file": boolean(row.get("consent_on_file"), False),
        }
        for name in RIGHTS_FIELDS:
            # Notes, transcripts and captions keep their exact text (a WebVTT file ends in a
            # newline); one-line fields lose stray spaces.
            verbatim = name in VERBATIM_FIELDS
            values.setdefault(name, text(row.get(name), strip=not verbatim))
        clip = Clip(**values)
        clip.clean_fields(exclude=[f.name for f in Clip._meta.fields if f.name not in CLIP_FIELDS])
        clip.validate_constraints(exclude=["import_source", "import_key", "slug", "uid"])
        entry = Entry(
            key=key,
            path=path,
            verdict=Verdict(verdict),
            technique=Technique(clip.technique),
            title=clip.title,
            original_key=self.original(row.get("original"), key, files, titles),
            fields={name: values[name] for name in RIGHTS_FIELDS},
        )
        entry.tells = tells(row.get("tells"))
        return entry

    def original(self, value, key: str, files: set[str], titles: dict[str, str]) -> str:
        if not isinstance(value, str) or not value.strip():
            return ""
        as_file = self.relative(value)
        if as_file in files and as_file != key:
            return as_file
        if titles.get(value.strip(), key) != key:
            return titles[value.strip()]
        # Neither a file nor a title of this manifest: perhaps a file an earlier run imported.
        if as_file is None:
            raise ValidationError(f"original {value!r} is neither a file nor a title here")
        return as_file


def text(value, *, strip: bool = True) -> str:
    if value is None:
        return ""
    return str(value).strip() if strip else str(value)


def boolean(value, empty):
    if isinstance(value, bool) or value is None:
        return empty if value is None else value
    word = str(value).strip().lower()
    if not word:
        return empty
    if word not in BOOLEANS:
        raise ValidationError(f"{value!r} is not true or false")
    return BOOLEANS[word]


def tells(value) -> list[Tell]:
    """Unsaved, validated tells from a manifest's `tells` (a list, or JSON text in CSV)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise ValidationError(f"tells are not valid JSON: {error}") from error
    if not isinstance(value, list):
        raise ValidationError("tells must be a list")
    result = []
    for number, item in enumerate(value, start=1):
        try:
            result.append(tell(item))
        except ValidationError as error:
            raise ValidationError(f"tell {number}: {'; '.join(error.messages)}") from error
    return result


def tell(item) -> Tell:
    if not isinstance(item, dict):
        raise ValidationError("not an object")
    box = item.get("box")
    if box is not None and (
        not isinstance(box, list)
        or len(box) != 4
        or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in box)
    ):
        raise ValidationError("box must be [x, y, w, h] or null")
    start, end = item.get("start", 0), item.get("end", item.get("start", 0))
    for value in (start, end):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValidationError("start and end must be numbers of seconds")
    x, y, w, h = box if box is not None else (None, None, None, None)
    tell = Tell(
        category=text(item.get("category")),
        start_seconds=float(start),
        end_seconds=float(end),
        box_x=x,
        box_y=y,
        box_w=w,
        box_h=h,
        explanation=text(item.get("explanation")),
    )
    tell.clean_fields(exclude=["clip", "still", "origin", "created_by"])
    tell.validate_constraints(exclude=["clip"])
    return tell
