"""FakeAVCeleb v1.2: `meta_data.csv`, one row per clip, category A to D says what was faked.

The header is `source,target1,target2,method,category,type,race,gender,path,` but data rows
have ten fields: the column headed `path` holds the file name and the unnamed tenth the folder.
Folders are written from the dataset's parent (`FakeAVCeleb/RealVideo-RealAudio/...`), so a
folder is looked up under the root with and without its first part.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from media_library.importers.base import DatasetError, Entry, Importer, OutsideDataset, Skip
from media_library.models import Technique, Verdict

METADATA = "meta_data.csv"
HEADER = ["source", "target1", "target2", "method", "category", "type", "race", "gender", "path"]
FIELDS = 10
METHODS = {"real", "wav2lip", "faceswap", "fsgan", "rtvc", "faceswap-wav2lip", "fsgan-wav2lip"}

CONSENT = {
    "depicts_people": True,
    "depicts_public_figure": True,
    "consent_on_file": False,
    "consent_notes": (
        "Research dataset; public figures (celebrities) in VoxCeleb2 interview footage from "
        "YouTube, without individual consent. Basis for showing them: public figures, "
        "media-literacy teaching under the FakeAVCeleb terms (research only)."
    ),
}


def classify(category: str, method: str) -> tuple[Verdict, Technique] | str:
    """Verdict and technique for a row, or why the row makes no sense."""
    if category not in {"A", "B", "C", "D"}:
        return f"unknown category {category!r}"
    if method not in METHODS:
        return f"unknown method {method!r}"
    if category == "A":
        # Real video, real audio.
        return (Verdict.REAL, Technique.NONE) if method == "real" else _misfit(category, method)
    if method == "real":
        return _misfit(category, method)
    if category == "B":
        # Real video, cloned voice.
        return Verdict.DEEPFAKE, Technique.VOICE_CLONE
    if category == "C":
        # Fake video, real audio.
        if method in {"faceswap", "fsgan"}:
            return Verdict.DEEPFAKE, Technique.FACE_SWAP
        if method == "wav2lip":
            return Verdict.DEEPFAKE, Technique.LIP_SYNC
        return _misfit(category, method)
    # D, both fake: what a learner sees is the video method's work.
    if method.endswith("wav2lip"):
        return Verdict.DEEPFAKE, Technique.LIP_SYNC
    return Verdict.DEEPFAKE, Technique.FACE_SWAP


def _misfit(category: str, method: str) -> str:
    return f"method {method!r} does not fit category {category}"


class FakeAVCelebImporter(Importer):
    name = "fakeavceleb"
    label = "FakeAVCeleb"
    licence = "FakeAVCeleb terms of use (research only)"
    attribution = "FakeAVCeleb v1.2 (Khalid et al., NeurIPS 2021 Datasets and Benchmarks)"
    source_url = "https://github.com/DASH-Lab/FakeAVCeleb"

    def entries(self) -> Iterator[Entry | Skip]:
        metadata = self.root / METADATA
        if not metadata.is_file():
            raise DatasetError(f"No {METADATA} in {self.root}: is this a FakeAVCeleb folder?")
        try:
            text = self.read_text(metadata, encoding="utf-8-sig")
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except OutsideDataset as error:
            raise DatasetError(f"{METADATA} {error}: refused.") from error
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise DatasetError(f"{METADATA} cannot be read: {error}") from error
        if not rows or [c.strip() for c in rows[0][: len(HEADER)]] != HEADER:
            raise DatasetError(f"{METADATA} does not start with the header {','.join(HEADER)},")
        for number, row in enumerate(rows[1:], start=2):
            where = f"{METADATA} line {number}"
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != FIELDS:
                yield Skip(where, f"malformed row: {len(row)} fields, expected {FIELDS}")
                continue
            source, _t1, _t2, method, category, _type, _race, _gender, name, folder = (
                cell.strip() for cell in row
            )
            path = self.locate(folder, name)
            if path is None:
                yield Skip(where, "malformed row: the file or folder is not a plain relative path")
                continue
            key = self.key(path)
            outcome = classify(category, method)
            if isinstance(outcome, str):
                yield Skip(key, f"{outcome} on {where}")
                continue
            if not path.is_file():
                yield self.missing(path, where)
                continue
            verdict, technique = outcome
            yield self.make_entry(
                path, verdict, technique, f"{self.label} {source} {path.stem} ({method})", **CONSENT
            )

    def locate(self, folder: str, name: str) -> Path | None:
        parts = [p for p in folder.replace("\\", "/").split("/") if p]
        if not name or "/" in name or "\\" in name or not parts or ".." in parts or name == "..":
            return None
        path = self.root.joinpath(*parts, name)
        if not path.exists() and len(parts) > 1:
            shorter = self.root.joinpath(*parts[1:], name)
            if shorter.exists():
                return shorter
        return path
