"""FaceForensics++: originals and manipulations told apart by folder, paired by file name.

original_sequences/{youtube,actors}/<compression>/videos/<id>.mp4 are real;
manipulated_sequences/<method>/<compression>/videos/<target>_<source>.mp4 are made from the
target's original, original_sequences/youtube/<compression>/videos/<target>.mp4.
"""

from __future__ import annotations

from collections.abc import Iterator

from media_library.importers.base import DatasetError, Entry, Importer, Skip
from media_library.models import Technique, Verdict

METHODS = {
    "Deepfakes": Technique.FACE_SWAP,
    "FaceSwap": Technique.FACE_SWAP,
    "FaceShifter": Technique.FACE_SWAP,
    "Face2Face": Technique.REENACTMENT,
    "NeuralTextures": Technique.REENACTMENT,
}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm"}

YOUTUBE_CONSENT = {
    # News readers and vloggers, often recognisable but rarely public figures: unknown.
    "depicts_people": True,
    "depicts_public_figure": None,
    "consent_on_file": False,
    "consent_notes": (
        "Research dataset; the footage was collected from YouTube by the FaceForensics++ "
        "authors and the people shown did not consent individually. Use only under the "
        "FaceForensics++ terms of use."
    ),
}
ACTORS_CONSENT = {
    "depicts_people": True,
    "depicts_public_figure": False,
    "consent_on_file": True,
    "consent_notes": (
        "Research dataset; recorded with paid, consenting actors for Google's "
        "DeepFakeDetection dataset, distributed with FaceForensics++; the consent records are "
        "kept by the dataset's publishers."
    ),
}


class FFPPImporter(Importer):
    name = "ffpp"
    label = "FaceForensics++"
    licence = "FaceForensics++ terms of use (research only)"
    attribution = "FaceForensics++ (Rössler et al., ICCV 2019)"
    source_url = "https://github.com/ondyari/FaceForensics"

    def entries(self) -> Iterator[Entry | Skip]:
        originals = self.root / "original_sequences"
        manipulated = self.root / "manipulated_sequences"
        if not originals.is_dir() and not manipulated.is_dir():
            raise DatasetError(
                f"Neither original_sequences/ nor manipulated_sequences/ in {self.root}: "
                "is this a FaceForensics++ folder?"
            )
        for kind, consent in (("youtube", YOUTUBE_CONSENT), ("actors", ACTORS_CONSENT)):
            for path in self.videos(originals / kind):
                if isinstance(path, Skip):
                    yield path
                    continue
                title = f"{self.label} {'YouTube' if kind == 'youtube' else 'actors'} {path.stem}"
                yield self.make_entry(path, Verdict.REAL, Technique.NONE, title, **consent)
        for method_dir in sorted(p for p in manipulated.glob("*") if p.is_dir()):
            technique = METHODS.get(method_dir.name)
            if technique is None:
                for path in self.videos(method_dir):
                    if not isinstance(path, Skip):
                        yield Skip(self.key(path), f"unknown method {method_dir.name!r}")
                continue
            for path in self.videos(method_dir):
                if isinstance(path, Skip):
                    yield path
                    continue
                target, sep, source = path.stem.partition("_")
                if not sep or not target or not source:
                    yield Skip(self.key(path), "malformed name: expected <target>_<source>")
                    continue
                compression = path.parent.parent.name
                original = originals / "youtube" / compression / "videos" / f"{target}{path.suffix}"
                yield self.make_entry(
                    path,
                    Verdict.DEEPFAKE,
                    technique,
                    f"{self.label} {method_dir.name} {path.stem}",
                    original_key=self.key(original),
                    **YOUTUBE_CONSENT,
                )

    def videos(self, folder) -> Iterator:
        """<folder>/<compression>/videos/* in a stable order; other files are reported."""
        for path in sorted(folder.glob("*/videos/*")):
            if not path.is_file():
                continue
            if path.suffix.lower() in VIDEO_SUFFIXES:
                yield path
            else:
                yield Skip(self.key(path), "not a video file of the dataset")
