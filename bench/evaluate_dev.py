"""The detector on the development media, out of sample: `make evaluate-detector`.

1. **The corpus**: every labelled file of ../shared/media/dev — the FaceForensics++ and DFDC
   folders (labels from their own metadata, read by the dataset importers) and `more/`
   (labels, methods, sources and known originals from its `index.csv`; the 8 side-by-side
   composites, half real and half fake, are left out). Each file's **source** (its dataset or
   repository) is what leave-one-dataset-out leaves out; its **method** what
   leave-one-method-out leaves out; its **group** (identity: a fake goes with the real clip it
   was made from, a DFDC face crop with its video) keeps twins in one fold.
2. **Shallowfakes**: the workshop's recipes rendered (the same ffmpeg graphs the library's
   workshop runs) from the first 12 s of real clips of several sources — slowed to 0.75x
   (repeated frames), sped up 1.3x (dropped frames), a stretch at 1.5x and one at 2x, a 2-second
   splice, blended slow motion at 0.5x and at 0.8x — judged against the same real clips passed
   through the same encoder untouched (format-matched, so the container gives nothing away),
   each analysed blind and with that original.
3. **Analysis**: every file analysed once with the signals of this code (cached under
   bench/results/dev-features/, keyed by the file and the signals version; two processes).
4. **Figures**: `evaluate_detector --samples` on all of it: in sample, leave one dataset out and
   leave one method out, with bootstrap intervals, per source, method, compression and signal.
5. With `--ship`: `fit_detector --samples --ship` fits the weights on everything and writes
   them, with their held-out figures, to media_library/detector/shipped_weights.json, which
   `make run` scores with (media storage's own fits take precedence).

Options: `--reals N` real clips per source for the shallowfakes (default 2; FF++ gives all of
its 10), `--jobs N` processes (default 2), `--ship`.
Nothing here reads a file name to decide a label: labels come from the datasets' metadata.
Development data only: research clips, never copied into the repository.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEV = BASE_DIR.parent / "shared" / "media" / "dev"
RESULTS = BASE_DIR / "bench" / "results"
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TELLTALE_ALLOW_DEV_SECRET", "1")
os.environ["TELLTALE_VAR_DIR"] = tempfile.mkdtemp(prefix="telltale-evaluate-")
os.environ.pop("DATABASE_URL", None)

import av  # noqa: E402
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from media_library.detector.analysis import measure  # noqa: E402
from media_library.detector.footage import DecodeError  # noqa: E402
from media_library.detector.measurements import Measurement  # noqa: E402
from media_library.detector.samples import Sample  # noqa: E402
from media_library.detector.scoring import SIGNALS_VERSION  # noqa: E402
from media_library.importers.base import Entry  # noqa: E402
from media_library.importers.dfdc import DFDCImporter  # noqa: E402
from media_library.importers.ffpp import FFPPImporter  # noqa: E402
from media_library.models import Technique, Verdict  # noqa: E402
from media_library.processing import MediaRejected  # noqa: E402
from media_library.workshop.forms import SourceInfo  # noqa: E402
from media_library.workshop.recipes import get_recipe  # noqa: E402

VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".avi"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
# The shallowfakes made from each chosen real clip: (method, recipe, parameters).
SHALLOWFAKES = [
    ("slowed 0.75x (repeated frames)", "slow_speech", {"factor": 0.75}),
    ("sped up 1.3x (dropped frames)", "slow_speech", {"factor": 1.3}),
    ("a stretch at 1.5x", "speed_up_moment", {"start": 3.0, "end": 7.0, "factor": 1.5}),
    ("a stretch at 2x", "speed_up_moment", {"start": 3.0, "end": 7.0, "factor": 2.0}),
    ("2-second splice", "splice", {"start": 4.0, "end": 6.0}),
    ("blended slow motion 0.5x", "slow_motion", {"factor": 2.0}),
    ("blended slow motion 0.8x", "slow_motion", {"factor": 1.25}),
]
# The format-matched real: the same graph and encoder, speed 1, nothing edited.
UNEDITED = ("slow_speech", {"factor": 1.0})
SHALLOW_SECONDS = 12.0
MIN_SHALLOW_SOURCE_SECONDS = 9.0


@dataclass
class Item:
    """One file to analyse and what is known of it."""

    path: Path
    labels: dict
    source: str
    method: str
    group: str
    technique: str
    original: Path | None = None
    with_original: bool = False
    notes: dict = field(default_factory=dict)


def ffpp_items() -> list[Item]:
    importer = FFPPImporter(DEV / "ffpp")
    items = []
    for entry in importer.entries():
        if not isinstance(entry, Entry):
            continue
        fake = entry.verdict == Verdict.DEEPFAKE
        compression = entry.path.parts[-3]  # the dataset's own c23/c40 level
        original = importer.root / entry.original_key if entry.original_key else None
        items.append(
            Item(
                entry.path,
                {"face": int(fake), "editing": None},
                f"FaceForensics++ {compression}",
                entry.path.parts[-4] if fake else "",  # the dataset's method folder
                # Identity: the target video whose frames a fake keeps.
                f"ffpp:{(original or entry.path).stem}",
                entry.technique,
            )
        )
    return items


def dfdc_items() -> list[Item]:
    items = []
    for entry in DFDCImporter(DEV / "dfdc").entries():
        if not isinstance(entry, Entry):
            continue
        fake = entry.verdict == Verdict.DEEPFAKE
        items.append(
            Item(
                entry.path,
                {"face": int(fake), "editing": None},
                "DFDC sample videos",
                "DFDC" if fake else "",
                f"dfdc:{entry.original_key or entry.key}",
                entry.technique,
            )
        )
    return items


def more_items() -> list[Item]:
    """more/index.csv: label, method, the repository it came from, the original when known."""
    items = []
    with (DEV / "more" / "index.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["label"] not in {"real", "fake"}:
                continue  # a side-by-side composite is neither
            path = DEV / "more" / row["file"]
            if path.suffix.lower() not in VIDEO_SUFFIXES | IMAGE_SUFFIXES or not path.exists():
                continue
            fake = row["label"] == "fake"
            original = DEV / "more" / row["original_path"] if row["original_path"] else None
            group = row["file"]
            if original is not None and not original.is_file():
                # Named but not here (a DFDC crop's source video): the name still says which
                # identity the crop belongs with.
                video = re.search(r"([a-z]{10})\.mp4", row["original_path"])
                group = f"dfdc:{video.group(1)}" if video else row["original_path"]
                original = None
            elif original is not None:
                group = str(original.relative_to(DEV))
            elif "DFDC face crop" in row["method"]:
                group = f"dfdc:{Path(row['file']).stem.rsplit('_', 1)[0]}"
            method = row["method"]
            source = row["repo"]
            if "DFDC face crop" in method:
                source = "DFDC face crops"
                method = "DFDC" if fake else ""
            items.append(
                Item(
                    path,
                    {"face": int(fake), "editing": None},
                    source,
                    method if fake else "",
                    group,
                    Technique.FACE_SWAP if fake else Technique.NONE,
                    original if fake else None,
                )
            )
    return items


def probe(path: Path) -> SourceInfo | None:
    """A real clip's facts as found, for choosing workshop sources: more lenient than
    `SourceInfo.of_file`, which refuses what processing would (an MP3 track, say)."""
    try:
        with av.open(str(path)) as container:
            video = container.streams.video[0]
            duration = float(container.duration or 0) / 1_000_000
            rate = float(video.average_rate or 25)
            return SourceInfo(
                duration, video.width, video.height, rate, bool(container.streams.audio)
            )
    except (av.FFmpegError, IndexError):
        return None


def render(recipe_name: str, params: dict, source: Path, target: Path) -> bool:
    if target.exists():
        return True
    try:
        info = SourceInfo.of_file(source)  # the trimmed input, made by ffmpeg here
    except MediaRejected:
        return False
    recipe = get_recipe(recipe_name)
    command = recipe.command([source], target, params, info)
    done = subprocess.run(command, capture_output=True)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
    return done.returncode == 0


def trim(source: Path, target: Path) -> bool:
    """The first SHALLOW_SECONDS of a real clip, nearly lossless, as the workshop's input."""
    if target.exists():
        return True
    from media_library.ffmpeg import ffmpeg_binary

    done = subprocess.run(
        [
            ffmpeg_binary(),
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(source),
            "-t",
            str(SHALLOW_SECONDS),
            "-map",
            "0:v:0",
            "-map",
            "0:a:0?",
            "-c:v",
            "libx264",
            "-crf",
            "16",
            "-preset",
            "veryfast",
            "-pix_fmt",
            "yuv420p",
            "-vf",
            "scale=trunc(iw/2)*2:trunc(ih/2)*2",
            "-c:a",
            "aac",
            str(target),
        ],
        capture_output=True,
    )
    return done.returncode == 0


