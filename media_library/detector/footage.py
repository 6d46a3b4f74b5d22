"""One decoding pass over a clip, shared by every signal.

The editing signals need every frame, but only small: a grey thumbnail per frame with its
timestamp is enough to find repeated and blended frames, cuts and jumps. The face signals need
full detail, but not of every frame: the reader hands frames at up to `face_fps` to a callback
(the face tracker) as BGR arrays and keeps none of them, so a ten-minute clip does not sit in
memory. Audio becomes a loudness envelope. Images are read with Pillow and look like a clip of
one frame.

What a file may make the decoder do is set by `ContainerRules`: only local files, only the
listed demuxers and image formats, no picture over the pixel cap. The defaults are safe for any
file; media_library passes its own (its upload sniffing, its whitelist and caps) so the detector
reads a clip by the same rules as processing did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageOps

# Editing signals work on grey thumbnails this wide (height keeps the aspect ratio, even).
THUMB_WIDTH = 96
# Frames handed to the face callback are at most this tall (a 720p clip is scaled down).
FACE_MAX_HEIGHT = 480
# Loudness envelope hop: 20 ms, fine enough for syllables and mouth movements.
AUDIO_HOP_SECONDS = 0.02
AUDIO_RATE = 16_000

FaceCallback = Callable[[np.ndarray, float], None]
Progress = Callable[[float], None]
# From a file's first bytes: ("video", demuxer) or ("image", Pillow format); raises DecodeError
# for what must not be opened.
Identify = Callable[[bytes], tuple[str, str]]


class DecodeError(Exception):
    """The file cannot be read as footage; `str(error)` says why in plain words."""


@dataclass(frozen=True)
class ContainerRules:
    """What a file may make the decoder do.

    Without `identify`, libavformat and Pillow recognise the file themselves, but only among
    `demuxers` and `image_formats`: a playlist (HLS, ffconcat), which would make a demuxer open
    other files, is refused because its demuxer is not listed, and the protocol whitelist keeps
    reading to this one local file either way.
    """

    demuxers: tuple[str, ...] = ("mov", "matroska", "avi")
    image_formats: tuple[str, ...] = ("PNG", "JPEG", "WEBP")
    # No video picture over this many pixels is decoded, no image over the second cap read.
    max_pixels: int = 4096 * 4096
    max_image_pixels: int = 40_000_000
    identify: Identify | None = field(default=None, compare=False)
    head_bytes: int = 64

    def open_options(self) -> dict[str, str]:
        """libavformat options that keep a demuxer to this one local file and these formats."""
        return {
            "protocol_whitelist": "file",
            "format_whitelist": ",".join(self.demuxers),
            "max_pixels": str(self.max_pixels),
        }

    def kind_of(self, path: Path) -> tuple[str, str | None]:
        """("video" or "image", the demuxer or image format, or None to let it be probed)."""
        if self.identify is not None:
            with path.open("rb") as file:
                return self.identify(file.read(self.head_bytes))
        try:
            with Image.open(path, formats=list(self.image_formats)):
                return "image", None
        except Image.DecompressionBombError:
            return "image", None  # an image, refused when it is read
        except (OSError, ValueError):
            return "video", None


SAFE_RULES = ContainerRules()


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
    # Per AUDIO_HOP_SECONDS as well: (zero-crossing rate 0..1, spectral centroid in Hz), for
    # the continuity of the sound across a splice; None without sound.
    audio_features: np.ndarray | None = None

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
    rules: ContainerRules = SAFE_RULES,
    max_seconds: float | None = None,
) -> Footage:
    """Decode `path` (a video or an image) once. Raises DecodeError when it cannot be read.
    `max_seconds` stops after that much of a video (benchmarks over many clips)."""
    path = Path(path)
    try:
        kind, format_name = rules.kind_of(path)
    except OSError as error:
        raise DecodeError("The file could not be opened.") from error
    if kind == "image":
        return _read_image(path, format_name, on_face_frame, rules)
    return _read_video(path, format_name, on_face_frame, face_fps, progress, rules, max_seconds)


def _read_image(
    path: Path, format_name: str | None, on_face_frame: FaceCallback | None, rules: ContainerRules
) -> Footage:
    formats = [format_name] if format_name else list(rules.image_formats)
    try:
        with Image.open(path, formats=formats) as opened:
            if opened.width * opened.height > rules.max_image_pixels:
                raise DecodeError("The image has too many pixels to read.")
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise DecodeError("The image could not be read.") from error
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
    demuxer: str | None,
    on_face_frame: FaceCallback | None,
    face_fps: float,
    progress: Progress | None,
    rules: ContainerRules,
    max_seconds: float | None = None,
) -> Footage:
    if demuxer is not None and demuxer not in rules.demuxers:
        raise DecodeError("The file could not be read as a video.")
    try:
        container = av.open(str(path), format=demuxer, options=rules.open_options())
    except (av.error.FFmpegError, OSError, ValueError) as error:
        raise DecodeError("The file could not be read as a video.") from error
    with container:
        if not container.streams.video:
            raise DecodeError("The file has no video stream.")
        video = container.streams.video[0]
        video.thread_type = "AUTO"
        width, height = video.codec_context.width, video.codec_context.height
        if not width or not height or width * height > rules.max_pixels:
            raise DecodeError("The video's picture size is missing or too large to read.")
        # The container's options do not reach the decoder: cap it too, so a stream that
        # changes its picture size midway cannot make it allocate more.
        video.codec_context.options = {"max_pixels": str(rules.max_pixels)}
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
        past_end = False
        try:
            for packet in container.demux(*streams):
                if past_end:
                    break
                for frame in packet.decode():
                    if isinstance(frame, av.AudioFrame):
                        for mono in resampler.resample(frame):
                            samples.append(mono.to_ndarray().reshape(-1))
                        continue
                    if frame.time is None:
                        continue
                    time = float(frame.time)
                    if max_seconds is not None and time >= max_seconds:
                        past_end = True
                        continue
                    times.append(time)
                    thumbs.append(frame.to_ndarray(width=thumb_w, height=thumb_h, format="gray"))
                    if on_face_frame is not None and time >= next_face_time:
                        next_face_time = time + 1 / face_fps - 1e-6
                        # Area averaging: cheaper than swscale's default bilinear filter
                        # for these reductions, and it keeps the noise statistics unaliased.
                        small = frame.reformat(
                            width=face_w, height=face_h, format="bgr24", interpolation="AREA"
                        )
                        on_face_frame(small.to_ndarray(), time)
                    if progress is not None and duration and time - last_report >= 1.0:
                        last_report = time
                        progress(min(1.0, time / duration))
            if resampler is not None:
                for mono in resampler.resample(None):
                    samples.append(mono.to_ndarray().reshape(-1))
        except av.error.FFmpegError as error:
            raise DecodeError("The video is damaged and could not be decoded.") from error

    if not times:
        raise DecodeError("The video has no frames that could be decoded.")
    order = np.argsort(times, kind="stable")  # B-frames may come out of order in odd files
    envelope, features, audio_duration = _envelope(samples) if audio else (None, None, None)
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
        audio_features=features,
    )


def _envelope(samples: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, float]:
    """RMS loudness per hop of the whole audio track, the hop's zero-crossing rate and spectral
    centroid, and the track's length."""
    pcm = np.concatenate(samples) if samples else np.zeros(0, dtype=np.float32)
    hop = int(AUDIO_RATE * AUDIO_HOP_SECONDS)
    usable = len(pcm) // hop * hop
    frames = pcm[:usable].reshape(-1, hop).astype(np.float64)
    if not usable:
        return np.zeros(0), np.zeros((0, 2)), len(pcm) / AUDIO_RATE
    rms = np.sqrt(np.mean(frames**2, axis=1))
    crossings = np.mean(np.signbit(frames[:, 1:]) != np.signbit(frames[:, :-1]), axis=1)
    power = np.abs(np.fft.rfft(frames * np.hanning(hop), axis=1)) ** 2
    bins = np.fft.rfftfreq(hop, 1 / AUDIO_RATE)
    centroid = (power @ bins) / np.maximum(power.sum(axis=1), 1e-12)
    return rms, np.column_stack([crossings, centroid]), len(pcm) / AUDIO_RATE
