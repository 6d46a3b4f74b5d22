"""Deepfake Detection Challenge: `metadata.json` beside the clips, file -> {label, original}.

The full dataset has one such file per part folder (dfdc_train_part_N/); the sample has one in
train_sample_videos/. Every metadata.json under the root is read. A row that is not
`{"label": "REAL" | "FAKE", "original": "<file name>"}` (a list for a label, a number for an
original, no label) is reported and the rest of the file is read on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from media_library.importers.base import (
    DatasetError,
    Entry,
    Importer,
    OutsideDataset,
    Refused,
    Skip,
)
from media_library.models import Technique, Verdict

LABELS = {"REAL": Verdict.REAL, "FAKE": Verdict.DEEPFAKE}


class DFDCImporter(Importer):
    name = "dfdc"
    label = "DFDC"
    licence = "DFDC dataset terms (research only)"
    attribution = "Deepfake Detection Challenge dataset (Dolhansky et al., Meta AI, 2020)"
    source_url = "https://ai.meta.com/datasets/dfdc/"
    # The DFDC clips were recorded with paid actors who agreed to their use for this dataset.
    consent = {
        "depicts_people": True,
        "depicts_public_figure": False,
        "consent_on_file": True,
        "consent_notes": (
            "Research dataset recorded with paid, consenting actors; the consent records are "
            "kept by the dataset's publisher (Meta AI) under the DFDC dataset terms."
        ),
    }

    def entries(self) -> Iterator[Entry | Skip]:
        metadata_files = sorted(self.root.rglob("metadata.json"))
        if not metadata_files:
            raise DatasetError(f"No metadata.json under {self.root}: is this a DFDC folder?")
        for metadata_file in metadata_files:
            where = self.key(metadata_file)
            try:
                metadata = json.loads(self.read_text(metadata_file))
            except OutsideDataset as error:
                yield Refused(where, str(error))
                continue
            except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
                yield Skip(where, f"unreadable metadata: {error}")
                continue
            if not isinstance(metadata, dict):
                yield Skip(where, "malformed metadata: not a JSON object")
                continue
            for name, info in metadata.items():
                yield self.entry(metadata_file.parent, where, name, info)

    def entry(self, folder, where: str, name: str, info) -> Entry | Skip:
        if not plain_name(name):
            return Skip(f"{where}: {name[:80]!r}", "malformed row: not a plain file name")
        path = folder / name
        if not isinstance(info, dict):
            return Skip(self.key(path), f"malformed row in {where}: not an object")
        label = info.get("label")
        if not isinstance(label, str) or label not in LABELS:
            return Skip(self.key(path), f"unknown label {shorten(label)} in {where}")
        original = info.get("original")
        if original in (None, ""):
            original_key = ""
        elif isinstance(original, str) and plain_name(original):
            original_key = self.key(folder / original)
        else:
            reason = f"malformed row in {where}: original {shorten(original)} is not a file name"
            return Skip(self.key(path), reason)
        if not path.is_file():
            return self.missing(path, where)
        return self.make_entry(
            path,
            LABELS[label],
            Technique.FACE_SWAP,
            f"{self.label} {path.stem}",
            original_key=original_key,
            **self.consent,
        )


def plain_name(name: str) -> bool:
    """A file name in the metadata's own folder: no folder part, nothing hidden, no NUL."""
    return bool(name) and not name.startswith(".") and not any(c in name for c in "/\\\0")


def shorten(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."
