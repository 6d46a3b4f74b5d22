"""SVG charts of a learner's results, drawn by templates (no JavaScript).

`{% load quiz_charts %}` gives `{% calibration_chart summary %}`, `{% rates_chart summary %}` and
`{% comparison_chart you=… crowd=… detector=… %}`. Each tag works out the geometry here and
renders a template under `templates/quiz/charts/`: an `<svg role="img">` with a `<title>` and a
`<desc>`, followed by the same numbers in a table, or an empty-state message when there is
nothing to draw.

Coordinates are passed to the templates as preformatted strings: a float printed by the
template engine is localised ("12,5" in some languages) and would break the SVG.
"""

from __future__ import annotations

import math

from django import template
from django.utils.translation import gettext as _

from quiz.measures import Rate, Summary

register = template.Library()

# Calibration plot: a 360x260 canvas, confidence 50..100 across, accuracy 0..100 % up.
CAL_WIDTH, CAL_HEIGHT = 360, 260
CAL_LEFT, CAL_RIGHT, CAL_TOP, CAL_BOTTOM = 64, 330, 16, 208
# Bar charts: label above each bar, the percentage to its right.
BAR_WIDTH, BAR_VIEW_WIDTH, ROW_HEIGHT = 280, 360, 46
# Fallback fills, the site palette's values: the stylesheet overrides them through the classes
# (a CSS rule beats a presentation attribute), and the chart still reads without it.
BAR_FILLS = {
    "chart-bar-hit": "#1f7a4d",
    "chart-bar-false-alarm": "#a35d00",
    "chart-bar-you": "#2f5bd3",
    "chart-bar-crowd": "#4a5468",
    "chart-bar-detector": "#1d2330",
}


def _fmt(number: float) -> str:
    return f"{number:.1f}"


def _percent(value: float | None) -> int | None:
    return None if value is None else math.floor(100 * value + 0.5)


def _cal_x(confidence: float) -> float:
    return CAL_LEFT + (confidence - 50) / 50 * (CAL_RIGHT - CAL_LEFT)


def _cal_y(accuracy: float) -> float:
    return CAL_BOTTOM - accuracy * (CAL_BOTTOM - CAL_TOP)


@register.inclusion_tag("quiz/charts/calibration.html")
def calibration_chart(summary: Summary | None, chart_id: str = "calibration-chart") -> dict:
    """Each confidence bucket's accuracy against the diagonal of perfect calibration; the dot's
    area grows with the number of answers in the bucket, which is also written beside it."""
    buckets = [b for b in (summary.calibration if summary else ()) if b.n]
    points = []
    for bucket in buckets:
        x, y = _cal_x(bucket.mean_confidence), _cal_y(bucket.accuracy)
        radius = min(4 + 2.5 * math.sqrt(bucket.n), 14)
        # The count goes above the dot, or below it when the dot sits at the top edge.
        label_y = y - radius - 4 if y - radius - 4 > CAL_TOP + 8 else y + radius + 12
        points.append(
            {
                "x": _fmt(x),
                "y": _fmt(y),
                "r": _fmt(radius),
                "label_y": _fmt(label_y),
                "n": bucket.n,
            }
        )
    rows = [
        {
            "low": bucket.low,
            "high": bucket.high,
            "n": bucket.n,
            "mean_confidence": None
            if bucket.mean_confidence is None
            else math.floor(bucket.mean_confidence + 0.5),
            "percent": bucket.rate.percent,
        }
        for bucket in (summary.calibration if summary else ())
    ]
    return {
        "chart_id": chart_id,
        "empty": not buckets,
        "width": CAL_WIDTH,
        "height": CAL_HEIGHT,
        "left": CAL_LEFT,
        "right": CAL_RIGHT,
        "top": CAL_TOP,
        "bottom": CAL_BOTTOM,
        "diagonal": {
            "x1": _fmt(_cal_x(50)),
            "y1": _fmt(_cal_y(0.5)),
            "x2": _fmt(_cal_x(100)),
            "y2": _fmt(_cal_y(1)),
        },
        "x_ticks": [{"label": c, "x": _fmt(_cal_x(c))} for c in range(50, 101, 10)],
        "x_ticks_y": CAL_BOTTOM + 18,
        "x_label_y": CAL_HEIGHT - 8,
        "y_ticks": [{"label": a, "y": _fmt(_cal_y(a / 100))} for a in range(0, 101, 25)],
        "y_ticks_x": CAL_LEFT - 6,
        "y_label_middle": (CAL_TOP + CAL_BOTTOM) // 2,
        "points": points,
        "line": " ".join(f"{p['x']},{p['y']}" for p in points),
        "rows": rows,
    }


