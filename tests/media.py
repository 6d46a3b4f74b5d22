"""Real media for tests, made on the spot with the same ffmpeg binary the app uses.

Nothing here is mocked: the clips are genuine MP4/WebM files from ffmpeg's test sources, and the
research clips in ../shared/media/dev are used when present (tests skip cleanly when not).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from media_library.ffmpeg import ffmpeg_binary

# TELLTALE_DEV_MEDIA points elsewhere (or at nothing, to check the suite without the clips).
DEV_MEDIA = Path(
    os.environ.get("TELLTALE_DEV_MEDIA")
    or Path(settings.BASE_DIR).parent / "shared" / "media" / "dev"
)

requires_dev_media = pytest.mark.skipif(
    not DEV_MEDIA.is_dir(), reason="../shared/media/dev is absent (research clips)"
)


def dev_clip(relative: str) -> Path:
    path = DEV_MEDIA / relative
    if not path.is_file():
        pytest.skip(f"dev clip {relative} is absent")
    return path


# Small, quick H.264 (the output options most test clips share).
FAST_H264 = ("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")


def run_ffmpeg(*args: str) -> None:
    """The app's ffmpeg, quiet and overwriting; any error fails the test."""
    command = [ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]
    subprocess.run(command, check=True)


def make_video(
    path: Path,
    *,
    seconds: float = 2.0,
    width: int = 320,
    height: int = 240,
    fps: int = 25,
    audio: bool = True,
    video_codec: str = "libx264",
    container: str = "mp4",
) -> Path:
    """Write a real clip: ffmpeg's test pattern with a moving counter and a sine tone."""
    args = [
        ffmpeg_binary(),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}",
    ]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    args += ["-c:v", video_codec, "-pix_fmt", "yuv420p"]
    if video_codec == "libx264":
        args += ["-preset", "ultrafast"]
    if audio:
        args += ["-c:a", "aac" if container in {"mp4", "mov"} else "libopus"]
    args += ["-f", container, str(path)]
    subprocess.run(args, check=True)
    return path


def make_image(path: Path, *, size: tuple[int, int] = (640, 480), fmt: str = "JPEG") -> Path:
    image = Image.new("RGB", size, (200, 120, 60))
    for x in range(0, size[0], 40):
        for y in range(0, size[1], 40):
            if (x // 40 + y // 40) % 2:
                image.paste((40, 80, 160), (x, y, x + 40, y + 40))
    image.save(path, fmt)
    return path
