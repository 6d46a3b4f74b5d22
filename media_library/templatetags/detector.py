"""The detector's result as people read it: both scores with their intervals (or why there is
none), how each did on clips it had never seen, the top reasons with links that seek the
player, and for curators every signal and the face signal over time as an inline SVG with a
text alternative. A score is a percentage only where `ClipAnalysis.shows_percentage` allows;
otherwise the summary says the detector cannot tell, and why.

Like the manipulated-media label, this reveals what the detector thinks of a clip: use it only
where the truth is already known (curator pages) or has just been revealed (after the answer is
stored).
"""

from __future__ import annotations

import math

from django import template
from django.utils.translation import gettext_lazy as _

from languages.numbers import percent_text
from media_library.detector.measurements import clock as as_clock
from media_library.models import TellCategory
from media_library.models.analysis import ClipAnalysis

register = template.Library()

FAMILY_LABELS = {"face": _("Face manipulation"), "editing": _("Editing")}
SIGNAL_LABELS = {
    "blink_rate": _("Blinking"),
    "mouth_detail": _("Mouth and teeth detail"),
    "boundary_blending": _("Face edge blending"),
    "colour_flicker": _("Colour flicker at the face edge"),
    "skin_tone": _("Skin tone against forehead and neck"),
    "eye_highlights": _("Highlights in the eyes"),
    "lip_sync": _("Lip sync against the sound"),
    "spectrum": _("Frequency spectrum (still images)"),
    "noise_mismatch": _("Fine grain of the skin against its surroundings"),
    "blocking_grid": _("Compression blocks inside the face"),
    "blend_boundary": _("Grain step along the face outline"),
    "noise_flicker": _("Flicker of the face's grain"),
    "landmark_jitter": _("Eyes, nose and mouth shaking against the head"),
    "face_spectrum": _("Frequency spectrum of the face (still images)"),
    "repeated_frames": _("Repeated frames"),
    "blended_frames": _("Blended frames"),
    "cuts": _("Cuts"),
    "jumps": _("Jumps inside a shot"),
    "timestamps": _("Irregular frame timing"),
    "av_length": _("Sound against picture length"),
    "speed_vs_original": _("Speed against the original"),
    "removed_vs_original": _("Stretches missing from the original"),
    "motion_steps": _("Motion that skips frames"),
    "blend_cadence": _("Cadence of blended frames"),
    "splice_continuity": _("Picture, background and sound jumping together"),
}
TIMELINE_WIDTH, TIMELINE_HEIGHT = 100.0, 24.0


def usable(analysis: ClipAnalysis | None) -> ClipAnalysis | None:
    return analysis if analysis is not None and analysis.is_done else None


@register.inclusion_tag("media_library/detector/summary.html")
def detector_summary(
    analysis: ClipAnalysis | None, player: str = "", player_number: int | None = None
) -> dict:
    """Both scores and the top reasons; "no analysis yet" when there is none. `player` is the
    id of the video the reasons' times seek (with `player_number` appended when given, for
    pages with one player per clip); without it the times are plain text."""
    analysis = usable(analysis)
    player_id = f"{player}{player_number}" if player and player_number is not None else player
    families = []
    if analysis is not None:
        for family in analysis.families:
            reasons = []
            for signal in family["reasons"]:
                category = signal.get("tell", "")
                tell = TellCategory(category).label if category in TellCategory else ""
                reasons.extend(
                    {**reason, "tell": tell, "category": category} for reason in signal["reasons"]
                )
            meter = None
            if family["shows_percentage"]:
                low, high = family["low"], family["high"]
                meter = {
                    "low": 100 * low,
                    "span": 100 * (high - low),
                    "point": min(99.0, 100 * family["probability"]),
                }
            families.append(
                {
                    **family,
                    "label": FAMILY_LABELS[family["name"]],
                    "reasons": reasons,
                    "meter": meter,
                    # Scored, but no percentage may be shown: untested or no better than chance.
                    "cannot_tell": not family["abstained"] and not family["shows_percentage"],
                }
            )
    shown = any(family["shows_percentage"] for family in families)
    return {
        "analysis": analysis,
        "families": families,
        "player_id": player_id,
        # Percentages from weights nobody calibrated rank clips but are rough as numbers.
        "rough": shown and not analysis.calibrated,
        "cannot_tell": any(family["cannot_tell"] for family in families),
    }


@register.inclusion_tag("media_library/detector/signals.html")
def detector_signals(analysis: ClipAnalysis | None) -> dict:
    """Every measurement, measured or not, grouped by score."""
    analysis = usable(analysis)
    rows = []
    for m in analysis.measurements if analysis else []:
        category = m.get("tell", "")
        rows.append(
            {
                **m,
                "label": SIGNAL_LABELS.get(m["name"], m["name"]),
                "family_label": FAMILY_LABELS.get(m["family"], m["family"]),
                "tell_label": TellCategory(category).label if category in TellCategory else "",
                "not_measured": (m.get("detail") or {}).get("not_measured", ""),
            }
        )
    return {"analysis": analysis, "rows": rows}


@register.inclusion_tag("media_library/detector/timeline.html")
def face_timeline_chart(analysis: ClipAnalysis | None, duration: float | None) -> dict:
    """The per-frame face-manipulation signal as a line over the clip's length."""
    analysis = usable(analysis)
    points = analysis.timeline if analysis else []
    if not points or not duration:
        return {"points": ""}
    polyline = " ".join(
        f"{TIMELINE_WIDTH * min(t, duration) / duration:.2f},"
        f"{TIMELINE_HEIGHT * (1 - max(0.0, min(1.0, v))):.2f}"
        for t, v in points
    )
    peak_time, peak = max(points, key=lambda point: point[1])
    mean = sum(v for _t, v in points) / len(points)
    return {
        "points": polyline,
        "width": TIMELINE_WIDTH,
        "height": TIMELINE_HEIGHT,
        "peak": peak,
        "peak_time": peak_time,
        "mean": mean,
        "count": len(points),
    }


@register.filter
def percent(value: float | None) -> str:
    """A probability on 0..1 as a percentage in the reader's language."""
    return "—" if value is None else percent_text(100 * value)


@register.filter
def in_hundred(value: float | None) -> str:
    """An AUC on 0..1 as "how many times in 100", rounded half up like the percentages."""
    return "" if value is None else str(math.floor(100 * value + 0.5))


@register.filter
def clock(seconds: float | None) -> str:
    return "" if seconds is None else as_clock(seconds)