def _bar_rows(entries: list[tuple[str, str, float | None, str, str]]) -> list[dict]:
    """(label, css class, value 0..1 or None, detail such as "3 of 4", text when missing)."""
    rows = []
    for i, (label, css, value, detail, missing) in enumerate(entries):
        top = i * ROW_HEIGHT
        rows.append(
            {
                "label": label,
                "css": css,
                "fill": BAR_FILLS[css],
                "percent": _percent(value),
                "detail": detail,
                "missing": missing if value is None else "",
                "width": _fmt(0 if value is None else max(0.0, min(value, 1.0)) * BAR_WIDTH),
                "label_y": top + 14,
                "bar_y": top + 22,
                "text_y": top + 34,
            }
        )
    return rows


def _describe(rows: list[dict]) -> str:
    parts = []
    for row in rows:
        if row["missing"]:
            parts.append(_("%(label)s: %(missing)s") % row)
        elif row["detail"]:
            parts.append(_("%(label)s: %(percent)d %% (%(detail)s)") % row)
        else:
            parts.append(_("%(label)s: %(percent)d %%") % row)
    return "; ".join(parts)


def _bars(chart_id: str, css: str, title: str, rows: list[dict], empty: str) -> dict:
    return {
        "chart_id": chart_id,
        "css": css,
        "title": title,
        "desc": _describe(rows),
        "rows": rows,
        "empty": empty,
        "show_detail": any(row["detail"] for row in rows),
        "width": BAR_VIEW_WIDTH,
        "bar_width": BAR_WIDTH,
        "value_x": BAR_WIDTH + 8,
        "height": len(rows) * ROW_HEIGHT,
    }


def _out_of(rate: Rate) -> str:
    return _("%(k)d of %(n)d") % {"k": rate.k, "n": rate.n}


@register.inclusion_tag("quiz/charts/bars.html")
def rates_chart(summary: Summary | None, chart_id: str = "rates-chart") -> dict:
    """Fakes caught per fake type and overall, and real clips called fake (false alarms)."""
    if summary is None or not (summary.hit_rate.n or summary.false_alarm_rate.n):
        return _bars(
            chart_id,
            "chart-rates",
            "",
            [],
            _("No real-or-fake answers yet, so there is nothing to chart."),
        )
    entries = []
    for kind, label, missing in (
        ("deepfake", _("Deepfakes caught"), _("no deepfakes among these answers")),
        ("shallowfake", _("Shallowfakes caught"), _("no shallowfakes among these answers")),
    ):
        rate = summary.hit_rates.get(kind, Rate(0, 0))
        entries.append((label, "chart-bar-hit", rate.value, _out_of(rate), missing))
    hits, alarms = summary.hit_rate, summary.false_alarm_rate
    entries.append(
        (_("All fakes caught"), "chart-bar-hit", hits.value, _out_of(hits), _("no fakes"))
    )
    entries.append(
        (
            _("Real clips called fake"),
            "chart-bar-false-alarm",
            alarms.value,
            _out_of(alarms),
            _("no real clips among these answers"),
        )
    )
    return _bars(
        chart_id,
        "chart-rates",
        _("Fakes caught and real clips called fake"),
        _bar_rows(entries),
        "",
    )


@register.inclusion_tag("quiz/charts/bars.html")
def comparison_chart(
    you: float | None = None,
    crowd: float | None = None,
    detector: float | None = None,
    detector_cannot_tell: int = 0,
    chart_id: str = "comparison-chart",
) -> dict:
    """Share right (0..1) for you, everyone else on the same items and the detector. A missing
    value is written out ("no analysis yet", or "cannot tell" when the detector scored the
    clips but no score of it beats chance out of sample), never drawn as an empty or made-up
    bar."""
    if you is None and crowd is None and detector is None:
        return _bars(
            chart_id,
            "chart-comparison",
            "",
            [],
            _("No answers yet, so there is nothing to compare."),
        )
    rows = _bar_rows(
        [
            (_("You"), "chart-bar-you", you, "", _("no answers yet")),
            (_("Other people"), "chart-bar-crowd", crowd, "", _("no answers from others yet")),
            (
                _("The detector"),
                "chart-bar-detector",
                detector,
                "",
                _("cannot tell") if detector_cannot_tell else _("no analysis yet"),
            ),
        ]
    )
    return _bars(
        chart_id, "chart-comparison", _("Share right: you, other people, the detector"), rows, ""
    )
