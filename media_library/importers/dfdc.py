"""Deepfake Detection Challenge: `metadata.json` beside the clips, file -> {label, original}.

The full dataset has one such file per part folder (dfdc_train_part_N/); the sample has one in
train_sample_videos/. Every metadata.json under the root is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from media_library.importers.base import DatasetError, Entry, Importer, Skip
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
            try:
                metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as error:
                yield Skip(self.key(metadata_file), f"unreadable metadata: {error}")
                continue
            if not isinstance(metadata, dict):
                yield Skip(self.key(metadata_file), "malformed metadata: not a JSON object")
                continue
            folder = metadata_file.parent
            where = self.key(metadata_file)
            for name, info in metadata.items():
                path = folder / name
                if "/" in name or "\\" in name or name.startswith("."):
                    yield Skip(f"{where}: {name}", "malformed row: not a plain file name")
                    continue
                label = info.get("label") if isinstance(info, dict) else None
                if label not in LABELS:
                    yield Skip(self.key(path), f"unknown label {label!r} in {where}")
                    continue
                if not path.is_file():
                    yield self.missing(path, where)
                    continue
                original = info.get("original") or ""
                plain = original and "/" not in original
                original_key = self.key(folder / original) if plain else ""
                yield self.make_entry(
                    path,
                    LABELS[label],
                    Technique.FACE_SWAP,
                    f"{self.label} {path.stem}",
                    original_key=original_key,
                    **self.consent,
                )
