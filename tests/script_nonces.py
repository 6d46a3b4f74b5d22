"""A test-only middleware that fails any HTML page whose `<script>` tags lack the CSP nonce.

tests/conftest.py puts it first in MIDDLEWARE, so every page the suite renders is checked, through
the test client and the browser tests' live server alike: a template that forgets the nonce fails
whichever test happens to render it, not only a test written for that page.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
POLICY_NONCE = re.compile(r"'nonce-([^']+)'")


def scripts_without_nonce(response: HttpResponse) -> list[str]:
    """The `<script>` tags of an HTML response that do not carry the nonce its policy names."""
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return []
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        # Browsers ask for gzip (the live server's pages come compressed): check what they read.
        body = gzip.decompress(body)
    scripts = SCRIPT_TAG.findall(body.decode(response.charset or "utf-8"))
    if not scripts:
        return []
    # Django's CSP middleware names the nonce in the header only when the page used it.
    policy = response.get("Content-Security-Policy", "")
    nonce = POLICY_NONCE.search(policy)
    attribute = f'nonce="{nonce.group(1)}"' if nonce else None
    return [tag for tag in scripts if attribute is None or attribute not in tag]


class ScriptNonceMiddleware:
    """Outermost, so it sees the response after the CSP middleware has set the header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if missing := scripts_without_nonce(response):
            raise AssertionError(f"{request.path}: script tags without the CSP nonce: {missing}")
        return response
