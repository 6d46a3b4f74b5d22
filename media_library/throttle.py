"""Counting what one subject (an account, an address, a session) does in a window of time, in
the shared cache, so that every web process sees the same counts.

A fixed window that opens with the first counted event: simple, one cache round trip per check
and per hit, and good enough for its purpose, which is to make guessing and flooding slow, not
to meter anyone exactly. Subjects are hashed before they become keys: a username or an address
is personal data and does not belong in a cache's key space in clear.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Throttle:
    scope: str
    limit: int
    window_seconds: int

    def key(self, subject: str) -> str:
        digest = hashlib.sha256(f"{self.scope}\0{subject}".encode()).hexdigest()[:32]
        return f"throttle:{self.scope}:{digest}"

    def count(self, subject: str) -> int:
        return int(cache.get(self.key(subject), 0))

    def exceeded(self, subject: str) -> bool:
        return self.limit > 0 and self.count(subject) >= self.limit

    def hit(self, subject: str) -> int:
        """Count one event; returns the count in the current window."""
        key = self.key(subject)
        # add() opens the window only if none is open, so its expiry is the first event's.
        cache.add(key, 0, self.window_seconds)
        try:
            return cache.incr(key)
        except ValueError:  # the window closed between add() and incr()
            cache.set(key, 1, self.window_seconds)
            return 1

    def reset(self, subject: str) -> None:
        cache.delete(self.key(subject))


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the header a trusted proxy sets
    (CLIENT_ADDRESS_HEADER, e.g. HTTP_X_REAL_IP behind nginx), since behind a proxy every
    request comes from the proxy's own address."""
    header = settings.CLIENT_ADDRESS_HEADER
    if header:
        value = request.META.get(header, "").split(",")[0].strip()
        if value:
            return value
    return request.META.get("REMOTE_ADDR", "")
