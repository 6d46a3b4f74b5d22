"""The share card in other scripts: Chinese is drawn from the CJK font with real glyphs and
wraps by character, Spanish keeps its accents in DejaVu, and text no font can draw is left
off the card instead of being drawn as boxes."""

from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path

from django.test import Client, SimpleTestCase
from django.utils import translation
from PIL import Image, ImageChops, ImageDraw

from quiz.share_card import (
    HEIGHT,
    MARGIN,
    WIDTH,
    Face,
    card_lines,
    cjk_font_path,
    render_share_card,
)
from quiz.sharing import share_summary
from tests.base import BaseTestCase
from tests.factories import answer_key, make_item, make_quiz, quizzable_clip, start

SITE = "telltale.example.org"
# A code point no font has: every font draws it as its .notdef glyph (the "tofu" box).
NO_GLYPH = "\U0010fffd"


def glyph(face: Face, char: str) -> Image.Image:
    image = Image.new("L", (200, 200))
    ImageDraw.Draw(image).text((20, 150), char, font=face.font, fill=255, anchor="ls")
    return image


def draws_a_real_glyph(face: Face, char: str) -> bool:
    return ImageChops.difference(glyph(face, char), glyph(face, NO_GLYPH)).getbbox() is not None


class InEnglish(SimpleTestCase):
    """English unless a test says otherwise: a request to /zh-hans/ elsewhere in the run leaves
    Chinese active in this thread, and the card's footer is translated."""

    def setUp(self):
        super().setUp()
        self.enterContext(translation.override("en"))


def lines_of(**card) -> list:
    return card_lines(**{"correct": 7, "total": 10, "site": SITE, **card})


def fonts_of(line) -> set[str]:
    return {Path(run.face.font.path).name for run in line.runs}


class ChineseCardTests(InEnglish):
    headline = "10 道题，我答对了 7 道。你能做到吗？"

    def setUp(self):
        super().setUp()
        self.assertIsNotNone(cjk_font_path(), "the mplfonts wheel (requirements.txt) is needed")

    def test_it_draws_a_chinese_headline_with_real_glyphs(self):
        lines = lines_of(quiz_title="深度伪造入门", headline=self.headline)
        headline = next(line for line in lines if line.text == self.headline)
        han = [c for c in self.headline if unicodedata.name(c).startswith("CJK")]
        self.assertGreater(len(han), 10)
        for run in headline.runs:
            for char in run.text.strip():
                with self.subTest(char=char):
                    self.assertIn(ord(char), run.face.covers)
                    self.assertTrue(draws_a_real_glyph(run.face, char))
        # The Han characters come from Noto Sans CJK, the figures stay in DejaVu.
        self.assertEqual(fonts_of(headline), {"DejaVuSans.ttf", "NotoSansCJKsc-Regular.otf"})
        digits = [run for run in headline.runs if run.text.strip().isdigit()]
        self.assertTrue(digits)
        self.assertTrue(all(Path(run.face.font.path).name == "DejaVuSans.ttf" for run in digits))

    def test_two_different_chinese_headlines_give_different_cards(self):
        # Boxes would make any two headlines of the same length look (and encode) the same.
        first = render_share_card(quiz_title="测验", correct=1, total=2, headline="真假", site=SITE)
        second = render_share_card(
            quiz_title="测验", correct=1, total=2, headline="难辨", site=SITE
        )
        self.assertNotEqual(first, second)

    def test_a_long_chinese_title_wraps_by_character_inside_the_card(self):
        title = "深度伪造与浅层伪造的识别方法以及照片视频声音中的常见破绽" * 6
        lines = lines_of(quiz_title=title, headline=self.headline)
        titles = [line for line in lines if line.size == 42]
        self.assertEqual(len(titles), 2)
        self.assertTrue(title.startswith(titles[0].text))
        self.assertTrue(titles[1].text.endswith("\u2026"))
        draw = ImageDraw.Draw(Image.new("RGB", (WIDTH, HEIGHT)))
        # The first line is filled to within a character of the margin: broken by character,
        # not left short for want of a space.
        left, _top, right, _bottom = titles[0].bbox(draw)
        self.assertGreater(right, WIDTH - MARGIN - 42)
        boxes = [line.bbox(draw) for line in lines]
        for line, (left, top, right, bottom) in zip(lines, boxes, strict=True):
            with self.subTest(text=line.text):
                self.assertGreaterEqual(left, MARGIN - 2)
                self.assertLessEqual(right, WIDTH - MARGIN + 2)
                self.assertGreaterEqual(top, 0)
                self.assertLessEqual(bottom, HEIGHT)
        for upper, lower in itertools.pairwise(boxes):
            self.assertLessEqual(upper[3], lower[1])

    def test_a_line_never_starts_with_a_closing_mark(self):
        # Find where a line of 测 breaks, then put a comma exactly there.
        lines = lines_of(quiz_title="测" * 80, headline="")
        per_line = len(next(line for line in lines if line.size == 42).text)
        title = "测" * per_line + "，" + "试" * 20
        second = [line for line in lines_of(quiz_title=title, headline="") if line.size == 42][1]
        self.assertFalse(second.text.startswith("，"))
        self.assertTrue(second.text.startswith("测，"))

    def test_mixed_chinese_and_latin_keeps_latin_in_dejavu(self):
        (title,) = [line for line in lines_of(quiz_title="AI 换脸测验", headline="") if line.bold][
            2:
        ]
        self.assertEqual([run.text for run in title.runs], ["AI ", "换脸测验"])
        self.assertEqual(
            [Path(run.face.font.path).name for run in title.runs],
            ["DejaVuSans-Bold.ttf", "NotoSansCJKsc-Regular.otf"],
        )
        # No bold weight ships for CJK: the regular weight is drawn with a stroke.
        self.assertGreater(title.runs[1].face.stroke, 0)


