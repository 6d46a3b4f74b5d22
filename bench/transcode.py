"""Transcode benchmark: the plain ffmpeg command line against the pipeline.

All runners convert the same 720p clip (20 s with audio, made with ffmpeg's test sources) to the
same H.264/AAC MP4, several times each, in one run: the bare command, the pipeline's transcode()
step, and the whole processing job (Clip.process(): probe, transcode, checks, poster, thumbnail
strip, database updates) on a throwaway database. Prints speed as a multiple of real time and the
overheads over the bare command. See bench/README.md.
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
# A throwaway database and media folder; the whole-job runner calls Clip.process() itself.
BENCH_VAR = tempfile.mkdtemp(prefix="telltale-bench-var-")
os.environ["TELLTALE_VAR_DIR"] = BENCH_VAR
os.environ.pop("DATABASE_URL", None)
os.environ["TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from media_library.ffmpeg import ffmpeg_binary  # noqa: E402
from media_library.models import Clip, ProcessingStatus  # noqa: E402
from media_library.processing.probe import probe_video  # noqa: E402
from media_library.processing.transcode import (  # noqa: E402
    X264_CRF,
    X264_PRESET,
    build_command,
    transcode,
)

SECONDS = 20
REPETITIONS = int(os.environ.get("BENCH_REPETITIONS", "3"))


def make_source(path: Path) -> None:
    subprocess.run(
        [
            ffmpeg_binary(), "-nostdin", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=30:duration={SECONDS}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={SECONDS}",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
            "-c:a", "aac", str(path),
        ],
        check=True,
    )  # fmt: skip


def plain_command(source: Path, target: Path, info) -> list[str]:
    """The same ffmpeg arguments the pipeline compiles, minus `-progress pipe:1`: one bare
    subprocess.run, so the difference is what the pipeline adds (Popen, progress parsing,
    the timeout timer, output checks)."""
    command = build_command(source, target, info)
    at = command.index("-progress")
    return command[:at] + command[at + 2 :]


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def whole_job(source: Path) -> float:
    """Upload the clip, then time Clip.process() on it; the clip is deleted afterwards so the
    next repetition is not refused as a duplicate."""
    upload = SimpleUploadedFile("bench.mp4", source.read_bytes(), content_type="video/mp4")
    clip = Clip.objects.create_from_upload(upload, None, title="Bench clip", verdict="real")
    seconds = timed(clip.process)
    clip.refresh_from_db()
    if clip.processing_status != ProcessingStatus.READY:
        raise SystemExit(f"processing failed: {clip.processing_error}")
    clip.delete_with_files()
    return seconds


def main() -> None:
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="telltale-bench-") as folder:
        folder = Path(folder)
        source = folder / "source.mp4"
        make_source(source)
        info = probe_video(source, "mov")
        plain_out, pipeline_out = folder / "plain.mp4", folder / "pipeline.mp4"
        progress: list[float] = []
        plain, pipeline, job = [], [], []
        # Alternate the two so drift in machine load hits both alike.
        for _ in range(REPETITIONS):
            plain.append(
                timed(lambda: subprocess.run(plain_command(source, plain_out, info), check=True))
            )
            pipeline.append(timed(lambda: transcode(source, pipeline_out, info, progress.append)))
            job.append(whole_job(source))
        out = probe_video(pipeline_out, "mov")

    plain_s, pipeline_s = statistics.median(plain), statistics.median(pipeline)
    job_s = statistics.median(job)
    print(
        f"Source: {info.width}x{info.height} {info.frame_rate:g} fps, {info.duration:.1f} s, "
        f"{info.video_codec}/{info.audio_codec}; output {out.width}x{out.height}"
    )
    print(f"Repetitions: {REPETITIONS} each (median shown); preset {X264_PRESET}, crf {X264_CRF}")
    print(
        f"  plain ffmpeg : {plain_s:6.2f} s  = {info.duration / plain_s:5.2f}x real time  "
        f"(runs: {', '.join(f'{t:.2f}' for t in plain)})"
    )
    print(
        f"  pipeline     : {pipeline_s:6.2f} s  = {info.duration / pipeline_s:5.2f}x real time  "
        f"(runs: {', '.join(f'{t:.2f}' for t in pipeline)})"
    )
    print(
        f"  whole job    : {job_s:6.2f} s  = {info.duration / job_s:5.2f}x real time  "
        f"(runs: {', '.join(f'{t:.2f}' for t in job)})"
    )
    overhead = pipeline_s / plain_s - 1
    job_overhead = job_s / plain_s - 1
    print(f"  overhead     : {overhead:+.1%} transcode step, {job_overhead:+.1%} whole job")
    print("                 (runner / plain - 1; target <= 10 %)")
    print(f"  progress updates seen: {len(progress)}")
    speed_ok = info.duration / job_s >= 2
    overhead = max(overhead, job_overhead)
    print(
        f"Targets: >= 2x real time {'met' if speed_ok else 'MISSED'}; "
        f"overhead <= 10 % {'met' if overhead <= 0.10 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
