"""The 1200x630 PNG a shared result shows on social sites (the Open Graph image).

It carries the quiz title, the score and a headline, never anything about the person: no name,
no date. The same input always gives the same bytes, so the card can be cached anywhere.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
INK = "#1d2330"
PAPER = "#f7f6f2"
ACCENT = "#2f5bd3"
SOFT = "#4a5468"
ELLIPSIS = "\u2026"

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(size: int, *, bold: bool = False) -> Font:
    # matplotlib ships DejaVu, which covers most scripts a quiz title may use; the site itself
    # loads no web fonts, so the card must not depend on one either.
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:
        return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class CardLine:
    text: str
    xy: tuple[int, int]
    font: Font
    fill: str


def wrap(text: str, font: Font, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap into at most max_lines lines no wider than width; a word too long for
    a line is split, and text that does not fit ends in an ellipsis."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if len(lines) > max_lines:
            break  # the rest would be cut off anyway
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while font.getlength(word) > width:
            cut = len(word) - 1
            while cut > 1 and font.getlength(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        return _ellipsize(lines[:max_lines], font, width)
    return lines


def _ellipsize(lines: list[str], font: Font, width: int) -> list[str]:
    last = lines[-1]
    while last and font.getlength(last.rstrip() + ELLIPSIS) > width:
        last = last[:-1]
    return [*lines[:-1], last.rstrip(" .,;:") + ELLIPSIS]


def card_lines(
    *, quiz_title: str, correct: int, total: int, headline: str, site: str
) -> list[CardLine]:
    """Where every piece of text goes, top to bottom."""
    text_width = WIDTH - 2 * MARGIN
    brand, score_font = _font(44, bold=True), _font(140, bold=True)
    title_font, headline_font, footer_font = _font(42, bold=True), _font(36), _font(30)

    lines = [CardLine("Telltale", (MARGIN, 56), brand, ACCENT)]
    lines.append(CardLine(f"{correct} / {total}", (MARGIN, 112), score_font, INK))
    y = 296
    for text in wrap(quiz_title, title_font, text_width, max_lines=2):
        lines.append(CardLine(text, (MARGIN, y), title_font, INK))
        y += 54
    y += 12
    for text in wrap(headline, headline_font, text_width, max_lines=2):
        lines.append(CardLine(text, (MARGIN, y), headline_font, SOFT))
        y += 46
    # The real address: a card seen on a social site is no use if it cannot say where to go.
    footer_text = _("Can you tell? Play at %(site)s") % {"site": site}
    footer = wrap(footer_text, footer_font, text_width, max_lines=1)
    lines.append(CardLine(footer[0], (MARGIN, HEIGHT - 72), footer_font, ACCENT))
    return lines


def render_share_card(
    *, quiz_title: str, correct: int, total: int, headline: str, site: str
) -> bytes:
    """The card as PNG bytes: brand, "7 / 10", the quiz title, the headline and where to play
    (`site`, the address people type, e.g. "telltale.example.org")."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, HEIGHT), fill=ACCENT)
    draw.line((MARGIN, HEIGHT - 92, WIDTH - MARGIN, HEIGHT - 92), fill="#d9d6cc", width=2)
    lines = card_lines(
        quiz_title=quiz_title, correct=correct, total=total, headline=headline, site=site
    )
    for line in lines:
        draw.text(line.xy, line.text, font=line.font, fill=line.fill)
    out = io.BytesIO()
    # No metadata and fixed settings: identical input gives identical bytes. Not optimize=True:
    # it cost three quarters of the card's CPU for 5 % fewer bytes, and every campaign finisher
    # has a card of their own made (bench/README.md, bench-campaign).
    image.save(out, format="PNG")
    return out.getvalue()