class SpanishCardTests(InEnglish):
    def test_it_draws_spanish_accents_from_dejavu(self):
        with translation.override("es"):
            lines = lines_of(quiz_title="¿Señales básicas?", headline="Atrapé 4 de 5. ¿Y tú?")
        texts = [line.text for line in lines]
        self.assertIn("¿Señales básicas?", texts)
        self.assertIn("Atrapé 4 de 5. ¿Y tú?", texts)
        self.assertIn(f"¿Sabes distinguirlos? Juega en {SITE}", texts)
        for line in lines:
            self.assertEqual(fonts_of(line) & {"NotoSansCJKsc-Regular.otf"}, set())
            for run in line.runs:
                for char in set(run.text) & set("¿ñáéú"):
                    with self.subTest(char=char):
                        self.assertTrue(draws_a_real_glyph(run.face, char))


class FallbackTests(InEnglish):
    def test_a_title_in_a_script_no_font_has_is_left_off(self):
        # Devanagari is in neither DejaVu Sans nor Noto Sans CJK.
        lines = lines_of(quiz_title="हिन्दी प्रश्नोत्तरी", headline="नमस्ते")
        self.assertEqual(
            [line.text for line in lines],
            ["Telltale", "7 / 10", f"Can you tell? Play at {SITE}"],
        )
        png = render_share_card(quiz_title="हिन्दी", correct=7, total=10, headline="नमस्ते", site=SITE)
        self.assertEqual(
            png, render_share_card(quiz_title="", correct=7, total=10, headline="", site=SITE)
        )

    def test_a_symbol_no_font_has_is_dropped_and_the_sentence_kept(self):
        lines = lines_of(quiz_title="Fakes 🎉 everywhere", headline="I got 7 right 🎉. Can you?")
        texts = [line.text for line in lines]
        self.assertIn("Fakes everywhere", texts)
        self.assertIn("I got 7 right. Can you?", texts)

    def test_every_character_on_a_card_has_a_glyph(self):
        for title in ("混合 mixed ελληνικά русский", "हिन्दी and English", "שלום עולם"):
            for line in lines_of(quiz_title=title, headline=title):
                for run in line.runs:
                    for char in run.text.replace(" ", ""):
                        with self.subTest(title=title, char=char):
                            self.assertTrue(draws_a_real_glyph(run.face, char))


class ChineseShareCardPageTests(BaseTestCase):
    def test_the_card_at_the_chinese_address_is_in_chinese(self):
        items = [make_item(quizzable_clip(f"Clip {n}")) for n in range(2)]
        quiz = make_quiz(items, title="Spot the fake", title_zh_hans="找出伪造")
        # The middleware activates Chinese in this thread and nothing resets it after the
        # response; later tests in the run expect the default again.
        self.addCleanup(translation.deactivate)
        visitor = Client()
        attempt = start(visitor, quiz)
        for position in (1, 2):
            visitor.post(
                f"/attempts/{attempt.uid}/items/{position}/answer/",
                {
                    "key": answer_key(visitor, attempt, position),
                    "verdict": "real",
                    "confidence": 80,
                },
            )
        with self.settings(ALLOWED_HOSTS=[SITE]):
            card = visitor.get(f"/zh-hans/shared/{attempt.uid}/card.png", headers={"host": SITE})
        self.assertEqual(card["Content-Type"], "image/png")
        attempt.refresh_from_db()
        with translation.override("zh-hans"):
            summary = share_summary(attempt)
            expected = {
                "quiz_title": "找出伪造",
                "correct": summary["correct"],
                "total": summary["total"],
                "headline": summary["headline"],
                "site": SITE,
            }
            self.assertIn("你能做到吗", summary["headline"])
            self.assertEqual(card.content, render_share_card(**expected))
            fonts = set().union(*(fonts_of(line) for line in card_lines(**expected)))
        self.assertIn("NotoSansCJKsc-Regular.otf", fonts)
