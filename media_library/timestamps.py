"""How a moment in a clip is written for people: m:ss, the way players label a timeline."""

from __future__ import annotations


def format_timestamp(seconds: float) -> str:
    """m:ss, the way players label a timeline."""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"
