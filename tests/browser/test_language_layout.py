"""The language switcher and Chinese typography in a real browser: the switcher fits the site's
and a campaign's header on a 360 px phone in every language, shows keyboard focus, and Chinese
text gets its own leading, line breaking and upright emphasis from the stylesheet (no font is
downloaded: the browser records every request)."""

from __future__ import annotations

import pytest

from media_library.roles import Role
from tests.browser.layout import DESKTOP, PHONE
from tests.factories import make_campaign, make_item, make_quiz, make_user, quizzable_clip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def assert_switcher_fits(page, header: str, width: int) -> None:
    assert page.evaluate(SIDEWAYS) == 0
    switcher, frame = box(page, f"{header} .language-switcher"), box(page, header)
    assert switcher["x"] >= 0
    assert switcher["x"] + switcher["width"] <= width
    assert frame["y"] <= switcher["y"]
    assert switcher["y"] + switcher["height"] <= frame["y"] + frame["height"]
    # One row: the choice and its button side by side, each big enough for a finger.
    choice = box(page, f"{header} .language-switcher select")
    button = box(page, f"{header} .language-switcher button")
    assert choice["height"] >= 44
    assert button["height"] >= 44
    assert abs(button["y"] - choice["y"]) <= 2


@pytest.mark.parametrize("prefix", ["", "/es", "/zh-hans"])
def test_the_switcher_fits_the_site_header_on_a_phone_and_a_desktop(page, prefix) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.goto(f"{prefix}/")
        assert_switcher_fits(page, ".site-header", size["width"])
    # Keyboard focus on the choice is visible.
    page.locator(".site-header .language-switcher select").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] == "SELECT"
    assert outline[1] != "none"
    assert outline[2] >= 2
    origin = page.url.split("/")[2]
    assert all(url.split("/")[2] == origin for url in requests), requests


def test_the_switcher_fits_a_campaign_header_on_a_phone(page) -> None:
    quiz = make_quiz([make_item(quizzable_clip("A clip"))])
    texts = {
        "en": ("Vote smart: spot the fake", "Three minutes.", ""),
        "es": ("Vota con cabeza: detecta lo falso", "Tres minutos.", ""),
        "zh-hans": ("投票之前辨别真假", "只需三分钟。", ""),
    }
    make_campaign(quiz, make_user("organizer", Role.ORGANIZER), texts=texts)
    page.set_viewport_size(PHONE)
    for prefix in ("", "/es", "/zh-hans"):
        page.goto(f"{prefix}/c/vote-smart/")
        assert_switcher_fits(page, ".campaign-header", PHONE["width"])
    # On the light header the focus ring is the ink colour, not the site's pale yellow.
    page.locator(".campaign-header .language-switcher select").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    colour = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert colour == "rgb(29, 35, 48)"


def test_chinese_text_gets_its_leading_line_breaking_and_upright_emphasis(page) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/zh-hans/")
    # A Chinese paragraph with emphasis, and an English one inside the Chinese page.
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
        '<p id="zh">这是<em>重点</em>。</p><p id="en" lang="en">This is <em>key</em>.</p>')"""
    )
    styles = page.evaluate(
        """() => {
          const html = getComputedStyle(document.documentElement);
          const zh = getComputedStyle(document.querySelector("#zh em"));
          const en = getComputedStyle(document.querySelector("#en em"));
          return {
            leading: parseFloat(html.lineHeight) / parseFloat(html.fontSize),
            lineBreak: html.lineBreak, wordBreak: html.wordBreak, wrap: html.overflowWrap,
            family: html.fontFamily, spacing: html.letterSpacing,
            zhStyle: zh.fontStyle, zhMark: zh.textEmphasisStyle, enStyle: en.fontStyle,
          };
        }"""
    )
    assert styles["leading"] >= 1.6
    assert (styles["lineBreak"], styles["wordBreak"], styles["wrap"]) == (
        "strict",
        "normal",
        "anywhere",
    )
    assert "PingFang SC" in styles["family"]
    assert "Noto Sans CJK SC" in styles["family"]
    assert styles["spacing"] in ("normal", "0px")
    assert styles["zhStyle"] == "normal"
    assert "dot" in styles["zhMark"]
    # English keeps its italics, even inside a Chinese page.
    assert styles["enStyle"] == "italic"
