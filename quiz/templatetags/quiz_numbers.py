"""`{% load quiz_numbers %}`: the measures' number rules for templates (quiz.estimates).

`{{ seconds|duration }}` prints a time taken ("4.2 s", "23 s", "2 min 5 s"), nothing for None.
"""

from __future__ import annotations

from django import template

from quiz.estimates import duration_text

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    return "" if seconds is None else duration_text(seconds)
