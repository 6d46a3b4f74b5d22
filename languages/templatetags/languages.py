"""Template tags for content in three languages (languages/fallbacks.py)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from languages import fallbacks
from languages.numbers import percent_text

register = template.Library()


@register.inclusion_tag("languages/fallback_note.html")
def fallback_note(obj, *fields):
    """A visible note when any of `fields` is shown in English because it is not written in
    the page's language yet."""
    language = translation.get_language()
    return {
        "show": obj is not None and fallbacks.falls_back(obj, *fields),
        "language_name": dict(settings.LANGUAGES).get(language, language),
    }


@register.simple_tag
def text_lang(obj, field):
    """The `lang` of an element showing `field`: English when the text falls back to it, so a
    screen reader pronounces it as English."""
    return fallbacks.text_language(obj, field)


@register.inclusion_tag("languages/missing_translations.html")
def missing_translations(obj, *fields):
    """For curators: which languages still lack which of `fields`."""
    return {"missing": fallbacks.missing_translations(obj, *fields)}


@register.inclusion_tag("languages/alternates.html", takes_context=True)
def alternate_links(context, choices=None):
    """`<link rel="alternate" hreflang>` to this page in each language, so search engines and
    link previews find the page in the reader's language. Addresses on the site itself, so the
    page names no host (nor the one a request claimed)."""
    request = context.get("request")
    if request is None or request.resolver_match is None:
        return {"alternates": []}
    path = request.path
    return {
        "alternates": [
            (code, translate_url(path, code)) for code, _name in (choices or settings.LANGUAGES)
        ]
    }


@register.filter
def as_percent(value) -> str:
    """`{{ 71|as_percent }}`: "71 %" in English and Spanish, "71%" in Chinese (languages/
    numbers.py). Takes a number on 0..100; "" for None or anything that is not a number."""
    try:
        return percent_text(None if value in (None, "") else float(value))
    except (TypeError, ValueError):
        return ""
