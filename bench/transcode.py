"""Transcode benchmark: the plain ffmpeg command lines against the pipeline.

All runners start from the same 720p clip (20 s with audio, made with ffmpeg's test sources),
several times each, in one run: the bare ffmpeg commands the job runs (the H.264/AAC transcode,
then the quiz stream copy and the feed re-encode of its output), the pipeline's transcode()
step, and the whole processing job (Clip.process(): probe, transcode, checks, poster, thumbnail
strip, quiz and feed renditions, database updates) on a throwaway database. Prints speed as a
multiple of real time and the overheads over the bare commands. See bench/README.md.
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
from media_library.processing.renditions import (  # noqa: E402
    feed_video_command,
    quiz_video_command,
)
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
    return without_progress(build_command(source, target, info))


def without_progress(command: list[str]) -> list[str]:
    at = command.index("-progress")
    return command[:at] + command[at + 2 :]


def rendition_commands(media: Path, folder: Path) -> list[list[str]]:
    """The two ffmpeg commands make_video_renditions runs on a processed video, compiled by
    renditions.py from a probe of that video as the job does, minus `-progress pipe:1`. The
    quiz poster is drawn with PyAV in the worker process, not by ffmpeg, so it is job work."""
    info = probe_video(media, "mov")
    return [
        without_progress(quiz_video_command(media, folder / "plain-quiz.mp4")),
        without_progress(feed_video_command(media, folder / "plain-feed.mp4", info)),
    ]


def run_plain(command: list[str]) -> None:
    subprocess.run(command, check=True)


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
        main_command = plain_command(source, plain_out, info)
        renditions: list[list[str]] = []
        progress: list[float] = []
        # Per repetition: the plain main transcode, the plain stream copy, the plain feed encode.
        parts: list[tuple[float, float, float]] = []
        pipeline, job = [], []
        # Alternate the runners so drift in machine load hits all alike.
        for _ in range(REPETITIONS):
            main_s = timed(lambda: run_plain(main_command))
            if not renditions:
                # Built once, outside the timing, from the first plain output: the arguments
                # depend only on its probe, which is the same every time.
                renditions = rendition_commands(plain_out, folder)
            copy_s, feed_s = (
                timed(lambda command=command: run_plain(command)) for command in renditions
            )
            parts.append((main_s, copy_s, feed_s))
            pipeline.append(timed(lambda: transcode(source, pipeline_out, info, progress.append)))
            job.append(whole_job(source))
        out = probe_video(pipeline_out, "mov")
        feed = probe_video(folder / "plain-feed.mp4", "mov")

    plain_main = [main_s for main_s, _copy, _feed in parts]
    plain_all = [sum(part) for part in parts]
    main_s, all_s = statistics.median(plain_main), statistics.median(plain_all)
    copy_s, feed_s = (statistics.median(part[i] for part in parts) for i in (1, 2))
    pipeline_s, job_s = statistics.median(pipeline), statistics.median(job)
    print(
        f"Source: {info.width}x{info.height} {info.frame_rate:g} fps, {info.duration:.1f} s, "
        f"{info.video_codec}/{info.audio_codec}; output {out.width}x{out.height}, "
        f"feed {feed.width}x{feed.height}"
    )
    print(f"Repetitions: {REPETITIONS} each (median shown); preset {X264_PRESET}, crf {X264_CRF}")

    def line(name: str, seconds: float, runs: list[float]) -> None:
        print(
            f"  {name:<19}: {seconds:6.2f} s  = {info.duration / seconds:5.2f}x real time  "
            f"(runs: {', '.join(f'{t:.2f}' for t in runs)})"
        )

    line("plain, all encodes", all_s, plain_all)
    print(f"{'':23}(main {main_s:.2f} + quiz copy {copy_s:.2f} + feed encode {feed_s:.2f})")
    line("plain, main alone", main_s, plain_main)
    line("pipeline transcode", pipeline_s, pipeline)
    line("whole job", job_s, job)
    overhead = pipeline_s / main_s - 1
    job_overhead = job_s / all_s - 1
    print(
        f"  overhead           : {overhead:+.1%} transcode step (vs plain main alone), "
        f"{job_overhead:+.1%} whole job (vs plain all encodes)"
    )
    print("                       (runner / plain - 1; target <= 10 %)")
    print(f"  progress updates seen: {len(progress)}")
    speed_ok = info.duration / job_s >= 2
    overhead = max(overhead, job_overhead)
    print(
        f"Targets: >= 2x real time {'met' if speed_ok else 'MISSED'}; "
        f"overhead <= 10 % {'met' if overhead <= 0.10 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
