"""Anonymous campaign pages (landing, closed page, privacy notice, share page and card) served
from the shared cache: a TV mention sends thousands of visitors a minute to the same page.

A page is cached by the campaign's version (its `updated_at`, so an organizer's edit shows at
once), its language and whether htmx asked for the fragment. Such pages never read the session
or the user (they show nothing personal and set no cookie), so one copy serves everyone. The
Content Security Policy's nonce is new on every response: the cached copy keeps a placeholder
where the nonce was, and each response gets its own.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.utils.cache import patch_cache_control, patch_vary_headers

from campaigns.embedding import framable_by, pass_of
from campaigns.models import Campaign

NONCE_PLACEHOLDER = "__telltale_csp_nonce__"
# Long enough to carry a burst, short enough that a campaign's end shows within a minute.
TIMEOUT_SECONDS = 60


def version(slug: str) -> str:
    """The campaign's current page version: a new one whenever the campaign or its texts are
    saved (campaigns.signals), so a cached page never outlives an edit, and a hit needs no
    database query at all."""
    return cache.get_or_set(f"campaign-version:{slug}", lambda: uuid.uuid4().hex, None)


def campaign_languages(slug: str) -> list[str]:
    """The campaign's languages, read from the database once per version (a page's language
    must be chosen before its cached copy can be found); a slug no campaign has gets [] and
    its page a 404 from the view."""

    def read() -> list[str]:
        found = Campaign.objects.filter(slug=slug).values_list("languages", flat=True).first()
        return list(found or [])

    return cache.get_or_set(f"campaign-languages:{slug}:{version(slug)}", read, 3600)


def forget(slug: str) -> None:
    cache.delete(f"campaign-version:{slug}")


def cached_page(
    request: HttpRequest,
    parts: tuple,
    render: Callable[[], HttpResponse],
    *,
    timeout: int = TIMEOUT_SECONDS,
) -> HttpResponse:
    """The page `render()` makes, from the cache when a copy for `parts` (and htmx or not) is
    there. The caller keys `parts` on the page's language (from the address, never the
    Accept-Language sent), so made-up headers cannot multiply the copies kept here.
    `render` may set `response.cache_seconds`
    (shorter: the page changes then, e.g. when the campaign closes) and
    `response.frame_origins` (the sites that may frame it), both kept with the copy."""
    if pass_of(request) is not None:
        # A page rendered during an embedded visit carries the visit's key in its links:
        # cached, it would hand that visit to everyone after. Such a page is never shared.
        return render()
    is_htmx = request.headers.get("HX-Request") == "true"
    key_parts = (*parts, "htmx" if is_htmx else "page")
    digest = hashlib.sha256("\0".join(str(part) for part in key_parts).encode()).hexdigest()
    key = f"campaign-page:{digest}"
    # str() makes the lazy nonce (its truth value is False until something reads it).
    lazy = get_nonce(request)
    nonce = str(lazy) if lazy is not None else NONCE_PLACEHOLDER
    stored = cache.get(key)
    if stored is None:
        response = render()
        if response.status_code != 200 or response.cookies:
            return response
        body = response.content.replace(nonce.encode(), NONCE_PLACEHOLDER.encode())
        origins = getattr(response, "frame_origins", None)
        stored = (body, response["Content-Type"], origins)
        seconds = min(timeout, getattr(response, "cache_seconds", timeout))
        if seconds > 0:
            cache.set(key, stored, seconds)
    body, content_type, origins = stored
    response = HttpResponse(
        body.replace(NONCE_PLACEHOLDER.encode(), nonce.encode()), content_type=content_type
    )
    if origins is not None:
        framable_by(request, response, origins)
    patch_vary_headers(response, ("HX-Request",))
    patch_cache_control(response, public=True, max_age=timeout)
    return response
