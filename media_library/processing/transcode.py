"""Transcode a probed video to H.264/AAC MP4 with the ffmpeg command line.

The graph is built with ffmpeg-python and compiled to an argument list that we run ourselves,
so we own the timeout (the process is killed on expiry) and read `-progress` as it comes.

ffmpeg dies with the process that started it: on Linux the kernel sends it SIGKILL when its
parent goes (`PR_SET_PDEATHSIG`, set by a fresh interpreter that then execs ffmpeg). A process
group and a watchdog would not do: a worker killed with SIGKILL runs no code, so nothing of ours
could kill the group, and a watchdog process can itself be killed; only the kernel outlives the
worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import ffmpeg
from django.conf import settings
from django.utils.translation import gettext as _

from media_library.ffmpeg import ffmpeg_binary
from media_library.processing import MediaRejected, OutOfSpace
from media_library.processing.probe import VideoInfo
from media_library.processing.sniff import VIDEO_DEMUXERS

# Fit inside 1280x720 (landscape) or 720x1280 (portrait), never upscale, even dimensions.
MAX_LONG, MAX_SHORT = 1280, 720
X264_PRESET = "veryfast"
X264_CRF = 23
AUDIO_BITRATE = "128k"
# A keyframe every two seconds (the usual choice for web video): seeking in the player and in
# the tell editor lands fast, and the thumbnail strip is read from keyframes alone.
KEYFRAME_SECONDS = 2

ProgressCallback = Callable[[float], None]


def output_size(width: int, height: int) -> tuple[int, int]:
    """The processed size for a width x height input (what the scale filter will produce)."""
    box_w, box_h = (MAX_LONG, MAX_SHORT) if width >= height else (MAX_SHORT, MAX_LONG)
    scale = min(1.0, box_w / width, box_h / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def h264_encode(
    stream, info: VideoInfo, *, box: tuple[int, int], crf: int, preset: str, audio_bitrate: str
) -> tuple[list, dict]:
    """The output streams and options that encode `stream` as H.264/AAC MP4 video.

    The picture fits inside `box` (long side, short side) turned to its own orientation, is
    never upscaled and has even dimensions; a keyframe comes every KEYFRAME_SECONDS; the file
    stops at MEDIA_MAX_OUTPUT_BYTES. The processed video and the feed rendition both use it.
    """
    long_side, short_side = box
    video = stream["v:0"].filter(
        "scale",
        w=f"if(gte(iw,ih),min({long_side},iw),min({short_side},iw))",
        h=f"if(gte(iw,ih),min({short_side},ih),min({long_side},ih))",
        force_original_aspect_ratio="decrease",
        force_divisible_by=2,
    )
    outputs = [video]
    options = {
        "c:v": "libx264",
        "preset": preset,
        "crf": crf,
        "pix_fmt": "yuv420p",
        "g": max(1, round(KEYFRAME_SECONDS * (info.frame_rate or 30))),
        "fs": settings.MEDIA_MAX_OUTPUT_BYTES,
    }
    if info.has_audio:
        outputs.append(stream["a:0"])
        options |= {"c:a": "aac", "b:a": audio_bitrate, "ac": 2}
    return outputs, options


def build_command(
    source: Path, target: Path, info: VideoInfo, tags: dict[str, str] | None = None
) -> list[str]:
    """The ffmpeg arguments; `tags` (processing.marks.metadata_tags) mark a generated clip."""
    stream = ffmpeg.input(
        str(source),
        f=info.demuxer,
        protocol_whitelist="file",
        format_whitelist=",".join(VIDEO_DEMUXERS),
    )
    outputs, encode = h264_encode(
        stream,
        info,
        box=(MAX_LONG, MAX_SHORT),
        crf=X264_CRF,
        preset=X264_PRESET,
        audio_bitrate=AUDIO_BITRATE,
    )
    graph = ffmpeg.output(
        *outputs,
        str(target),
        f="mp4",
        # use_metadata_tags lets the muxer keep custom tags (the generated-media mark).
        movflags="+faststart+use_metadata_tags" if tags else "+faststart",
        # Uploads can carry GPS and device details in their metadata; none of it is kept.
        map_metadata=-1,
        map_chapters=-1,
        sn=None,
        dn=None,
        **encode,
    ).global_args("-nostdin", "-hide_banner", "-nostats", "-loglevel", "error")
    graph = graph.global_args("-progress", "pipe:1", "-y")
    command = graph.compile(cmd=ffmpeg_binary())
    if tags:
        # ffmpeg-python cannot repeat an option, so the tags go in just before the output.
        at = command.index(str(target))
        for key, value in tags.items():
            command[at:at] = ["-metadata", f"{key}={value}"]
            at += 2
    return command


def transcode(
    source: Path,
    target: Path,
    info: VideoInfo,
    on_progress: ProgressCallback | None = None,
    *,
    timeout: float | None = None,
    tags: dict[str, str] | None = None,
) -> None:
    """Write `target`; raise MediaRejected (and leave `target` to the caller to delete) on
    failure or when the time limit passes. `tags` are written as container metadata."""
    command = build_command(source, target, info, tags)
    run_ffmpeg(
        command,
        info.duration,
        on_progress,
        timeout=timeout or settings.MEDIA_TRANSCODE_TIMEOUT_SECONDS,
    )
    size = target.stat().st_size if target.exists() else 0
    if size == 0:
        raise MediaRejected(_("The video could not be converted: no picture could be decoded."))
    # ffmpeg stops quietly at -fs; a file that reached the cap is cut short.
    if size >= settings.MEDIA_MAX_OUTPUT_BYTES * 0.99:
        raise MediaRejected(_("The converted video would be too large to keep."))


# ffmpeg prints strerror() text; in the C locale "No space left on device" reads the same
# everywhere, so a full disk can be told from a damaged file.
FFMPEG_ENV_OVERRIDES = {"LC_ALL": "C"}
NO_SPACE_TEXT = "No space left on device"


# A fresh interpreter (no threads, no site packages) sets the death signal on itself, then
# becomes ffmpeg with execv, which keeps the signal. Setting it in a preexec_fn instead would run
# Python between fork and exec in a process with threads (the web server's, the worker's), which
# can deadlock the child before it ever becomes ffmpeg (seen under the test suite's live server).
DIE_WITH_PARENT = (
    "import ctypes, os, sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0)\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    os._exit(1)\n"  # the parent died before prctl: no signal would ever come
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def dying_with_parent(command: list[str]) -> list[str]:
    """`command` started so that it gets SIGKILL (PR_SET_PDEATHSIG = 1, SIGKILL = 9) when
    the thread that starts it dies with its process; unchanged off Linux."""
    if not sys.platform.startswith("linux"):
        return command
    return [sys.executable, "-I", "-S", "-c", DIE_WITH_PARENT, str(os.getpid()), *command]


def run_ffmpeg(
    command: list[str],
    duration: float,
    on_progress: ProgressCallback | None,
    *,
    timeout: float,
) -> None:
    """Run ffmpeg, calling `on_progress(percent)` for each `-progress` report it writes.
    Raises MediaRejected on expiry, OutOfSpace when the disk filled, TranscodeFailed else."""
    with subprocess.Popen(  # noqa: S603 (a fixed binary and arguments we built; no shell)
        dying_with_parent(command),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        env={**os.environ, **FFMPEG_ENV_OVERRIDES},
        # The death signal is tied to the thread that starts ffmpeg; run_ffmpeg waits for it in
        # that same thread, so the signal can only come when the process itself dies.
    ) as process:
        timed_out = threading.Event()

        def expire() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(timeout, expire)
        timer.daemon = True
        # stderr is drained on a thread so a chatty ffmpeg never blocks on a full pipe.
        errors: list[str] = []
        drain = threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)
        timer.start()
        drain.start()
        try:
            for line in process.stdout:
                key, _sep, value = line.strip().partition("=")
                if key == "out_time_us" and on_progress and duration > 0 and value.isdigit():
                    on_progress(min(99.0, int(value) / 1_000_000 / duration * 100))
            process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
            drain.join(timeout=5)
    if timed_out.is_set():
        raise MediaRejected(
            _("Converting the video took longer than %(minutes)s minutes and was stopped.")
            % {"minutes": f"{timeout / 60:g}"}
        )
    if process.returncode != 0:
        detail = "".join(errors[-5:]).strip()
        if NO_SPACE_TEXT in "".join(errors):
            raise OutOfSpace(detail)
        raise TranscodeFailed(
            _("The video could not be converted; the file may be damaged."), detail
        )


class TranscodeFailed(MediaRejected):
    """ffmpeg exited with an error. `detail` is its log tail, for the server log only."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


class Throttle:
    """Calls `save(percent)` at most once per `interval` seconds, and only on change."""

    def __init__(self, save: Callable[[int], None], interval: float = 1.0) -> None:
        self.save, self.interval = save, interval
        self.last_time, self.last_value = 0.0, -1

    def __call__(self, percent: float) -> None:
        value, now = int(percent), time.monotonic()
        if value != self.last_value and now - self.last_time >= self.interval:
            self.last_time, self.last_value = now, value
            self.save(value)
