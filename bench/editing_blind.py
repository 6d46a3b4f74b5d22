"""The editing score without the original, per workshop recipe: `make bench-editing-blind`.

1. Sources: the FaceForensics++ real clips of ../shared/media/dev and the first few real clips
   with sound of more/index.csv, each cut to its first 12 s and shrunk to at most 640 px wide
   with the workshop's own intermediate encoding (libx264 veryfast, CRF 18), as the processed
   MP4 the workshop reads. These are also the format-matched real clips: the same encoder as
   every shallowfake, so the container cannot give a fake away.
2. Shallowfakes made from each source by the workshop's own ffmpeg graphs: slowed speech 0.75x,
   a sped-up moment 1.5x (3-7 s), a 2-second splice at 4 s, blended slow motion 2x and 1.25x
   (plays at 0.8x).
3. Every file analysed blind (`measure_editing` without an original) and scored with the
   default editing weights, once with the signals that existed before the blind cues
   (`BEFORE`) and once with all of them.

Thresholds at 10 % false positives are chosen on the FF++ reals (raw and format-matched); the
more/ real clips (raw, every one that is a video) are out of sample and their false-positive
rate at that threshold is printed separately. Renders and decoded footage are cached in --work
(default: a folder in the system temp dir), so a second run only measures.
Development data only: small and partly the data the thresholds were chosen on.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEV = Path(os.environ.get("TELLTALE_DEV_MEDIA") or BASE_DIR.parent / "shared" / "media" / "dev")
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TELLTALE_ALLOW_DEV_SECRET", "1")
os.environ.setdefault("TELLTALE_VAR_DIR", tempfile.mkdtemp(prefix="telltale-blind-"))
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

import av  # noqa: E402
import numpy as np  # noqa: E402

from media_library.detector.footage import Footage, read_footage  # noqa: E402
from media_library.detector.measurements import Family  # noqa: E402
from media_library.detector.scoring import DEFAULT_MODEL, design_row, sigmoid  # noqa: E402
from media_library.detector.signals.editing import measure_editing  # noqa: E402
from media_library.ffmpeg import ffmpeg_binary  # noqa: E402
from media_library.workshop import RECIPES  # noqa: E402
from media_library.workshop.forms import SourceInfo  # noqa: E402

RECIPE_SET = [
    ("slowed 0.75x", "slow_speech", {"factor": 0.75}),
    ("sped-up 1.5x", "speed_up_moment", {"start": 3.0, "end": 7.0, "factor": 1.5}),
    ("splice 2 s", "splice", {"start": 4.0, "end": 6.0}),
    ("blended 2x", "slow_motion", {"factor": 2.0}),
    ("blended 0.8x", "slow_motion", {"factor": 1.25}),
]
# The editing signals before the blind cues of issue 15 (item 7).
BEFORE = [
    "repeated_frames",
    "blended_frames",
    "jumps",
    "timestamps",
    "av_length",
    "cuts",
]
SOURCE_SECONDS = 12
MORE_SOURCES = 4
FALSE_POSITIVES = 0.10


def ffmpeg(*args: str) -> None:
    base = [ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run([*base, *args], check=True)


def source_info(path: Path) -> SourceInfo:
    """A real clip's facts as found, for choosing sources: more lenient than
    `SourceInfo.of_file`, which refuses what processing would (an MP3 track, say)."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        return SourceInfo(
            duration=container.duration / av.time_base,
            width=video.codec_context.width,
            height=video.codec_context.height,
            frame_rate=float(video.average_rate),
            has_audio=bool(container.streams.audio),
        )


def real_clips() -> tuple[list[Path], list[Path], list[Path]]:
    """FF++ reals, more/ reals (videos), and the more/ reals with sound used as sources."""
    ffpp = sorted((DEV / "ffpp" / "original_sequences").rglob("*.mp4"))
    more = []
    with (DEV / "more" / "index.csv").open() as index:
        for row in csv.DictReader(index):
            if row["label"] == "real" and row["file"].lower().endswith((".mp4", ".webm")):
                more.append(DEV / "more" / row["file"])
    with_sound = []
    for path in more:
        info = source_info(path)
        if info.has_audio and info.duration >= SOURCE_SECONDS:
            with_sound.append(path)
        if len(with_sound) == MORE_SOURCES:
            break
    return ffpp, more, with_sound


def key(path: Path) -> str:
    return hashlib.sha256(str(path).encode()).hexdigest()[:12]


def prepare_source(path: Path, work: Path) -> Path:
    target = work / f"source-{key(path)}.mp4"
    if not target.exists():
        ffmpeg(
            "-i", str(path), "-t", str(SOURCE_SECONDS),
            "-vf", "scale='min(640,iw)':-2",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "192k", "-ac", "2",
            str(target),
        )  # fmt: skip
    return target


def render(recipe: str, params: dict, source: Path, work: Path) -> Path:
    tag = hashlib.sha256(f"{recipe}{sorted(params.items())}".encode()).hexdigest()[:8]
    target = work / f"{source.stem}-{recipe}-{tag}.mp4"
    if not target.exists():
        command = RECIPES[recipe].command([source], target, params, SourceInfo.of_file(source))
        subprocess.run(command, check=True)
    return target