def shallowfake_items(reals: list[Item], per_source: int, jobs: int) -> list[Item]:
    """Workshop edits of real clips with at least 9 s of video, up to `per_source` per source
    (every FF++ original), each with its format-matched unedited twin."""
    workdir = RESULTS / "dev-shallowfakes"
    workdir.mkdir(parents=True, exist_ok=True)
    chosen, taken = [], defaultdict(int)
    for item in reals:
        if item.path.suffix.lower() not in VIDEO_SUFFIXES:
            continue
        limit = 100 if item.source.startswith("FaceForensics") else per_source
        if taken[item.source] >= limit:
            continue
        info = probe(item.path)
        if info is None or info.duration < MIN_SHALLOW_SOURCE_SECONDS:
            continue
        taken[item.source] += 1
        chosen.append(item)
    jobs_list = []
    for item in chosen:
        key = hashlib.sha1(str(item.path).encode(), usedforsecurity=False).hexdigest()[:12]
        base = workdir / f"{key}-input.mp4"
        unedited = workdir / f"{key}-unedited.mp4"
        outputs = [
            (m, workdir / f"{key}-{n}.mp4", r, p) for n, (m, r, p) in enumerate(SHALLOWFAKES)
        ]
        jobs_list.append((item, base, unedited, outputs))
    with ProcessPoolExecutor(jobs) as pool:
        trimmed = list(pool.map(trim, [j[0].path for j in jobs_list], [j[1] for j in jobs_list]))
    renders = []
    for (_item, base, unedited, outputs), ok in zip(jobs_list, trimmed, strict=True):
        if not ok:
            continue
        renders.append((UNEDITED[0], UNEDITED[1], base, unedited))
        renders.extend((r, p, base, target) for _m, target, r, p in outputs)
    with ProcessPoolExecutor(jobs) as pool:
        finished = pool.map(render, *zip(*renders, strict=True))
        done = dict(zip([r[3] for r in renders], finished, strict=True))
    items = []
    for (item, base, unedited, outputs), ok in zip(jobs_list, trimmed, strict=True):
        if not ok or not done.get(unedited):
            continue
        common = {"source": item.source, "group": item.group}
        real = {"labels": {"face": None, "editing": 0}, "method": "", "technique": Technique.NONE}
        # The unedited clip, blind and against the workshop's input (the same picture, another
        # encode): the real counterpart of each edit in both ways it is judged.
        items.append(Item(unedited, **real, **common))
        items.append(Item(unedited, **real, **common, original=base, with_original=True))
        for method, target, _recipe, _params in outputs:
            if not done.get(target):
                continue
            technique = Technique.SPLICE if "splice" in method else Technique.SPEED_CHANGE
            edit = {
                "labels": {"face": None, "editing": 1},
                "method": method,
                "technique": technique,
            }
            items.append(Item(target, **edit, **common))
            items.append(Item(target, **edit, **common, original=unedited, with_original=True))
    return items


