"""Lesson Markdown to safe HTML, and glossary links on a term's first use.

Lesson text is written by staff in the site as well as in the repository, so it is untrusted:
Markdown is rendered first (raw HTML passes through it), then nh3 keeps only the tags, attributes
and URL schemes below. No <img>: a picture from another site would be a third-party request from
a page minors read, which the product promises never to make.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import markdown
import nh3
from django.utils.html import escape

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "em", "strong", "code", "pre", "blockquote", "a", "abbr", "sup", "sub",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

# Text inside these is never given a glossary link: a link inside a link is invalid HTML, a
# link in a heading reads as navigation, and code is quoted verbatim.
NO_LINK_TAGS = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre"}
TAG = re.compile(r"(<[^>]+>)")
TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML (a str; callers mark it safe)."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return sanitise(html)


@dataclass(frozen=True)
class TermLink:
    slug: str
    url: str
    spellings: tuple[str, ...]


# Han, kana, Hangul and their punctuation-free neighbours: scripts written without spaces, so
# a term in them has no word boundary to look for ("的深度伪造很少" holds 深度伪造).
CJK = "\u2e80-\u2fff\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
IS_CJK = re.compile(f"[{CJK}]")
# A Latin spelling must not sit inside a longer Latin word ("degan" is not "GAN"), but may
# touch CJK characters ("的deepfake视频"): the boundary is a word character of a spaced script.
BEFORE = rf"(?<!-)(?<![^\W{CJK}])"
AFTER = rf"(?![^\W{CJK}]|-)"
# Plurals: English and Spanish add "s" or "es" to a word ("deepfakes", "clones de voz",
# "marcas de agua"); Chinese has none.
PLURAL = "(?:e?s)?"


def spelling_pattern(spelling: str) -> str:
    """A regex for one spelling of a term in nh3's output (text escaped as there)."""
    words = unicodedata.normalize("NFC", spelling).split()
    out = []
    for index, word in enumerate(words):
        if index:
            # Chinese text may or may not space a Latin word off ("AI 换脸", "AI换脸").
            joint = IS_CJK.match(words[index - 1][-1]) or IS_CJK.match(word[0])
            out.append(r"\s*" if joint else r"\s+")
        out.append(re.escape(html_lib.escape(word, quote=False)))
        if not IS_CJK.match(word[-1]):
            out.append(PLURAL)
    return "".join(out)


def link_terms(html: str, terms: Iterable[TermLink]) -> str:
    """Link each glossary term's first use in running text (not in links, headings or code).

    `html` must already be sanitised: it is split on tags, which holds for nh3's output (it
    escapes only &, < and > in text, as the spellings are escaped here). A term matches
    case-insensitively, a Latin spelling as a whole word with a plural allowed ("deepfakes"),
    a Chinese one wherever it stands. Text and spellings are compared in Unicode's composed
    form, so an accent typed as two code points still matches ("edición").
    """
    patterns = []
    for term in terms:
        spellings = sorted((s for s in term.spellings if s.strip()), key=len, reverse=True)
        if not spellings:
            continue
        alternatives = "|".join(spelling_pattern(s) for s in spellings)
        pattern = re.compile(rf"{BEFORE}(?:{alternatives}){AFTER}", re.IGNORECASE)
        patterns.append((term, pattern))
    linked: set[str] = set()
    depth = 0  # how many NO_LINK_TAGS we are inside
    parts = TAG.split(html)
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            match = TAG_NAME.match(part)
            if match and match.group(2).lower() in NO_LINK_TAGS:
                depth += -1 if match.group(1) else 1
            continue
        if depth > 0 or not part.strip():
            continue
        parts[index] = _link_text(unicodedata.normalize("NFC", part), patterns, linked)
    return "".join(parts)


def _link_text(text: str, patterns: list, linked: set[str]) -> str:
    # Earliest match first, so two terms in one sentence are linked in reading order and a
    # link is never placed inside another; of two starting at one place, the longer (in
    # Chinese "深度合成技术" holds no shorter term's link).
    out, position = [], 0
    while True:
        best = None
        for term, pattern in patterns:
            if term.slug in linked:
                continue
            match = pattern.search(text, position)
            if match and (best is None or _before(match, best[1])):
                best = (term, match)
        if best is None:
            break
        term, match = best
        linked.add(term.slug)
        out.append(text[position : match.start()])
        out.append(f'<a class="glossary-link" href="{escape(term.url)}">{match.group(0)}</a>')
        position = match.end()
    out.append(text[position:])
    return "".join(out)


def _before(match: re.Match, other: re.Match) -> bool:
    return (match.start(), -len(match.group(0))) < (other.start(), -len(other.group(0)))
