"""Short videos made from a still: a slow camera move over it (the "Ken Burns" pan and zoom that
documentaries use), encoded by the same ffmpeg the pipeline uses.

A video made this way is not a recording of anything moving, so the demo pack never labels one
real: it only serves as the carrier of a fake (a swapped face, a false caption, a crop).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from media_library.ffmpeg import ffmpeg_binary

FPS = 25
ENCODE_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class CameraMove:
    """From window `start` to window `end` (x, y, w, h in the still's pixels) over `seconds`,
    rendered at `size` (width, height)."""

    start: tuple[float, float, float, float]
    end: tuple[float, float, float, float]
    seconds: float
    size: tuple[int, int]

    @property
    def frame_count(self) -> int:
        return round(self.seconds * FPS)

    def window(self, index: int) -> tuple[float, float, float, float]:
        # Ease in and out, as a rostrum camera does, rather than a linear crawl.
        t = index / max(1, self.frame_count - 1)
        t = t * t * (3 - 2 * t)
        return tuple(a + (b - a) * t for a, b in zip(self.start, self.end, strict=True))

    def as_dict(self) -> dict:
        return {
            "start_window": [round(v, 1) for v in self.start],
            "end_window": [round(v, 1) for v in self.end],
            "seconds": self.seconds,
            "fps": FPS,
            "size": list(self.size),
            "easing": "smoothstep",
        }


def frame_at(still: np.ndarray, window: tuple[float, float, float, float], size) -> np.ndarray:
    """The window of the still resampled to size (sub-pixel, so the move is smooth)."""
    x, y, w, h = window
    out_w, out_h = size
    matrix = np.array([[w / out_w, 0, x], [0, h / out_h, y]], dtype=np.float64)
    return cv2.warpAffine(
        still,
        matrix,
        (out_w, out_h),
        flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


def frames(still: np.ndarray, move: CameraMove) -> Iterator[np.ndarray]:
    for index in range(move.frame_count):
        yield frame_at(still, move.window(index), move.size)


def write_mp4(
    target: Path,
    size: tuple[int, int],
    images: Iterator[np.ndarray],
    each: Callable[[int, np.ndarray], np.ndarray] | None = None,
) -> None:
    """Encode RGB frames to an H.264 MP4 (no audio) by piping them to ffmpeg."""
    width, height = size
    command = [
        ffmpeg_binary(),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{width}x{height}",
        "-r",
        str(FPS),
        "-i",
        "pipe:0",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "18",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(target),
    ]
    # A fixed binary and arguments we built; no shell.
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
    try:
        for index, image in enumerate(images):
            if each is not None:
                image = each(index, image)
            process.stdin.write(np.ascontiguousarray(image, dtype=np.uint8).tobytes())
        _, errors = process.communicate(timeout=ENCODE_TIMEOUT_SECONDS)
    except BaseException:
        process.kill()
        process.wait()
        target.unlink(missing_ok=True)
        raise
    if process.returncode != 0:
        target.unlink(missing_ok=True)
        raise RuntimeError(f"ffmpeg could not encode the demo video: {errors.decode()[-500:]}")
