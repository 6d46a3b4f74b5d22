from __future__ import annotations

from django.http import HttpRequest

from languages.choice import language_names


def languages(request: HttpRequest) -> dict:
    """What the switcher in every page's header lists."""
    return {"site_languages": language_names()}
