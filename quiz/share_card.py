"""The 1200x630 PNG a shared result shows on social sites (the Open Graph image).

It carries the quiz title, the score and a headline, never anything about the person: no name,
no date. The same input always gives the same bytes, so the card can be cached anywhere.

Text is drawn in runs, each in the first font that has its glyphs: DejaVu (shipped by
matplotlib) for Latin, Greek, Cyrillic and the like, then Noto Sans CJK SC (shipped by the
mplfonts wheel) for Chinese. A line with a letter neither font has is left off rather than drawn
as boxes; see docs/languages.md, "Typography".
"""

from __future__ import annotations

import importlib.util
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
INK = "#1d2330"
PAPER = "#f7f6f2"
ACCENT = "#2f5bd3"
SOFT = "#4a5468"
ELLIPSIS = "\u2026"

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

# Only this file of the mplfonts wheel is ever loaded: it is under the SIL Open Font License 1.1
# (its name table says so). The wheel also carries SimHei.ttf, whose licence is unclear.
CJK_PACKAGE, CJK_FILE = "mplfonts", "NotoSansCJKsc-Regular.otf"

# Kinsoku: Chinese punctuation that may not begin a line, and brackets that may not end one.
NO_LINE_START = frozenset("，。、；：！？）」』】〉》〕’”…·・ー%,.;:!?)]}％")
NO_LINE_END = frozenset("（「『【〈《〔‘“([{")
# Marks and symbols (emoji, variation selectors, joiners) no font has are dropped from a line;
# a missing letter or digit drops the line, since the text would no longer say the same thing.
DROPPABLE = frozenset({"So", "Sk", "Cf", "Mn", "Me", "Co", "Cn"})


@dataclass(frozen=True)
class Face:
    """One font at one size, with the code points it has glyphs for."""

    font: Font
    covers: frozenset[int]
    stroke: int = 0  # a faux bold for a family with no bold weight of its own

    def length(self, text: str) -> float:
        return self.font.getlength(text)


@dataclass(frozen=True)
class Run:
    text: str
    face: Face


