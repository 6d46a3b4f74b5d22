"""One decoding pass over a clip, shared by every signal.

The editing signals need every frame, but only small: a grey thumbnail per frame with its
timestamp is enough to find repeated and blended frames, cuts and jumps. The face signals need
full detail, but not of every frame: the reader hands frames at up to `face_fps` to a callback
(the face tracker) as BGR arrays and keeps none of them, so a ten-minute clip does not sit in
memory. Audio becomes a loudness envelope. Images are read with Pillow and look like a clip of
one frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageOps

from media_library.processing import MediaRejected
from media_library.processing.probe import open_options
from media_library.processing.sniff import HEAD_BYTES, sniff

# Editing signals work on grey thumbnails this wide (height keeps the aspect ratio, even).
THUMB_WIDTH = 96
# Frames handed to the face callback are at most this tall (a 720p clip is scaled down).
FACE_MAX_HEIGHT = 480
# Loudness envelope hop: 20 ms, fine enough for syllables and mouth movements.
AUDIO_HOP_SECONDS = 0.02
AUDIO_RATE = 16_000

FaceCallback = Callable[[np.ndarray, float], None]
Progress = Callable[[float], None]


@dataclass
class Footage:
    """What one pass over a clip keeps. Times are in seconds from the clip's start."""

    kind: str  # "video" or "image"
    width: int
    height: int
    frame_rate: float  # as declared (average); 0 for an image
    duration: float  # the container's declared duration
    times: np.ndarray  # (n,) presentation time of every decoded video frame
    thumbs: np.ndarray  # (n, h, THUMB_WIDTH) uint8 grey thumbnails, one per frame
    audio_envelope: np.ndarray | None  # RMS loudness (0..1) per AUDIO_HOP_SECONDS, or None
    audio_duration: float | None  # the audio stream's length in seconds, or None
    still: np.ndarray | None = None  # an image's pixels (BGR), for the still-image signals

    @property
    def video_duration(self) -> float:
        """From the first frame to the end of the last one."""
        if len(self.times) == 0:
            return 0.0
        step = 1 / self.frame_rate if self.frame_rate else 0.0
        return float(self.times[-1] - self.times[0] + step)

    @property
    def has_audio(self) -> bool:
        return self.audio_envelope is not None and len(self.audio_envelope) > 0


def thumb_size(width: int, height: int) -> tuple[int, int]:
    thumb_height = max(2, round(THUMB_WIDTH * height / width / 2) * 2)
    return THUMB_WIDTH, thumb_height


def face_size(width: int, height: int) -> tuple[int, int]:
    if height <= FACE_MAX_HEIGHT:
        return width - width % 2, height - height % 2
    scaled_width = round(width * FACE_MAX_HEIGHT / height / 2) * 2
    return scaled_width, FACE_MAX_HEIGHT


def read_footage(
    path: Path,
    *,
    on_face_frame: FaceCallback | None = None,
    face_fps: float = 15.0,
    progress: Progress | None = None,
) -> Footage:
    """Decode `path` (a video or an image) once. Raises MediaRejected when it cannot be read."""
    path = Path(path)
    with path.open("rb") as file:
        sniffed = sniff(file.read(HEAD_BYTES))
    if sniffed.kind == "image":
        return _read_image(path, on_face_frame)
    return _read_video(path, sniffed.demuxer, on_face_frame, face_fps, progress)


def _read_image(path: Path, on_face_frame: FaceCallback | None) -> Footage:
    try:
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise MediaRejected("The image could not be read.") from error
    rgb = np.asarray(image)
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    grey = np.asarray(image.convert("L").resize(thumb_size(image.width, image.height)))
    if on_face_frame is not None:
        on_face_frame(bgr, 0.0)
    return Footage(
        kind="image",
        width=image.width,
        height=image.height,
        frame_rate=0.0,
        duration=0.0,
        times=np.zeros(1),
        thumbs=grey[np.newaxis],
        audio_envelope=None,
        audio_duration=None,
        still=bgr,
    )


def _read_video(
    path: Path,
    demuxer: str,
    on_face_frame: FaceCallback | None,
    face_fps: float,
    progress: Progress | None,
) -> Footage:
    try:
        container = av.open(str(path), format=demuxer, options=open_options(demuxer))
    except (av.error.FFmpegError, OSError, ValueError) as error:
        raise MediaRejected("The file could not be read as a video.") from error
    with container:
        if not container.streams.video:
            raise MediaRejected("The file has no video stream.")
        video = container.streams.video[0]
        video.thread_type = "AUTO"
        width, height = video.codec_context.width, video.codec_context.height
        rate = video.average_rate or video.guessed_rate or video.base_rate
        frame_rate = float(rate) if rate else 0.0
        duration = container.duration / av.time_base if container.duration else 0.0
        thumb_w, thumb_h = thumb_size(width, height)
        face_w, face_h = face_size(width, height)
        audio = container.streams.audio[0] if container.streams.audio else None
        resampler = (
            av.AudioResampler(format="flt", layout="mono", rate=AUDIO_RATE) if audio else None
        )

        times: list[float] = []
        thumbs: list[np.ndarray] = []
        samples: list[np.ndarray] = []
        next_face_time = -1.0
        last_report = 0.0
        streams = [video] + ([audio] if audio else [])
        try:
            for packet in container.demux(*streams):
                for frame in packet.decode():
                    if isinstance(frame, av.AudioFrame):
                        for mono in resampler.resample(frame):
                            samples.append(mono.to_ndarray().reshape(-1))
                        continue
                    if frame.time is None:
                        continue
                    time = float(frame.time)
                    times.append(time)
                    thumbs.append(frame.to_ndarray(width=thumb_w, height=thumb_h, format="gray"))
                    if on_face_frame is not None and time >= next_face_time:
                        next_face_time = time + 1 / face_fps - 1e-6
                        on_face_frame(
                            frame.to_ndarray(width=face_w, height=face_h, format="bgr24"), time
                        )
                    if progress is not None and duration and time - last_report >= 1.0:
                        last_report = time
                        progress(min(1.0, time / duration))
            if resampler is not None:
                for mono in resampler.resample(None):
                    samples.append(mono.to_ndarray().reshape(-1))
        except av.error.FFmpegError as error:
            raise MediaRejected("The video is damaged and could not be decoded.") from error

    if not times:
        raise MediaRejected("The video has no frames that could be decoded.")
    order = np.argsort(times, kind="stable")  # B-frames may come out of order in odd files
    envelope, audio_duration = _envelope(samples) if audio else (None, None)
    if progress is not None:
        progress(1.0)
    return Footage(
        kind="video",
        width=width,
        height=height,
        frame_rate=frame_rate,
        duration=duration,
        times=np.asarray(times, dtype=np.float64)[order],
        thumbs=np.stack(thumbs)[order],
        audio_envelope=envelope,
        audio_duration=audio_duration,
    )


def _envelope(samples: list[np.ndarray]) -> tuple[np.ndarray, float]:
    """RMS loudness per hop of the whole audio track, and the track's length."""
    pcm = np.concatenate(samples) if samples else np.zeros(0, dtype=np.float32)
    hop = int(AUDIO_RATE * AUDIO_HOP_SECONDS)
    usable = len(pcm) // hop * hop
    frames = pcm[:usable].reshape(-1, hop).astype(np.float64)
    rms = np.sqrt(np.mean(frames**2, axis=1)) if usable else np.zeros(0)
    return rms, len(pcm) / AUDIO_RATE
