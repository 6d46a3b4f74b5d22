"""The results charts, rendered through the template engine as the pages render them."""

from __future__ import annotations

import re

from django.template import Context, Template
from django.test import SimpleTestCase
from django.utils import translation

from quiz.measures import summarise
from tests.factories import FIXTURE, verdict

DASH = "\u2013"  # the en dash of "50-59 %"


def render(source: str, **context) -> str:
    return Template("{% load quiz_charts %}" + source).render(Context(context))


def table_rows(html: str) -> list[list[str]]:
    """The text alternative, cell by cell."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


class ChartTestCase(SimpleTestCase):
    def assertAccessibleSvg(self, html: str, chart_id: str) -> None:
        self.assertIn('role="img"', html)
        self.assertIn(f'aria-labelledby="{chart_id}-title {chart_id}-desc"', html)
        self.assertRegex(html, rf'<title id="{chart_id}-title">[^<]+</title>')
        self.assertRegex(html, rf'<desc id="{chart_id}-desc">[^<]+</desc>')


class CalibrationChartTests(ChartTestCase):
    def test_it_draws_each_bucket_with_its_numbers(self):
        html = render("{% calibration_chart summary %}", summary=summarise(FIXTURE))
        self.assertAccessibleSvg(html, "calibration-chart")
        self.assertEqual(html.count('class="chart-point"'), 5)
        self.assertIn('class="chart-diagonal"', html)
        self.assertIn("n=3", html)
        self.assertEqual(
            table_rows(html),
            [
                [f"50{DASH}59 %", "2", "53 %", "50 %"],  # mean 52.5 shows as 53
                [f"60{DASH}69 %", "1", "60 %", "0 %"],
                [f"70{DASH}79 %", "2", "73 %", "50 %"],
                [f"80{DASH}89 %", "2", "83 %", "50 %"],
                [f"90{DASH}100 %", "3", "95 %", "100 %"],
            ],
        )
        self.assertIn(f"90{DASH}100 % sure: 100 % right of 3.", html)

    def test_it_puts_a_dot_where_its_numbers_say(self):
        # Bucket 60-69: mean 60 % sure, 0 % right → x = 64 + 10/50 * 266 = 117.2, y = bottom.
        html = render("{% calibration_chart summary %}", summary=summarise(FIXTURE))
        self.assertIn('cx="117.2" cy="208.0"', html)

    def test_it_keeps_coordinates_unlocalised(self):
        # A locale with a decimal comma must not reach the SVG's numbers.
        with translation.override("de"):
            html = render("{% calibration_chart summary %}", summary=summarise(FIXTURE))
        self.assertIn('cx="117.2"', html)
        self.assertNotRegex(html, r'(cx|cy|r)="\d+,\d')

    def test_it_shows_an_empty_state_without_confidence(self):
        html = render("{% calibration_chart summary %}", summary=summarise([]))
        self.assertNotIn("<svg", html)
        self.assertIn("No answers with a confidence yet", html)


class RatesChartTests(ChartTestCase):
    def test_it_draws_hit_and_false_alarm_rates(self):
        html = render("{% rates_chart summary %}", summary=summarise(FIXTURE))
        self.assertAccessibleSvg(html, "rates-chart")
        self.assertEqual(
            table_rows(html),
            [
                ["Deepfakes caught", "100 %", "2 of 2"],
                ["Shallowfakes caught", "50 %", "1 of 2"],
                ["All fakes caught", "75 %", "3 of 4"],
                ["Real clips called fake", "40 %", "2 of 5"],
            ],
        )
        # Bars are 280 wide at 100 %: 75 % → 210, 40 % → 112.
        self.assertRegex(html, r'class="chart-bar chart-bar-hit"[^>]*width="210.0"')
        self.assertRegex(html, r'class="chart-bar chart-bar-false-alarm"[^>]*width="112.0"')
        self.assertIn("Real clips called fake: 40 % (2 of 5)", html)

    def test_it_says_which_kind_of_clip_was_missing(self):
        records = [verdict(1, "shallowfake", "real", 70), verdict(2, "real", "real", 70)]
        html = render("{% rates_chart summary %}", summary=summarise(records))
        self.assertIn("no deepfakes among these answers", html)
        self.assertEqual(html.count('class="chart-bar '), 3)

    def test_it_shows_an_empty_state_without_verdict_answers(self):
        html = render("{% rates_chart summary %}", summary=summarise([]))
        self.assertNotIn("<svg", html)
        self.assertIn("No real-or-fake answers yet", html)


class ComparisonChartTests(ChartTestCase):
    def test_it_says_no_analysis_yet_instead_of_a_detector_bar(self):
        html = render("{% comparison_chart you=0.7 crowd=0.55 detector=None %}")
        self.assertAccessibleSvg(html, "comparison-chart")
        self.assertEqual(html.count('class="chart-bar '), 2)
        self.assertNotIn("chart-bar-detector", html)
        self.assertEqual(
            table_rows(html),
            [["You", "70 %"], ["Other people", "55 %"], ["The detector", "no analysis yet"]],
        )

    def test_it_says_cannot_tell_where_the_detector_scored_but_beats_no_chance(self):
        html = render(
            "{% comparison_chart you=0.7 crowd=0.55 detector=None detector_cannot_tell=2 %}"
        )
        self.assertNotIn("chart-bar-detector", html)
        self.assertEqual(table_rows(html)[2], ["The detector", "cannot tell"])

    def test_it_draws_the_detector_once_it_has_a_score(self):
        html = render("{% comparison_chart you=0.7 crowd=None detector=0.9 %}")
        self.assertIn("chart-bar-detector", html)
        self.assertIn("no answers from others yet", html)
        self.assertIn("The detector: 90 %", html)

    def test_it_shows_an_empty_state_with_nothing_to_compare(self):
        html = render("{% comparison_chart you=None crowd=None %}")
        self.assertNotIn("<svg", html)
        self.assertIn("nothing to compare", html)

    def test_it_gives_each_chart_its_own_ids(self):
        html = render(
            '{% comparison_chart you=0.5 chart_id="a" %}{% comparison_chart you=0.6 chart_id="b" %}'
        )
        self.assertAccessibleSvg(html, "a")
        self.assertAccessibleSvg(html, "b")