def footage(path: Path, work: Path) -> Footage:
    cached = work / f"footage-{key(path)}.npz"
    if cached.exists():
        data = np.load(cached)
        envelope = data["envelope"] if data["audio_duration"] >= 0 else None
        return Footage(
            "video", int(data["width"]), int(data["height"]), float(data["frame_rate"]),
            float(data["duration"]), data["times"], data["thumbs"], envelope,
            float(data["audio_duration"]) if envelope is not None else None,
            audio_features=data["audio_features"] if envelope is not None else None,
        )  # fmt: skip
    read = read_footage(path)
    np.savez(
        cached,
        width=read.width, height=read.height, frame_rate=read.frame_rate,
        duration=read.duration, times=read.times, thumbs=read.thumbs,
        envelope=read.audio_envelope if read.has_audio else np.zeros(0),
        audio_features=read.audio_features if read.has_audio else np.zeros((0, 2)),
        audio_duration=read.audio_duration if read.has_audio else -1.0,
    )  # fmt: skip
    return read


def editing_score(measurements, names: list[str]) -> float:
    spec = DEFAULT_MODEL[Family.EDITING]
    row = design_row(measurements, names)
    coefficients = np.asarray([spec["intercept"], *(spec["weights"][n] for n in names)])
    return float(sigmoid(row @ coefficients))


def auc(positives: list[float], negatives: list[float]) -> float:
    if not positives or not negatives:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def threshold(scores: list[float]) -> float:
    """The lowest score flagged with at most FALSE_POSITIVES of `scores` above it."""
    ordered = sorted(scores, reverse=True)
    allowed = int(FALSE_POSITIVES * len(ordered))
    return ordered[allowed] + 1e-9 if allowed < len(ordered) else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "telltale-blind")
    parser.add_argument("--signals", action="store_true", help="print every clip's features")
    args = parser.parse_args()
    if not DEV.is_dir():
        print(f"{DEV} is absent: the development media are needed.")
        return 1
    args.work.mkdir(parents=True, exist_ok=True)
    ffpp, more, with_sound = real_clips()
    after = list(DEFAULT_MODEL[Family.EDITING]["weights"])
    after = [name for name in after if not name.endswith("_vs_original")]
    rows: list[tuple[str, str, list]] = []  # (group, label, measurements)

    def measure(group: str, label: str, path: Path) -> None:
        measurements = measure_editing(footage(path, args.work))
        rows.append((group, label, measurements))
        if args.signals:
            features = {
                m.name: round(m.feature, 2) for m in measurements if m.measured and m.feature > 0
            }
            print(f"{group:14} {label:14} {path.name[:28]:28} {features}", flush=True)

    for path in ffpp:
        measure("ffpp-real", "real raw", path)
    for path in more:
        measure("more-real", "real raw", path)
    for path in [*ffpp, *with_sound]:
        source = prepare_source(path, args.work)
        group = "ffpp-real" if path in ffpp else "more-real"
        measure(group, "real matched", source)
        for label, recipe, params in RECIPE_SET:
            measure("fake", label, render(recipe, params, source, args.work))

    print(
        f"{len(ffpp)} FF++ reals, {len(more)} more/ reals (videos), "
        f"{len(ffpp) + len(with_sound)} sources × {len(RECIPE_SET)} recipes"
    )
    print("| recipe | n | caught before | caught after |\n| --- | --- | --- | --- |")
    summary = {}
    for tag, names in (("before", BEFORE), ("after", after)):
        scores = [(group, label, editing_score(m, names)) for group, label, m in rows]
        calibration = [s for g, _, s in scores if g == "ffpp-real"]
        cut = threshold(calibration)
        fakes = [s for g, _, s in scores if g == "fake"]
        reals = [s for g, _, s in scores if g != "fake"]
        matched = [s for g, label, s in scores if label == "real matched"]
        more_reals = [s for g, _, s in scores if g == "more-real"]
        summary[tag] = {
            "cut": cut,
            "caught": {
                label: sum(s >= cut for g, lab, s in scores if g == "fake" and lab == label)
                for label, _, _ in RECIPE_SET
            },
            "all": sum(s >= cut for s in fakes),
            "auc": auc(fakes, reals),
            "auc_matched": auc(fakes, matched),
            "fp_ffpp": np.mean([s >= cut for s in calibration]),
            "fp_more": np.mean([s >= cut for s in more_reals]),
            "n_more": len(more_reals),
        }
    per = len(ffpp) + len(with_sound)
    for label, _, _ in RECIPE_SET:
        before, after_ = summary["before"]["caught"][label], summary["after"]["caught"][label]
        print(f"| {label} | {per} | {before} | {after_} |")
    fakes = per * len(RECIPE_SET)
    print(f"| all | {fakes} | {summary['before']['all']} | {summary['after']['all']} |")
    for tag in ("before", "after"):
        s = summary[tag]
        print(
            f"{tag}: AUC {s['auc']:.3f} against every real clip, {s['auc_matched']:.3f} against "
            f"the format-matched ones; threshold {s['cut']:.3f} (10 % FP on FF++ reals: "
            f"{s['fp_ffpp']:.0%}); more/ reals over it (out of sample): {s['fp_more']:.1%} "
            f"of {s['n_more']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
