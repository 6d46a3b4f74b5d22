"""Frames out of a processed video with PyAV: the poster, the thumbnail strip, a tell's still."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import av
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from media_library.choices import MediaKind, ProcessingStatus
from media_library.processing import MediaRejected
from media_library.processing.images import flatten, save_poster
from media_library.processing.workdir import discard, local_path, new_work_path, save_work_file

if TYPE_CHECKING:
    from media_library.models import Tell

STRIP_FRAME_WIDTH = 160
STRIP_FRAMES = 10


def frame_at(path: Path, seconds: float) -> Image.Image | None:
    """The first frame shown at or after `seconds` (the last frame if past the end)."""
    with av.open(str(path), format="mov", options={"protocol_whitelist": "file"}) as container:
        stream = container.streams.video[0]
        target = max(0.0, seconds)
        if target > 0 and stream.time_base:
            container.seek(int(target / stream.time_base), stream=stream, backward=True)
        last = None
        for frame in container.decode(stream):
            last = frame
            if frame.time is not None and frame.time + 1e-3 >= target:
                break
        return last.to_image() if last is not None else None


def poster_seconds(duration: float | None) -> float:
    """Where in a video its poster frame is taken: a second in (or a tenth of a short clip),
    which avoids the black first frame many clips open on."""
    return min(1.0, (duration or 0.0) / 10)


def make_poster(video: Path, duration: float, target: Path) -> None:
    image = frame_at(video, poster_seconds(duration))
    if image is None:
        raise MediaRejected(_("No picture could be decoded from the video."))
    save_poster(image, target)


def make_strip(video: Path, duration: float, target: Path, count: int = STRIP_FRAMES) -> int:
    """One JPEG sprite of `count` evenly spaced frames side by side; returns the frame count.

    Only keyframes are decoded (the transcode puts one every KEYFRAME_SECONDS), so the cost
    grows with the number of keyframes rather than of frames; each tile is the keyframe
    nearest its time.
    """
    times = [duration * (i + 0.5) / count for i in range(count)]
    # (distance in seconds, tile) of the nearest keyframe so far, per slot: only `count`
    # small tiles are ever held, however long the clip.
    best: list[tuple[float, Image.Image] | None] = [None] * count
    with av.open(str(video), format="mov", options={"protocol_whitelist": "file"}) as container:
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        for frame in container.decode(stream):
            if frame.time is None:
                continue
            tile = None
            for i, t in enumerate(times):
                distance = abs(frame.time - t)
                if best[i] is None or distance < best[i][0]:
                    tile = tile or _tile(frame.to_image())
                    best[i] = (distance, tile)
    if best[0] is None:
        raise MediaRejected(_("No picture could be decoded from the video."))
    tiles = [tile for _distance, tile in best]
    tile_h = tiles[0].height
    sprite = Image.new("RGB", (STRIP_FRAME_WIDTH * len(tiles), tile_h))
    for i, tile in enumerate(tiles):
        sprite.paste(tile, (i * STRIP_FRAME_WIDTH, 0))
    sprite.save(target, "JPEG", quality=80)
    return len(tiles)


def _tile(image: Image.Image) -> Image.Image:
    height = max(2, round(image.height * STRIP_FRAME_WIDTH / image.width))
    return image.resize((STRIP_FRAME_WIDTH, height), Image.Resampling.BILINEAR)


def draw_box(image: Image.Image, box: tuple[float, float, float, float] | None) -> Image.Image:
    """The frame with the tell's normalised (x, y, w, h) box outlined; RGB for JPEG."""
    image = flatten(image).copy()
    if box is not None:
        x, y, w, h = box
        left, top = x * image.width, y * image.height
        right = min(image.width - 1, (x + w) * image.width)
        bottom = min(image.height - 1, (y + h) * image.height)
        line = max(2, round(min(image.size) / 120))
        draw = ImageDraw.Draw(image)
        # Two outlines (dark under bright) stay visible on light and dark footage alike.
        draw.rectangle((left, top, right, bottom), outline=(0, 0, 0), width=line + 2)
        draw.rectangle((left, top, right, bottom), outline=(255, 214, 0), width=line)
    return image


def render_tell_still(tell: Tell) -> bool:
    """Store `tell.still`: its clip's frame at the tell's start with the box drawn on it."""
    clip = tell.clip
    if clip.processing_status != ProcessingStatus.READY or not clip.media_file:
        return False
    storage = clip.media_file.storage
    with local_path(storage, clip.media_file.name) as media:
        if clip.kind == MediaKind.IMAGE:
            with Image.open(media) as image:
                image.load()
                frame = image.copy()
        else:
            frame = frame_at(media, tell.start_seconds)
    if frame is None:
        return False
    work = new_work_path(".jpg")
    try:
        draw_box(frame, tell.box).save(work, "JPEG", quality=88)
        old = tell.still.name
        name = tell.still.field.generate_filename(tell, "still.jpg")
        tell.still.name = save_work_file(tell.still.storage, name, work)
        tell.save(update_fields=["still", "updated_at"])
        if old:
            tell.still.storage.delete(old)
    finally:
        discard(work)
    return True
