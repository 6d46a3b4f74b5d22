"""Still images: checked by their header before any pixel is decoded, then re-encoded clean.

Re-encoding (rather than serving the upload) drops EXIF (GPS, camera serials), ICC tricks and
anything appended after the image data; orientation is applied to the pixels first.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from media_library.processing import MediaRejected

MAX_LONG_SIDE = 2048
POSTER_LONG_SIDE = 1280
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def suffix(self) -> str:
        return SUFFIXES[self.format]


@contextmanager
def guarded_open(path: Path | IO[bytes], expected_format: str):
    """Open an image lazily (header only) with the pixel cap enforced as an error."""
    Image.MAX_IMAGE_PIXELS = settings.MEDIA_MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path, formats=[expected_format]) as image:
                check_size(*image.size)
                yield image
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise MediaRejected(
                _("The image is too large: %(max)s.") % {"max": _too_big_message()}
            ) from error
        except UnidentifiedImageError as error:
            raise MediaRejected(_("The image could not be read.")) from error
        except (OSError, SyntaxError, ValueError) as error:
            raise MediaRejected(
                _("The image is damaged or incomplete and could not be decoded.")
            ) from error


def check_header(file: IO[bytes], fmt: str) -> None:
    """Refuse an image by the size its header declares; no pixel is decoded."""
    file.seek(0)
    try:
        with guarded_open(file, fmt):
            pass
    finally:
        file.seek(0)


def check_size(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise MediaRejected(_("The image has no size."))
    if width * height > settings.MEDIA_MAX_IMAGE_PIXELS:
        raise MediaRejected(
            _("The image is %(w)d x %(h)d pixels; %(max)s.")
            % {"w": width, "h": height, "max": _too_big_message()}
        )


def _too_big_message() -> str:
    return _("at most %(mp)s megapixels are accepted") % {
        "mp": f"{settings.MEDIA_MAX_IMAGE_PIXELS / 1_000_000:g}"
    }


def process_image(
    source: Path, fmt: str, target: Path, poster: Path, *, mark: str | None = None
) -> ImageInfo:
    """Write a clean re-encoded copy to `target` and a JPEG poster; return the output's size.

    `mark` (processing.marks.mark_for) is the only metadata written: generated images say
    what they are, uploads say nothing.
    """
    with guarded_open(source, fmt) as image:
        image.seek(0)  # animated WebP/PNG: the first frame is the picture
        image.load()
        upright = ImageOps.exif_transpose(image)
    clean = _without_metadata(upright, fmt)
    clean.thumbnail((MAX_LONG_SIDE, MAX_LONG_SIDE), Image.Resampling.LANCZOS)
    save_options = {
        "JPEG": {"quality": 88, "optimize": True},
        "PNG": {"optimize": True},
        "WEBP": {"quality": 85},
    }[fmt]
    if mark:
        save_options.update(mark_options(fmt, mark))
    clean.save(target, fmt, **save_options)
    save_poster(clean, poster)
    return ImageInfo(fmt, clean.width, clean.height)


def mark_options(fmt: str, mark: str) -> dict:
    """Pillow save options that write `mark` where each format keeps a description: EXIF
    ImageDescription for all three, plus a JPEG COM segment or PNG iTXt chunks."""
    exif = Image.Exif()
    exif[ExifTags.Base.ImageDescription] = mark
    options: dict = {"exif": exif.tobytes()}
    if fmt == "JPEG":
        options["comment"] = mark.encode()
    elif fmt == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_itxt("Description", mark)
        text.add_itxt("Comment", mark)
        options["pnginfo"] = text
    return options


def _without_metadata(image: Image.Image, fmt: str) -> Image.Image:
    """A pixel-only copy: no EXIF, XMP, ICC or text chunks can ride along."""
    modes = {"JPEG": {"RGB", "L"}, "PNG": {"RGB", "RGBA", "L", "LA", "P"}, "WEBP": {"RGB", "RGBA"}}
    if image.mode not in modes[fmt]:
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha and fmt != "JPEG" else "RGB")
    clean = Image.new(image.mode, image.size)
    if image.mode == "P":
        clean.putpalette(image.getpalette() or [])
    clean.paste(image)
    return clean


def flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency over white."""
    if image.mode == "RGB":
        return image
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def save_poster(image: Image.Image, target: Path) -> None:
    poster = flatten(image).copy()  # thumbnail() works in place; the caller keeps `image`
    poster.thumbnail((POSTER_LONG_SIDE, POSTER_LONG_SIDE), Image.Resampling.LANCZOS)
    poster.save(target, "JPEG", quality=85)
