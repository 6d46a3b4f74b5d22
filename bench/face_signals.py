"""How each face signal separates real from fake on the development media, in and out of sample.

The development media split in two parts, by source:
- part A, where the constants (the value at which each feature starts, and its unit) were
  chosen: the FaceForensics++ c40 folder (10 real, 16 fake videos), the DFDC folder's videos
  and the DFDC face crops of the "train" split in more/;
- part B, out of sample: every other labelled file in more/ (its videos from 20-odd public
  repositories, the DFDC crops of its "test" and "validation" splits that are not copies of a
  part A crop, and a few stills); "mixed" side-by-side composites are skipped.
The split is by where a file comes from (the only use of paths here: to label and to split; no
signal reads them). Per signal it prints the AUC (a fake ranked above a real one, ties count
half) of the signal's value in the direction manipulation pushes it, and the share of real
files the feature keeps at 0, for videos and stills separately, on each part.

The tracker's pass (the slow part) is cached per file in bench/results/face-signals/ (gitignored),
keyed by the file and TRACK_VERSION; delete the folder or bump it when faces.py changes what it
keeps. Usage: `.venv/bin/python bench/face_signals.py [--workers N]`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from media_library.detector.analysis import FACE_FPS  # noqa: E402
from media_library.detector.faces import FaceTracker  # noqa: E402
from media_library.detector.footage import DecodeError, read_footage  # noqa: E402
from media_library.detector.signals import face_noise  # noqa: E402
from media_library.detector.signals.face import ALL_NAMES, measure_face  # noqa: E402

DEV = ROOT.parent / "shared" / "media" / "dev"
CACHE = ROOT / "bench" / "results" / "face-signals"
TRACK_VERSION = 3
# Only the first seconds of each video are read: enough for every signal's strength, and it
# keeps a full run (about 350 files) under a quarter of an hour on two cores.
MAX_SECONDS = 12.0
VIDEO = (".mp4", ".webm", ".mov", ".mkv", ".avi")
STILL = (".jpg", ".jpeg", ".png", ".webp")


def dev_files() -> list[tuple[str, Path, int]]:
    """(part "A" or "B", path, 1 for fake / 0 for real) for every labelled dev file."""
    files: list[tuple[str, Path, int]] = []
    for path in sorted((DEV / "ffpp").rglob("*.mp4")):
        files.append(("A", path, int("manipulated_sequences" in path.parts)))
    dfdc = DEV / "dfdc" / "train_sample_videos"
    if (dfdc / "metadata.json").is_file():
        labels = json.loads((dfdc / "metadata.json").read_text())
        for name, entry in sorted(labels.items()):
            if (dfdc / name).is_file():
                files.append(("A", dfdc / name, int(entry["label"] == "FAKE")))
    index = DEV / "more" / "index.csv"
    if index.is_file():
        with index.open() as handle:
            for row in csv.DictReader(handle):
                if row["label"] not in ("real", "fake"):
                    continue
                path = DEV / "more" / row["file"]
                if not path.is_file() or path.suffix.lower() not in VIDEO + STILL:
                    continue
                part = "A" if "/sample_train_data/train/" in row["file"] else "B"
                files.append((part, path, int(row["label"] == "fake")))
    # The DFDC crops' splits share files (67 distinct images among 167): a still whose bytes
    # already appear in part A, or earlier in part B, is left out of part B.
    seen: set[str] = set()
    kept = []
    for part, path, fake in sorted(files, key=lambda f: f[0]):
        if path.suffix.lower() in STILL:
            digest = hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()
            if part == "B" and digest in seen:
                continue
            seen.add(digest)
        kept.append((part, path, fake))
    return kept


def cache_path(path: Path) -> Path:
    name = f"{TRACK_VERSION}:{path.relative_to(DEV)}".encode()
    key = hashlib.sha1(name, usedforsecurity=False).hexdigest()[:16]
    return CACHE / f"{key}.pkl"


def track(path: Path) -> tuple[object, FaceTracker] | None:
    """The footage (without its thumbnails) and the tracker, from the cache or measured."""
    cached = cache_path(path)
    if cached.is_file():
        # Written by this script into a gitignored folder of this checkout, never received.
        return pickle.loads(cached.read_bytes())  # noqa: S301
    tracker = FaceTracker()
    try:
        footage = read_footage(
            path, on_face_frame=tracker, face_fps=FACE_FPS, max_seconds=MAX_SECONDS
        )
    except DecodeError:
        result = None
    else:
        result = (replace(footage, thumbs=np.zeros((0, 1, 1), np.uint8)), tracker)
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(pickle.dumps(result))
    return result


def measure(path: Path) -> dict[str, tuple[float | None, float | None]]:
    """Per face signal, (value, feature), None where not measured."""
    tracked = track(path)
    if tracked is None:
        return {}
    footage, tracker = tracked
    return {m.name: (m.value, m.feature) for m in measure_face(footage, tracker)}


def auc(fakes: list[float], reals: list[float]) -> float | None:
    if not fakes or not reals:
        return None
    fakes_a, reals_a = np.asarray(fakes)[:, None], np.asarray(reals)[None, :]
    return float(np.mean((fakes_a > reals_a) + 0.5 * (fakes_a == reals_a)))


# How each signal's value is read for the AUC: in the direction manipulation moves it (the
# direction its feature rises), or for a signal whose feature rises on both sides of the real
# range, the distance from the middle of that range.
ORIENT = {
    "blink_rate": lambda v: -v,
    "mouth_detail": lambda v: -v,
    "lip_sync": lambda v: -v,
    "noise_mismatch": lambda v: -v,
    # (the video band's middle: the still band's is 0.1 higher, which hardly changes the ranks)
    "blend_boundary": lambda v: abs(v - (face_noise.BLEND_LOW + face_noise.BLEND_HIGH) / 2),
}


def table(results: list[tuple[str, Path, int, dict]]) -> list[str]:
    lines = []
    groups = [(part, kind) for part in ("A", "B") for kind in ("video", "still")]
    header = (
        "| signal | "
        + " | ".join(f"{part} {kind}: AUC (n fake/real), real at 0" for part, kind in groups)
        + " |"
    )
    lines.append(header)
    lines.append("|" + " --- |" * (len(groups) + 1))
    for name in ALL_NAMES:
        cells = []
        for part, kind in groups:
            fakes, reals, zero, real_n = [], [], 0, 0
            for p, path, fake, found in results:
                is_still = path.suffix.lower() in STILL
                if p != part or is_still != (kind == "still") or name not in found:
                    continue
                value, feature = found[name]
                if value is None:
                    continue
                (fakes if fake else reals).append(ORIENT.get(name, lambda v: v)(value))
                if not fake:
                    real_n += 1
                    zero += feature == 0
            score = auc(fakes, reals)
            if score is None:
                cells.append("–")
            else:
                cells.append(
                    f"{score:.2f} ({len(fakes)}/{len(reals)}), {zero / max(real_n, 1):.0%}"
                )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write per-file values here")
    args = parser.parse_args()
    files = dev_files()
    if not files:
        print(f"No development media in {DEV}")
        return 1
    with ProcessPoolExecutor(args.workers) as pool:
        found = list(pool.map(measure, [path for _, path, _ in files], chunksize=2))
    results = [(part, path, fake, f) for (part, path, fake), f in zip(files, found, strict=True)]
    for part in ("A", "B"):
        for kind, suffixes in (("videos", VIDEO), ("stills", STILL)):
            chosen = [r for r in results if r[0] == part and r[1].suffix.lower() in suffixes]
            fakes = sum(r[2] for r in chosen)
            tracked = sum(
                1
                for r in chosen
                if r[3]
                and r[3]["blink_rate" if kind == "videos" else "boundary_blending"][0] is not None
            )
            print(
                f"part {part} {kind}: {fakes} fake, {len(chosen) - fakes} real, "
                f"face measured on {tracked}"
            )
    print()
    print("\n".join(table(results)))
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {"part": p, "file": str(path.relative_to(DEV)), "fake": fake, "signals": f}
                    for p, path, fake, f in results
                ],
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
