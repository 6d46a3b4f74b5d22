"""Blind quiz renditions and feed renditions of a processed clip.

A quiz shows a clip before the learner answers, so the file must not give the answer away. The
library file (`media_file`) of a clip Telltale generated carries a machine-readable mark
(processing.marks), and its stored name contains the clip's uid; both are right for the library
and for the reveal, wrong for an unanswered quiz item. So every processed clip, real or fake,
also gets three files made exactly alike:

- `quiz_media`: the same picture and sound with no container, stream or text metadata. Video
  is a stream copy (no quality lost) with bitexact muxing and the encoder's SEI message (x264
  version and settings) removed; an image is its pixels saved as a bare PNG, one lossless
  format for every image, since the library keeps the uploader's format (PNG, JPEG or WebP)
  and a format could hint at how an image was made.
- `quiz_poster`: a bare JPEG poster.
- `feed_media`: "feed mode", what a phone feed shows: long side at most 640 px and
  re-compressed hard the way social platforms do (H.264 CRF 32 with AAC 64k; JPEG quality 55).

All three are stored under random names in `quiz/` (models.clip.quiz_media_path). What stays
alike for every file (the MP4 brands, the default handler names and language) is what the
muxer writes for any file and tells nothing.

One known residue: the AAC stream of a processed video keeps the `Lavc<version>` string ffmpeg's
encoder writes into the first frame; a stream copy cannot drop it. It names the ffmpeg release
that processed the clip, which is the same for real and generated clips made by one install.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import ffmpeg
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image

from media_library.choices import MediaKind, ProcessingStatus
from media_library.ffmpeg import ffmpeg_binary
from media_library.processing import MediaRejected
from media_library.processing.images import SUFFIXES, flatten, save_poster
from media_library.processing.probe import VideoInfo, probe_video
from media_library.processing.stills import make_poster
from media_library.processing.transcode import ProgressCallback, h264_encode, run_ffmpeg
from media_library.processing.workdir import discard, local_path, new_work_path, save_work_file

if TYPE_CHECKING:
    from media_library.models import Clip

FEED_LONG_SIDE = 640
FEED_X264_CRF = 32
FEED_X264_PRESET = "veryfast"
FEED_AUDIO_BITRATE = "64k"
FEED_JPEG_QUALITY = 55

# A processed file whose copy is this much shorter or longer was not copied whole.
DURATION_TOLERANCE = 0.5

# Muxer and encoder flags that keep version strings and other per-build details out of a file.
BITEXACT = {"fflags": "+bitexact", "flags:v": "+bitexact", "flags:a": "+bitexact"}
# NAL unit type 6 is SEI: x264 writes its version and every encoder setting there.
STRIP_SEI = "filter_units=remove_types=6"

WorkFile = Callable[[str], Path]
Outputs = dict[str, tuple[Path, str]]


# Videos.


def make_video_renditions(
    media: Path,
    info: VideoInfo,
    work_file: WorkFile,
    fields: tuple[str, ...],
    *,
    on_progress: ProgressCallback | None = None,
) -> Outputs:
    """The `fields` renditions of a processed MP4 as {field: (work file, suffix)}; raises
    MediaRejected when one cannot be made (the work files are the caller's to discard).
    `on_progress` hears from each ffmpeg run as it goes (processing renews its lease)."""
    outputs: Outputs = {}
    if "quiz_media" in fields:
        target = work_file(".mp4")
        _run(quiz_video_command(media, target), info, on_progress)
        _check_video(target, info, same_size=True)
        outputs["quiz_media"] = (target, ".mp4")
    if "quiz_poster" in fields:
        # The same frame as the library poster, drawn again: save_poster writes no metadata.
        target = work_file(".jpg")
        make_poster(media, info.duration, target)
        outputs["quiz_poster"] = (target, ".jpg")
    if "feed_media" in fields:
        target = work_file(".mp4")
        _run(feed_video_command(media, target, info), info, on_progress)
        _check_video(target, info, same_size=False)
        outputs["feed_media"] = (target, ".mp4")
    return outputs


def _input(media: Path):
    # Our own processed MP4, but opened with the same limits as any upload.
    return ffmpeg.input(str(media), f="mov", protocol_whitelist="file", format_whitelist="mov")


def _compile(graph) -> list[str]:
    graph = graph.global_args("-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-y")
    # Progress reports on stdout: run_ffmpeg passes them on, so a long run shows it is alive.
    graph = graph.global_args("-progress", "pipe:1")
    return graph.compile(cmd=ffmpeg_binary())


def _stripped() -> dict:
    """Output options shared by both video renditions: no metadata of any kind."""
    return {
        "f": "mp4",
        "map_metadata": -1,
        "map_chapters": -1,
        "movflags": "+faststart",
        "bsf:v": STRIP_SEI,
        "sn": None,
        "dn": None,
        **BITEXACT,
    }


def quiz_video_command(media: Path, target: Path) -> list[str]:
    """Stream copy of the processed video and sound, every tag and the encoder SEI dropped."""
    stream = _input(media)
    # "?": a clip without sound has no audio stream to map.
    graph = ffmpeg.output(stream["v:0"], stream["a:0?"], str(target), c="copy", **_stripped())
    return _compile(graph)


def feed_video_command(media: Path, target: Path, info: VideoInfo) -> list[str]:
    """Phone-sized and re-compressed: long side <= FEED_LONG_SIDE (never upscaled, even)."""
    outputs, encode = h264_encode(
        _input(media),
        info,
        box=(FEED_LONG_SIDE, FEED_LONG_SIDE),
        crf=FEED_X264_CRF,
        preset=FEED_X264_PRESET,
        audio_bitrate=FEED_AUDIO_BITRATE,
    )
    graph = ffmpeg.output(
        *outputs,
        str(target),
        # ffmpeg names the encoder on every stream it encodes ("Lavc libx264"); an empty
        # value keeps the tag out.
        **{"metadata:s": "encoder="},
        **encode,
        **_stripped(),
    )
    return _compile(graph)


def _run(command: list[str], info: VideoInfo, on_progress: ProgressCallback | None) -> None:
    run_ffmpeg(
        command, info.duration, on_progress, timeout=settings.MEDIA_TRANSCODE_TIMEOUT_SECONDS
    )


def _check_video(target: Path, info: VideoInfo, *, same_size: bool) -> None:
    if not target.exists() or target.stat().st_size == 0:
        raise MediaRejected(_("The quiz copy of the video could not be made."))
    if target.stat().st_size >= settings.MEDIA_MAX_OUTPUT_BYTES * 0.99:
        raise MediaRejected(_("The quiz copy of the video would be too large to keep."))
    made = probe_video(target, "mov")
    size_differs = same_size and (made.width, made.height) != (info.width, info.height)
    if size_differs or abs(made.duration - info.duration) > DURATION_TOLERANCE:
        raise MediaRejected(_("The quiz copy of the video came out different from the video."))


# Images.


def make_image_renditions(media: Path, work_file: WorkFile, fields: tuple[str, ...]) -> Outputs:
    """The `fields` renditions of a processed image as {field: (work file, suffix)}."""
    with Image.open(media, formats=list(SUFFIXES)) as image:
        image.seek(0)
        image.load()
        picture = pixels_only(image)
    outputs: Outputs = {}
    if "quiz_media" in fields:
        target = work_file(".png")
        picture.save(target, "PNG")
        outputs["quiz_media"] = (target, ".png")
    if "quiz_poster" in fields:
        target = work_file(".jpg")
        save_poster(picture, target)
        outputs["quiz_poster"] = (target, ".jpg")
    if "feed_media" in fields:
        target = work_file(".jpg")
        feed = picture.copy()
        feed.thumbnail((FEED_LONG_SIDE, FEED_LONG_SIDE), Image.Resampling.LANCZOS)
        feed.save(target, "JPEG", quality=FEED_JPEG_QUALITY)
        outputs["feed_media"] = (target, ".jpg")
    return outputs


def pixels_only(image: Image.Image) -> Image.Image:
    """A new RGB image holding nothing but the pixels.

    Pillow re-writes what `image.info` holds (a JPEG comment, a PNG's ICC profile) when the
    image is saved again, so the mark would survive a plain re-save; a new image has no info.
    Transparency is flattened over white, so every quiz image has the same mode.
    """
    rgb = flatten(image)
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    return clean


# Filling in clips processed before renditions existed.


def prepare_quiz_media(clip: Clip) -> list[str]:
    """Make the renditions a READY clip lacks from its stored media_file; see
    Clip.prepare_quiz_media."""
    missing = tuple(clip.missing_quiz_fields)
    if clip.processing_status != ProcessingStatus.READY or not clip.media_file or not missing:
        return []
    storage = clip.media_file.storage
    work_files: list[Path] = []

    def work_file(suffix: str) -> Path:
        path = new_work_path(suffix)
        work_files.append(path)
        return path

    try:
        suffix = Path(clip.media_file.name).suffix
        try:
            with local_path(storage, clip.media_file.name, suffix) as media:
                if clip.kind == MediaKind.VIDEO:
                    outputs = make_video_renditions(
                        media, probe_video(media, "mov"), work_file, missing
                    )
                else:
                    outputs = make_image_renditions(media, work_file, missing)
        except OSError as error:
            # A file gone from storage, or an image Pillow cannot read any more.
            raise MediaRejected(_("The processed file is missing or cannot be read.")) from error
        made = []
        for field in missing:
            path, suffix = outputs[field]
            name = getattr(clip, field).field.generate_filename(clip, f"x{suffix}")
            stored = save_work_file(storage, name, path)
            try:
                with transaction.atomic():
                    # Only a run that finds the field still empty, on the same processed file,
                    # keeps what it made: a concurrent run or a re-processing wins otherwise.
                    won = clip.fill_quiz_field(field, stored)
            except BaseException:
                storage.delete(stored)
                raise
            if won:
                made.append(field)
            else:
                storage.delete(stored)
        return made
    finally:
        discard(*work_files)