@cache
def _coverage(path: Path) -> frozenset[int]:
    # lazy=True reads the cmap only, not the 44,000 outlines of a CJK font.
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _dejavu_path(bold: bool) -> Path:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def cjk_font_path() -> Path | None:
    """Noto Sans CJK SC in the installed mplfonts wheel, found without importing the package
    (its __init__ sets matplotlib up, which the card does not want); None if it is absent."""
    spec = importlib.util.find_spec(CJK_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / CJK_FILE
    return path if path.is_file() else None


@cache
def _primary(size: int, bold: bool) -> Face:
    # The site itself loads no web fonts, so the card must not depend on one either.
    path = _dejavu_path(bold)
    try:
        return Face(ImageFont.truetype(str(path), size), _coverage(path))
    except OSError:
        return Face(ImageFont.load_default(size=size), frozenset(range(0x20, 0x7F)))


@cache
def _fallbacks(size: int, bold: bool) -> tuple[Face, ...]:
    # Loaded only when a text needs it, so an all-Latin card never reads the CJK font's cmap.
    path = cjk_font_path()
    if path is None:
        return ()
    # No bold CJK weight ships in a wheel; a one-pixel stroke in the text colour stands in.
    stroke = max(1, size // 40) if bold else 0
    return (Face(ImageFont.truetype(str(path), size), _coverage(path), stroke),)


def _face_for(char: str, size: int, bold: bool) -> Face | None:
    primary = _primary(size, bold)
    if ord(char) in primary.covers:
        return primary
    return next((f for f in _fallbacks(size, bold) if ord(char) in f.covers), None)


def drawable(text: str, size: int, *, bold: bool = False) -> str | None:
    """The text with symbols no font has taken out, or None if a letter is missing."""
    kept = []
    for char in text:
        if char.isspace() or _face_for(char, size, bold) is not None:
            kept.append(char)
        elif unicodedata.category(char) in DROPPABLE:
            # "right 🎉. Can you?" becomes "right. Can you?", not "right . Can you?"
            while kept and kept[-1].isspace():
                kept.pop()
        else:
            return None
    return " ".join("".join(kept).split())


def runs(text: str, size: int, *, bold: bool = False) -> list[Run]:
    """The text cut where the font changes; spaces stay with the run they follow. Every
    character must be covered (see `drawable`)."""
    out: list[Run] = []
    for char in text:
        face = _face_for(char, size, bold)
        if face is None or (char.isspace() and out):
            if not char.isspace():
                raise ValueError(f"no font has {char!r}")
            face = out[-1].face if out else _primary(size, bold)
        if out and out[-1].face is face:
            out[-1] = Run(out[-1].text + char, face)
        else:
            out.append(Run(char, face))
    return out


def _wide(char: str) -> bool:
    # Han, kana, Hangul and full-width punctuation: scripts written without spaces between words.
    return unicodedata.east_asian_width(char) in ("W", "F")


def _break_before(text: str, i: int) -> bool:
    before, after = text[i - 1], text[i]
    if before.isspace():
        return not after.isspace()
    if after.isspace():
        return False
    return (
        (_wide(before) or _wide(after)) and after not in NO_LINE_START and before not in NO_LINE_END
    )


def wrap(text: str, measure: Callable[[str], float], width: int, max_lines: int) -> list[str]:
    """Greedy wrap into at most max_lines lines no wider than width, breaking at spaces and
    between Chinese characters; a word too long for a line is split, and text that does not
    fit ends in an ellipsis."""
    lines: list[str] = []
    rest = text.strip()
    while rest and len(lines) < max_lines:
        if measure(rest) <= width:
            lines.append(rest)
            rest = ""
            break
        cut = 0
        for i in range(1, len(rest)):
            if not _break_before(rest, i):
                continue
            if measure(rest[:i].rstrip()) > width:
                break
            cut = i
        if not cut:  # one unbreakable piece wider than the line: split it anywhere
            cut = 1
            while cut < len(rest) and measure(rest[: cut + 1]) <= width:
                cut += 1
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        return _ellipsize(lines, measure, width)
    return lines


def _ellipsize(lines: list[str], measure: Callable[[str], float], width: int) -> list[str]:
    last = lines[-1]
    while last and measure(last.rstrip() + ELLIPSIS) > width:
        last = last[:-1]
    return [*lines[:-1], last.rstrip(" .,;:，。、；：") + ELLIPSIS]


@dataclass(frozen=True)
class CardLine:
    text: str
    xy: tuple[int, int]  # the top left of the line box
    size: int
    bold: bool
    fill: str

    @property
    def runs(self) -> list[Run]:
        return runs(self.text, self.size, bold=self.bold)

    @property
    def baseline(self) -> int:
        # Every run sits on the Latin font's baseline, so mixed Chinese and Latin line up.
        ascent, _descent = _primary(self.size, self.bold).font.getmetrics()
        return self.xy[1] + ascent

    def draw(self, draw: ImageDraw.ImageDraw) -> None:
        x = self.xy[0]
        for run in self.runs:
            draw.text(
                (x, self.baseline),
                run.text,
                font=run.face.font,
                fill=self.fill,
                anchor="ls",
                stroke_width=run.face.stroke,
                stroke_fill=self.fill,
            )
            x += run.face.length(run.text)

    def bbox(self, draw: ImageDraw.ImageDraw) -> tuple[float, float, float, float]:
        """Where the line's ink can reach, all runs together."""
        x, boxes = self.xy[0], []
        for run in self.runs:
            boxes.append(
                draw.textbbox(
                    (x, self.baseline),
                    run.text,
                    font=run.face.font,
                    anchor="ls",
                    stroke_width=run.face.stroke,
                )
            )
            x += run.face.length(run.text)
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )


def _measure(size: int, bold: bool) -> Callable[[str], float]:
    def measure(text: str) -> float:
        return sum(run.face.length(run.text) for run in runs(text, size, bold=bold))

    return measure


def _block(text: str, size: int, bold: bool, max_lines: int) -> list[str]:
    """The lines a piece of text takes, or none if its script has no font here."""
    text = drawable(text, size, bold=bold) or ""
    return wrap(text, _measure(size, bold), WIDTH - 2 * MARGIN, max_lines) if text else []


def card_lines(
    *, quiz_title: str, correct: int, total: int, headline: str, site: str
) -> list[CardLine]:
    """Where every piece of text goes, top to bottom."""
    lines = [CardLine("Telltale", (MARGIN, 56), 44, True, ACCENT)]
    lines.append(CardLine(f"{correct} / {total}", (MARGIN, 112), 140, True, INK))
    y = 296
    for text in _block(quiz_title, 42, True, max_lines=2):
        lines.append(CardLine(text, (MARGIN, y), 42, True, INK))
        y += 54
    y += 12
    for text in _block(headline, 36, False, max_lines=2):
        lines.append(CardLine(text, (MARGIN, y), 36, False, SOFT))
        y += 46
    # The real address: a card seen on a social site is no use if it cannot say where to go.
    # If the sentence around it cannot be drawn, the address alone still can.
    footer = _block(_("Can you tell? Play at %(site)s") % {"site": site}, 30, False, 1)
    footer = footer or _block(site, 30, False, 1)
    lines.append(CardLine(footer[0], (MARGIN, HEIGHT - 72), 30, False, ACCENT))
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
        line.draw(draw)
    out = io.BytesIO()
    # No metadata and fixed settings: identical input gives identical bytes. Not optimize=True:
    # it cost three quarters of the card's CPU for 5 % fewer bytes, and every campaign finisher
    # has a card of their own made (bench/README.md, bench-campaign).
    image.save(out, format="PNG")
    return out.getvalue()
