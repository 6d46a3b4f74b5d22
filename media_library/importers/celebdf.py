"""Celeb-DF v2: the folder says real or fake; List_of_testing_videos.txt labels the test set.

The list's lines are `<label> <folder>/<file>` with **1 = real and 0 = fake** (the reverse of
most datasets). Files in the folders but not in the list (the training part) are labelled by
their folder; a list label that contradicts its folder is reported, not guessed at.
`Celeb-synthesis/id<t>_id<s>_<NNNN>.mp4` was made from `Celeb-real/id<t>_<NNNN>.mp4`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from media_library.importers.base import DatasetError, Entry, Importer, OutsideDataset, Skip
from media_library.models import Technique, Verdict

TEST_LIST = "List_of_testing_videos.txt"
LIST_LABELS = {"1": Verdict.REAL, "0": Verdict.DEEPFAKE}
FOLDERS = {
    "Celeb-real": Verdict.REAL,
    "YouTube-real": Verdict.REAL,
    "Celeb-synthesis": Verdict.DEEPFAKE,
}
SYNTHESIS_NAME = re.compile(r"^id(?P<target>\d+)_id(?P<source>\d+)_(?P<clip>\d+)$")

CELEB_CONSENT = {
    "depicts_people": True,
    "depicts_public_figure": True,
    "consent_on_file": False,
    "consent_notes": (
        "Research dataset; public figures (celebrities) in interview footage the Celeb-DF "
        "authors collected from YouTube, without individual consent. Basis for showing them: "
        "public figures, media-literacy teaching under the Celeb-DF terms (research only)."
    ),
}
YOUTUBE_CONSENT = {
    **CELEB_CONSENT,
    "depicts_people": True,
    "depicts_public_figure": None,
    "consent_notes": (
        "Research dataset; footage collected from YouTube by the Celeb-DF authors, without the "
        "consent of the people shown. Use only under the Celeb-DF terms."
    ),
}


class CelebDFImporter(Importer):
    name = "celebdf"
    label = "Celeb-DF"
    licence = "Celeb-DF terms of use (research only)"
    attribution = "Celeb-DF v2 (Li et al., CVPR 2020)"
    source_url = "https://github.com/yuezunli/celeb-deepfakeforensics"

    def entries(self) -> Iterator[Entry | Skip]:
        if (
            not any((self.root / folder).is_dir() for folder in FOLDERS)
            and not (self.root / TEST_LIST).is_file()
        ):
            raise DatasetError(
                f"None of {', '.join(FOLDERS)} or {TEST_LIST} in {self.root}: "
                "is this a Celeb-DF v2 folder?"
            )
        listed: dict[str, str] = {}  # key -> list label
        refused: set[str] = set()  # files whose list row is unusable: not guessed from folders
        test_list = self.root / TEST_LIST
        if test_list.is_file():
            try:
                lines = self.read_text(test_list).splitlines()
            except OutsideDataset as error:
                raise DatasetError(f"{TEST_LIST} {error}: refused.") from error
            except (OSError, UnicodeDecodeError) as error:
                raise DatasetError(f"{TEST_LIST} cannot be read: {error}") from error
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                label, _, relative = line.strip().partition(" ")
                relative = relative.strip()
                where = f"{TEST_LIST} line {number}"
                if not relative or ".." in relative.split("/") or relative.startswith("/"):
                    yield Skip(where, f"malformed row: {line.strip()!r}")
                elif label not in LIST_LABELS:
                    refused.add(relative)
                    yield Skip(relative, f"unknown label {label!r} on {where}")
                else:
                    listed[relative] = label
        # Reals first, so that a --limit run brings in the originals its fakes point to.
        seen: set[str] = set()
        for folder, folder_verdict in FOLDERS.items():
            paths = {self.key(p): p for p in sorted((self.root / folder).glob("*.mp4"))}
            keys = {*paths, *(k for k in listed if k.split("/")[0] == folder)} - refused
            for key in sorted(keys):
                seen.add(key)
                yield from self.entry(key, paths.get(key), folder, folder_verdict, listed)
        for key in sorted(set(listed) - seen):
            yield Skip(key, f"unknown folder {key.split('/')[0]!r} in {TEST_LIST}")

    def entry(self, key, path, folder, folder_verdict, listed) -> Iterator[Entry | Skip]:
        if path is None:
            yield self.missing(self.root / key, TEST_LIST)
            return
        if key in listed and LIST_LABELS[listed[key]] != folder_verdict:
            yield Skip(
                key,
                f"label {listed[key]} in {TEST_LIST} contradicts the folder {folder} "
                "(1 = real, 0 = fake)",
            )
            return
        original_key = ""
        if folder == "Celeb-synthesis":
            match = SYNTHESIS_NAME.match(path.stem)
            if match is None:
                yield Skip(key, "malformed name: expected id<target>_id<source>_<NNNN>.mp4")
                return
            candidate = self.root / "Celeb-real" / f"id{match['target']}_{match['clip']}.mp4"
            # Link only to an original the dataset copy has (the dataset omits some).
            original_key = self.key(candidate) if candidate.is_file() else ""
        consent = YOUTUBE_CONSENT if folder == "YouTube-real" else CELEB_CONSENT
        yield self.make_entry(
            path,
            folder_verdict,
            Technique.FACE_SWAP,
            f"{self.label} {folder} {path.stem}",
            original_key=original_key,
            **consent,
        )
