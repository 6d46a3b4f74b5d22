"""Shallowfake stills: a false caption set under a real photo, and a crop that drops the context."""

from __future__ import annotations

import textwrap

import numpy as np
from PIL import Image, ImageDraw, ImageFont

CAPTION_BACKGROUND = (16, 16, 16)
CAPTION_TEXT = (255, 255, 255)

PixelBox = tuple[int, int, int, int]  # x, y, w, h


def caption_font(height: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    # Pillow's built-in font: the same glyphs on every machine, nothing to install.
    return ImageFont.load_default(size=max(12, height))


def caption_band(width: int, text: str) -> tuple[Image.Image, int]:
    """A dark band, as a news site or a social post sets a caption, holding `text` wrapped to
    `width`; returns the band and its height."""
    size = max(14, width // 32)
    font = caption_font(size)
    chars = max(16, int(width / (size * 0.55)))
    lines = textwrap.wrap(text, chars)
    padding = size // 2
    height = padding * 2 + len(lines) * int(size * 1.3)
    band = Image.new("RGB", (width, height), CAPTION_BACKGROUND)
    draw = ImageDraw.Draw(band)
    for row, line in enumerate(lines):
        draw.text((padding, padding + row * int(size * 1.3)), line, font=font, fill=CAPTION_TEXT)
    return band, height


def with_caption_below(photo: np.ndarray, text: str) -> tuple[np.ndarray, PixelBox]:
    """The untouched photo with a caption band added under it; returns the picture and the
    caption's box (x, y, w, h in pixels)."""
    image = Image.fromarray(photo)
    band, height = caption_band(image.width, text)
    canvas = Image.new("RGB", (image.width, image.height + height), CAPTION_BACKGROUND)
    canvas.paste(image, (0, 0))
    canvas.paste(band, (0, image.height))
    return np.asarray(canvas), (0, image.height, image.width, height)


def burn_caption(frame: np.ndarray, text: str) -> tuple[np.ndarray, PixelBox]:
    """A lower-third caption drawn over the bottom of a frame, as TV news and video posts do."""
    image = Image.fromarray(frame)
    band, height = caption_band(image.width, text)
    top = image.height - height
    image.paste(band, (0, top))
    return np.asarray(image), (0, top, image.width, height)


def crop(photo: np.ndarray, box: PixelBox) -> np.ndarray:
    """The pixels inside box (x, y, w, h), untouched."""
    x, y, w, h = box
    return np.ascontiguousarray(photo[y : y + h, x : x + w])