def compression_bucket(path: Path, kind: str, duration: float) -> str:
    """How hard the file is compressed, in bits per pixel (per frame for a video)."""
    size = path.stat().st_size * 8
    try:
        if kind == "image":
            return f"still, {'JPEG' if path.suffix.lower() in {'.jpg', '.jpeg'} else 'lossless'}"
        with av.open(str(path)) as container:
            video = container.streams.video[0]
            frames = duration * float(video.average_rate or 25)
            bpp = size / max(1.0, frames * video.width * video.height)
    except (av.FFmpegError, OSError, IndexError):
        return "unknown"
    if bpp < 0.05:
        return "video, heavy (< 0.05 bits/pixel)"
    if bpp < 0.15:
        return "video, medium (0.05-0.15 bits/pixel)"
    return "video, light (> 0.15 bits/pixel)"


# The detector's modules that decide what a file measures (not how measurements are scored,
# fitted or judged, which are recomputed on every run anyway).
MEASURING_CODE = ("analysis.py", "faces.py", "footage.py", "measurements.py", "tells.py")


def detector_code() -> str:
    """A digest of the measuring code: measurements cached by other code are measured again
    (a signals version can stay the same while a signal is being developed)."""
    detector = BASE_DIR / "media_library" / "detector"
    digest = hashlib.sha256()
    for path in [
        *(detector / name for name in MEASURING_CODE),
        *sorted(detector.glob("signals/*.py")),
    ]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


