"""A TV-news lower third drawn with Pillow, for the false-caption recipe.

It is drawn to a transparent PNG the size of the frame and laid over the video with ffmpeg's
`overlay`, rather than with `drawtext`: the caption is a curator's free text, and this way it
never becomes part of an ffmpeg filter graph (no escaping rules to get wrong), it is measured in
real pixels to fit the frame, and no system font is required.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# Where the bar sits, as fractions of the frame height; the tell's box covers the same band.
BAR_TOP = 0.74
BAR_BOTTOM = 0.9
TELL_BOX = (0.0, 0.7, 1.0, 0.24)

# Debian's fonts-dejavu-core, when installed; otherwise the font built into Pillow.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
)
KICKER_RED = (200, 16, 30, 255)
BAR_BLUE = (12, 22, 48, 225)
WHITE = (255, 255, 255, 255)


@cache
def _font_path() -> str | None:
    return next((path for path in FONT_CANDIDATES if Path(path).is_file()), None)


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_path()
    if path is not None:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int):
    """The largest font (down to half `size`) that fits `text` in `width`, and the text, cut
    with an ellipsis when even that is too wide."""
    for candidate in range(size, max(6, size // 2) - 1, -1):
        face = font(candidate)
        if draw.textlength(text, font=face) <= width:
            return face, text
    face = font(max(6, size // 2))
    while text and draw.textlength(text + "…", font=face) > width:
        text = text[:-1]
    return face, text.rstrip() + "…"


def _lines(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> list:
    """(font, line) pairs: one line if the caption fits at a readable size, else two balanced
    lines in one size."""
    smaller = round(size * 0.72)
    for candidate in range(size, smaller - 1, -1):
        if draw.textlength(text, font=font(candidate)) <= width:
            return [(font(candidate), text)]
    words = text.split()
    if len(words) < 2:
        return [_fit(draw, text, smaller, width)]
    cut = min(
        range(1, len(words)),
        key=lambda n: abs(len(" ".join(words[:n])) - len(" ".join(words[n:]))),
    )
    parts = [" ".join(words[:cut]), " ".join(words[cut:])]
    smallest = max(6, size // 3)
    for candidate in range(smaller, smallest - 1, -1):
        face = font(candidate)
        if all(draw.textlength(part, font=face) <= width for part in parts):
            return [(face, part) for part in parts]
    return [_fit(draw, part, smallest, width) for part in parts]


def render_lower_third(caption: str, kicker: str, width: int, height: int, target: Path) -> None:
    """Write a transparent width x height PNG with the lower third drawn near the bottom."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    top, bottom = round(height * BAR_TOP), round(height * BAR_BOTTOM)
    bar_h = max(8, bottom - top)
    margin = max(4, round(width * 0.03))
    pad = max(2, round(bar_h * 0.18))
    text_size = max(6, round(bar_h * 0.5))
    left = margin
    if kicker:
        kicker_face, kicker = _fit(draw, kicker, round(text_size * 0.7), width // 4)
        kicker_w = round(draw.textlength(kicker, font=kicker_face)) + 2 * pad
        draw.rectangle((left, top, left + kicker_w, bottom), fill=KICKER_RED)
        draw.text(
            (left + pad, (top + bottom) / 2), kicker, font=kicker_face, fill=WHITE, anchor="lm"
        )
        left += kicker_w
    draw.rectangle((left, top, width - margin, bottom), fill=BAR_BLUE)
    room = width - margin - left - 2 * pad
    lines = _lines(draw, caption, text_size, room)
    for i, (face, line) in enumerate(lines):
        y = top + bar_h * (i + 1) / (len(lines) + 1)
        draw.text((left + pad, y), line, font=face, fill=WHITE, anchor="lm")
    image.save(target, "PNG")
