"""Read what a video declares (streams, codecs, size, duration, rate) with PyAV and refuse what
we will not process. Nothing is decoded beyond what libavformat needs to fill in parameters,
and a decoder may never allocate a picture bigger than the size cap allows."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from django.conf import settings
from django.utils.translation import gettext as _

from media_library.detector.footage import ContainerRules, DecodeError
from media_library.processing import MediaRejected
from media_library.processing.sniff import HEAD_BYTES, VIDEO_DEMUXERS, sniff

VIDEO_CODECS = {
    "h264",
    "hevc",
    "vp8",
    "vp9",
    "av1",
    "mpeg4",
    "mjpeg",
    "mpeg2video",
    "mpeg1video",
    "prores",
    "dnxhd",
    "theora",
}
AUDIO_CODECS = {"aac", "mp3", "mp2", "opus", "vorbis", "flac", "ac3", "eac3", "alac"}


@dataclass(frozen=True)
class VideoInfo:
    demuxer: str
    format_name: str
    width: int
    height: int
    duration: float
    frame_rate: float
    video_codec: str
    audio_codec: str | None

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


def open_options(demuxer: str) -> dict[str, str]:
    """libavformat options that keep a demuxer to this one local file and these formats."""
    return {
        "protocol_whitelist": "file",
        "format_whitelist": ",".join(VIDEO_DEMUXERS),
        # Refuse to allocate frames over the cap even while probing.
        "max_pixels": str(settings.MEDIA_MAX_DIMENSION * settings.MEDIA_MAX_DIMENSION),
    }


def detector_rules() -> ContainerRules:
    """The detector reads a clip by the rules processing applies to an upload: recognised by its
    first bytes, the same demuxers, the same pixel caps (and the same reasons for a refusal)."""
    return ContainerRules(
        demuxers=VIDEO_DEMUXERS,
        max_pixels=settings.MEDIA_MAX_DIMENSION * settings.MEDIA_MAX_DIMENSION,
        max_image_pixels=settings.MEDIA_MAX_IMAGE_PIXELS,
        identify=_identify,
        head_bytes=HEAD_BYTES,
    )


def _identify(head: bytes) -> tuple[str, str]:
    try:
        sniffed = sniff(head)
    except MediaRejected as error:
        raise DecodeError(str(error)) from error
    return sniffed.kind.value, sniffed.demuxer


def open_video(path: Path, demuxer: str) -> av.container.InputContainer:
    try:
        return av.open(str(path), format=demuxer, options=open_options(demuxer))
    except av.error.InvalidDataError as error:
        raise MediaRejected(
            _("The file is damaged or incomplete (it may have been cut short while uploading).")
        ) from error
    except (av.error.FFmpegError, OSError, ValueError) as error:
        raise MediaRejected(_("The file could not be read as a video.")) from error


def probe_video(path: Path, demuxer: str) -> VideoInfo:
    if path.stat().st_size == 0:
        raise MediaRejected(_("The file is empty."))
    with open_video(path, demuxer) as container:
        return _inspect(container, demuxer)


def _audio_ok(name: str) -> bool:
    return name in AUDIO_CODECS or name.startswith("pcm_")


def _inspect(container: av.container.InputContainer, demuxer: str) -> VideoInfo:
    streams = list(container.streams)
    if len(streams) > settings.MEDIA_MAX_STREAMS:
        raise MediaRejected(
            _("The file has %(count)d streams; at most %(max)d are accepted.")
            % {"count": len(streams), "max": settings.MEDIA_MAX_STREAMS}
        )
    videos = [s for s in container.streams.video if not _is_cover_art(s)]
    if not videos:
        raise MediaRejected(_("The file has no video stream (is it audio only?)."))
    video = videos[0]
    codec = _codec_name(video)
    if codec not in VIDEO_CODECS:
        raise MediaRejected(
            _("The video codec “%(codec)s” is not supported.") % {"codec": codec or "?"}
        )
    audio_codec = None
    if container.streams.audio:
        audio_codec = _codec_name(container.streams.audio[0])
        if not _audio_ok(audio_codec):
            raise MediaRejected(
                _("The audio codec “%(codec)s” is not supported.") % {"codec": audio_codec or "?"}
            )

    width, height = video.codec_context.width, video.codec_context.height
    cap = settings.MEDIA_MAX_DIMENSION
    if not width or not height:
        raise MediaRejected(
            _(
                "The video's picture size is missing or too large to decode "
                "(at most %(max)d x %(max)d pixels)."
            )
            % {"max": cap}
        )
    if width > cap or height > cap:
        raise MediaRejected(
            _("The video is %(w)d x %(h)d pixels; at most %(max)d x %(max)d are accepted.")
            % {"w": width, "h": height, "max": cap}
        )

    duration = _duration(container, video)
    max_duration = settings.MEDIA_MAX_DURATION_SECONDS
    if duration is None or not math.isfinite(duration) or duration <= 0:
        raise MediaRejected(_("The video's duration is unknown or invalid."))
    if duration > max_duration:
        raise MediaRejected(
            _("The video lasts %(s)s; at most %(max)s are accepted.")
            % {"s": _clock(duration), "max": _clock(max_duration)}
        )

    rate = video.average_rate or video.guessed_rate or video.base_rate
    fps = float(rate) if rate else 0.0
    if not math.isfinite(fps) or fps <= 0:
        raise MediaRejected(_("The video's frame rate is unknown or invalid."))
    if fps > settings.MEDIA_MAX_FPS:
        raise MediaRejected(
            _("The video declares %(fps)s frames per second; at most %(max)d are accepted.")
            % {"fps": f"{fps:g}", "max": settings.MEDIA_MAX_FPS}
        )
    return VideoInfo(
        demuxer=demuxer,
        format_name=container.format.name,
        width=width,
        height=height,
        duration=duration,
        frame_rate=round(fps, 3),
        video_codec=codec,
        audio_codec=audio_codec,
    )


def _codec_name(stream) -> str:
    # A stream whose codec libavcodec does not know (a damaged or made-up codec tag, found by
    # tests/test_fuzz_inputs.py) has no codec context at all.
    context = stream.codec_context
    return (context.name or "") if context is not None else ""


def _is_cover_art(stream: av.video.stream.VideoStream) -> bool:
    # An MP3-style attached picture is a video stream of one frame, not a video.
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def _duration(container: av.container.InputContainer, video) -> float | None:
    """The longest duration the file declares: a container claiming years is refused even
    when the video track itself is short."""
    candidates = []
    if video.duration is not None and video.time_base:
        candidates.append(float(video.duration * Fraction(video.time_base)))
    if container.duration is not None:
        candidates.append(container.duration / av.time_base)
    candidates = [c for c in candidates if c > 0]
    return max(candidates) if candidates else None


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600 * 24:
        return _("%(days)d days") % {"days": seconds // (3600 * 24)}
    return f"{seconds // 3600:d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
