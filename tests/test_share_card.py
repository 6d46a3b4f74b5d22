"""The shared result card: a real PNG of the Open Graph size whose text stays on the card."""

from __future__ import annotations

import io

from django.test import SimpleTestCase
from PIL import Image, ImageDraw

from quiz.share_card import HEIGHT, WIDTH, card_lines, render_share_card

CARD = {
    "quiz_title": "Real or fake: the basics",
    "headline": "I caught 4 of 5 fakes. Can you?",
    "site": "telltale.example.org",
}


def text_boxes(**card) -> list[tuple[str, tuple[float, float, float, float]]]:
    draw = ImageDraw.Draw(Image.new("RGB", (WIDTH, HEIGHT)))
    return [(line.text, line.bbox(draw)) for line in card_lines(**card)]


class ShareCardTests(SimpleTestCase):
    def test_it_renders_a_png_of_the_open_graph_size(self):
        png = render_share_card(correct=7, total=10, **CARD)
        self.assertTrue(png.startswith(b"\x89PNG\r\n\x1a\n"))
        with Image.open(io.BytesIO(png)) as image:
            image.verify()
        with Image.open(io.BytesIO(png)) as image:
            self.assertEqual((image.format, image.size), ("PNG", (1200, 630)))

    def test_it_renders_the_same_bytes_for_the_same_input(self):
        self.assertEqual(
            render_share_card(correct=7, total=10, **CARD),
            render_share_card(correct=7, total=10, **CARD),
        )

    def test_it_renders_different_scores_differently(self):
        self.assertNotEqual(
            render_share_card(correct=7, total=10, **CARD),
            render_share_card(correct=8, total=10, **CARD),
        )

    def test_it_shows_the_brand_score_title_headline_and_where_to_play(self):
        texts = [text for text, _box in text_boxes(correct=7, total=10, **CARD)]
        self.assertEqual(
            texts,
            [
                "Telltale",
                "7 / 10",
                "Real or fake: the basics",
                "I caught 4 of 5 fakes. Can you?",
                "Can you tell? Play at telltale.example.org",
            ],
        )

    def test_it_keeps_a_long_title_on_the_card(self):
        title = ("Deepfakes, shallowfakes and everything between " * 7)[:300]
        card = {"quiz_title": title, "headline": "W" * 120, "correct": 10, "total": 10}
        card["site"] = "telltale.example.org"
        render_share_card(**card)
        boxes = text_boxes(**card)
        for text, (left, top, right, bottom) in boxes:
            with self.subTest(text=text):
                self.assertGreaterEqual(left, 0)
                self.assertGreaterEqual(top, 0)
                self.assertLessEqual(right, WIDTH - 40)
                self.assertLessEqual(bottom, HEIGHT)
        # Brand, score, two title lines (the second cut short), two headline lines, footer.
        self.assertEqual(len(boxes), 7)
        self.assertTrue(boxes[2][0].startswith("Deepfakes"))
        self.assertTrue(boxes[3][0].endswith("\u2026"))
        self.assertTrue(boxes[4][0].startswith("W"))
        # Text blocks do not overlap one another.
        tops = [box[1] for _text, box in boxes]
        bottoms = [box[3] for _text, box in boxes]
        for upper_bottom, lower_top in zip(bottoms, tops[1:], strict=False):
            self.assertLessEqual(upper_bottom, lower_top)

    def test_it_splits_a_title_with_no_spaces(self):
        boxes = text_boxes(quiz_title="x" * 300, headline="h", correct=0, total=3, site="t.org")
        self.assertTrue(all(box[2] <= WIDTH - 40 for _text, box in boxes))
        self.assertTrue(boxes[3][0].endswith("\u2026"))
