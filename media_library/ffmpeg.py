"""Where the ffmpeg binary lives: settings.FFMPEG_BINARY, else the build imageio-ffmpeg ships."""

from __future__ import annotations

from functools import cache

from django.conf import settings


@cache
def _bundled_ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def ffmpeg_binary() -> str:
    return settings.FFMPEG_BINARY or _bundled_ffmpeg()
