"""Compression of the responses Django and whitenoise make, text only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

# What gains from gzip. Video, audio and images are compressed already, and the media views
# answer Range requests whose byte offsets refer to the file as stored.
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
)


class CompressTextMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, applied to text responses only.

    Pages carry secrets (the CSRF token, the CSP nonce) beside text an attacker may be able to
    reflect into them, which is what the BREACH attack exploits through compressed sizes.
    Django's GZipMiddleware defends against it ("Heal The Breach"): it pads each response with
    up to `max_random_bytes` random bytes in the gzip header, so sizes no longer leak
    the secret; Django also masks the CSRF token anew on every response.

    It sits above WhiteNoiseMiddleware, so it also compresses the static files whitenoise
    serves straight from `static/` under DEBUG (runserver, `make run`); in production
    whitenoise serves the compressed copies `collectstatic` made, whose Content-Encoding
    tells this middleware to leave them alone.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        # 206 and 304 carry no whole body to compress (a part of one, or none at all).
        if response.status_code in (204, 206, 304):
            return response
        content_type = response.get("Content-Type", "").lower()
        if not content_type.startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