DETECTOR_CODE = detector_code()


def cache_path(item: Item) -> Path:
    stat = item.path.stat()
    key = f"{item.path}|{stat.st_size}|{int(stat.st_mtime)}|{item.original}|{DETECTOR_CODE}"
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()
    return RESULTS / "dev-features" / f"v{SIGNALS_VERSION}" / f"{digest}.json"


def analyse(item: Item) -> dict | None:
    """Measure one file (with its original when it has one), cached."""
    cached = cache_path(item)
    if cached.exists():
        return json.loads(cached.read_text())
    try:
        footage, measurements, _timeline, face_seconds, compared, _found = measure(
            item.path, item.original
        )
    except DecodeError as error:
        print(f"  cannot read {item.path.name}: {error}", flush=True)
        return None
    kind = footage.kind
    duration = footage.video_duration if kind == "video" else 0.0
    data = {
        "measurements": [m.as_json() for m in measurements],
        "face_seconds": face_seconds,
        "kind": kind,
        "duration": duration,
        "compared": compared,
        "compression": compression_bucket(item.path, kind, duration),
    }
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(data))
    return data


def heading(text: str) -> None:
    print(f"\n=== {text}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reals", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--ship", action="store_true")
    parser.add_argument("--no-shallowfakes", action="store_true")
    parser.add_argument(
        "--limit", type=int, help="at most this many files per source (a quick check)"
    )
    options = parser.parse_args()
    if not DEV.is_dir():
        print(f"{DEV} is absent: the development media are needed for this evaluation.")
        return 1
    RESULTS.mkdir(parents=True, exist_ok=True)
    heading("The development corpus")
    items = ffpp_items() + dfdc_items() + more_items()
    if options.limit:
        taken = defaultdict(int)
        kept = []
        for item in items:
            taken[item.source, item.labels["face"]] += 1
            if taken[item.source, item.labels["face"]] <= options.limit:
                kept.append(item)
        items = kept
    if not options.no_shallowfakes:
        reals = [i for i in items if i.labels["face"] == 0]
        items += shallowfake_items(reals, options.reals, options.jobs)
    print(f"{len(items)} files to analyse", flush=True)
    with ProcessPoolExecutor(options.jobs) as pool:
        analysed = list(pool.map(analyse, items, chunksize=4))
    samples = []
    for item, data in zip(items, analysed, strict=True):
        if data is None:
            continue
        samples.append(
            Sample(
                measurements=[Measurement.from_json(m) for m in data["measurements"]],
                face_seconds=data["face_seconds"],
                labels=item.labels,
                group=item.group,
                technique=item.technique,
                source=item.source,
                method=item.method,
                compression=data["compression"],
                with_original=item.with_original and data["compared"],
            )
        )
    samples_file = RESULTS / "dev-samples.json"
    samples_file.write_text(
        json.dumps({"signals_version": SIGNALS_VERSION, "samples": [s.as_json() for s in samples]})
    )
    seconds = sum(d["duration"] for d in analysed if d)
    print(f"{len(samples)} analysed ({seconds:.0f} s of video); samples in {samples_file}")
    heading("evaluate_detector --samples (held out, with the in-sample figures beside)")
    call_command(
        "evaluate_detector",
        samples=samples_file,
        json=RESULTS / "evaluation-dev.json",
        svg=RESULTS / "reliability-dev.svg",
    )
    if options.ship:
        heading("fit_detector --samples --ship")
        call_command("fit_detector", samples=samples_file, ship=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
