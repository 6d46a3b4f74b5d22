"""Percentages in the reader's language: one rule for every page.

Where the sign goes is the language's: Spanish puts a space before it ("71 %", as this site's
English does), Chinese does not ("71%"). The pattern is a translatable string so each catalogue
says which; pages print percentages only through `percent_text` (Python) or the `as_percent`
filter (`{% load languages %}`), never with a literal "%" after a number. Decimals go through
Django's localisation (`number_format`, `floatformat`), which knows the decimal mark.
"""

from __future__ import annotations

import math

from django.utils.translation import gettext


def percent_text(value: float | None) -> str:
    """`value` (on 0..100) as a whole percentage, rounded half up as people expect (62.5 is
    63, not Python's round-half-even 62), in the active language's pattern; "" for None."""
    if value is None:
        return ""
    # The msgid the measures have always used, so every catalogue already places the sign.
    return gettext("%(p)d %%") % {"p": math.floor(value + 0.5)}
