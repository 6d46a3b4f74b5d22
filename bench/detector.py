"""Detector benchmark: analysis time against plain PyAV decoding of the same 720p clip.

The clip: a 20-second 1280x720 30 fps video of a real face (the public-domain portrait of Eileen
Collins that scikit-image ships, with a slow push-in so the face moves) with a sine tone, made
with ffmpeg here, so the face tracker works all the way through. When the research clips in
../shared/media/dev are present, a real 720p FaceForensics++ original is measured too.

Runners, taking turns (3 repetitions each; BENCH_REPETITIONS for more):
- plain decoding (the baseline): every frame of the video stream decoded by PyAV with frame
  threading, nothing else done with it;
- the detector: `analyze_file()`, i.e. the one decoding pass (grey thumbnails of every frame,
  face frames at 12 fps, the loudness envelope), face tracking and landmarks, every signal,
  both scores.
Prints the medians as multiples of real time, the detector's cost over plain decoding and
where the time goes. It also times the editing signals with an original to align against (the
clip itself: the costliest case, every frame matched), as a ratio against the plain decoding of
the same run. Targets: the detector at least 4x real time; the editing signals with an original
at most half the time plain decoding takes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TELLTALE_ALLOW_DEV_SECRET", "1")
os.environ["TELLTALE_VAR_DIR"] = tempfile.mkdtemp(prefix="telltale-bench-detector-")
os.environ.pop("DATABASE_URL", None)

import av
import django

django.setup()

from media_library import detector_weights  # noqa: E402
from media_library.demo.sources import COLLINS  # noqa: E402
from media_library.detector import analysis as detector  # noqa: E402
from media_library.detector.faces import FaceTracker  # noqa: E402
from media_library.detector.footage import read_footage  # noqa: E402
from media_library.detector.signals.editing import measure_editing  # noqa: E402
from media_library.detector.signals.face import measure_face  # noqa: E402
from media_library.ffmpeg import ffmpeg_binary  # noqa: E402

REPETITIONS = int(os.environ.get("BENCH_REPETITIONS", "3"))
SECONDS = 20
TARGET = 4.0
# The editing signals with an original aligned, at most this share of plain decoding's time.
EDITING_TARGET = 0.5
DEV_CLIP = (
    Path(__file__).resolve().parent.parent.parent
    / "shared/media/dev/ffpp/original_sequences/youtube/c40/videos/183.mp4"
)


def make_face_clip(target: Path) -> None:
    """A slow push-in on the portrait, 1280x720, with a tone (so the audio path runs too)."""
    frames = SECONDS * 30
    subprocess.run(
        [
            ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-loop", "1", "-i", str(COLLINS.path),
            "-f", "lavfi", "-i", f"sine=frequency=220:duration={SECONDS}",
            "-filter_complex",
            # Letterboxed to 16:9 first, so the face keeps its shape (the cascade needs it).
            f"[0:v]scale=-2:1440,pad=2560:1440:(ow-iw)/2:0,zoompan=z='1+0.4*on/{frames}':d={frames}:"
            "x='iw/2-(iw/zoom/2)':y='ih/3-(ih/zoom/3)':s=1280x720:fps=30,format=yuv420p[v]",
            "-map", "[v]", "-map", "1:a", "-t", str(SECONDS),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-g", "60",
            "-c:a", "aac", "-shortest", str(target),
        ],
        check=True,
    )  # fmt: skip


def plain_decode(path: Path) -> int:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        return sum(1 for _ in container.decode(stream))


def timed(run) -> tuple[float, object]:
    """(seconds, what run() returned)."""
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def breakdown(path: Path) -> dict[str, float]:
    """One more run, split: the decoding pass alone, with the face tracker, then the signals."""
    parts = {"decoding pass (thumbnails, audio)": timed(lambda: read_footage(path))[0]}
    tracker = FaceTracker()
    parts["decoding pass + face tracking"], footage = timed(
        lambda: read_footage(path, on_face_frame=tracker, face_fps=detector.FACE_FPS)
    )
    parts["face signals"] = timed(lambda: measure_face(footage, tracker))[0]
    parts["editing signals"] = timed(lambda: measure_editing(footage))[0]
    return parts


def editing_with_original(path: Path) -> list[float]:
    """The editing signals with the clip as its own original, once per repetition."""
    footage = read_footage(path)
    return [timed(lambda: measure_editing(footage, footage))[0] for _ in range(REPETITIONS)]


def measure(label: str, path: Path) -> tuple[float, float, float]:
    """(the detector's speed as a multiple of real time, the editing signals with an original
    over plain decoding, the detector's CPU seconds as a multiple of real time)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = float(stream.duration * stream.time_base)
        size = f"{stream.codec_context.width}x{stream.codec_context.height}"
        fps = float(stream.average_rate)
    weights = detector_weights.current()
    detector.analyze_file(path, weights=weights)  # loads the landmark model once
    plain, analysis = [], []
    plain_cpu, analysis_cpu = [], []
    faces = 0.0
    for _ in range(REPETITIONS):
        cpu = time.process_time()
        plain.append(timed(lambda: plain_decode(path))[0])
        plain_cpu.append(time.process_time() - cpu)
        cpu = time.process_time()
        seconds, result = timed(lambda: detector.analyze_file(path, weights=weights))
        analysis_cpu.append(time.process_time() - cpu)
        analysis.append(seconds)
        faces = result.face_seconds or 0.0
    plain_s, analysis_s = statistics.median(plain), statistics.median(analysis)
    plain_c, analysis_c = statistics.median(plain_cpu), statistics.median(analysis_cpu)
    print(f"{label}: {size} {fps:g} fps, {duration:.1f} s; face tracked {faces:.1f} s")
    # CPU seconds (all threads of this process) hold up better than wall time on a machine
    # shared with other jobs, and are what the held-out measurement of issue 15 reported.
    print(
        f"  CPU: plain decoding {plain_c:.2f} s, detector {analysis_c:.2f} s = "
        f"{duration / analysis_c:.2f}x real time in CPU, {analysis_c / plain_c:.2f}x the CPU "
        "of plain decoding"
    )
    for name, seconds, runs in (
        ("plain decoding", plain_s, plain),
        ("detector", analysis_s, analysis),
    ):
        print(
            f"  {name:15}: {seconds:6.2f} s = {duration / seconds:5.2f}x real time  "
            f"(runs: {', '.join(f'{t:.2f}' for t in runs)})"
        )
    print(f"  detector / plain decoding: {analysis_s / plain_s:.2f}x the time")
    print("  where the time goes (one run):")
    for name, seconds in breakdown(path).items():
        print(f"    {name:36}: {seconds:6.2f} s")
    aligned = editing_with_original(path)
    aligned_s = statistics.median(aligned)
    print(
        f"  editing signals, original aligned: {aligned_s:6.3f} s = "
        f"{aligned_s / duration:.3f} s per second of clip  "
        f"(runs: {', '.join(f'{t:.3f}' for t in aligned)})"
    )
    print(f"  editing signals, original aligned / plain decoding: {aligned_s / plain_s:.2f}x")
    return duration / analysis_s, aligned_s / plain_s, duration / analysis_c


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="telltale-bench-detector-") as folder:
        clip = Path(folder) / "face-720p.mp4"
        make_face_clip(clip)
        figures = {"generated 720p face clip": measure("Generated 720p face clip", clip)}
    if DEV_CLIP.is_file():
        figures["FF++ original 183"] = measure("FF++ original 183 (research clip)", DEV_CLIP)
    print(f"Repetitions: {REPETITIONS} each, medians; face frames at {detector.FACE_FPS:g} fps")
    ok = True
    for name, (speed, editing, cpu_speed) in figures.items():
        verdict = "met" if speed >= TARGET else "NOT met"
        print(f"Target >= {TARGET:g}x real time on the {name}: {speed:.2f}x, {verdict}")
        # Shown beside it, not judged: on a shared machine the wall clock measures the neighbours.
        print(f"  (in CPU seconds: {cpu_speed:.2f}x real time)")
        verdict = "met" if editing <= EDITING_TARGET else "NOT met"
        print(
            f"Target editing signals with an original <= {EDITING_TARGET:g}x plain decoding "
            f"on the {name}: {editing:.2f}x, {verdict}"
        )
        ok = ok and speed >= TARGET and editing <= EDITING_TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
