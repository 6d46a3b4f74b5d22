"""Counting what one subject (an account, an address, a session) does in a window of time, in
the shared cache, so that every web process sees the same counts.

A fixed window that opens with the first counted event: simple, one cache round trip per check
and per hit, and good enough for its purpose, which is to make guessing and flooding slow, not
to meter anyone exactly. Subjects are hashed before they become keys: a username or an address
is personal data and does not belong in a cache's key space in clear.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


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


def by_account_or_session(request: HttpRequest) -> str | None:
    """The signed-in account, else the visitor's session (read from its cookie: no query);
    None for a visitor with no session yet, whom only an address rule can count."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    return f"session:{session_key}" if session_key else None


def by_address(request: HttpRequest) -> str:
    return f"address:{client_address(request)}"


@dataclass(frozen=True)
class Rule:
    """At most settings.<setting> requests per `window_seconds` for each subject; 0 is no limit.
    The limit is read from settings on every request, so an operator (or a benchmark) changes it
    through the environment and a test through override_settings."""

    scope: str
    setting: str
    window_seconds: int
    subject: Callable[[HttpRequest], str | None]

    def throttle(self) -> Throttle:
        return Throttle(self.scope, getattr(settings, self.setting), self.window_seconds)


def rate_limited(*rules: Rule, message: str) -> Callable[[View], View]:
    """Refuse a view with 429 and `message` once any rule's count is past its limit. Every
    request counts, refused ones too, so a flood stays refused until it slows down."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            for rule in rules:
                throttle, subject = rule.throttle(), rule.subject(request)
                if subject is None or throttle.limit <= 0:
                    continue
                if throttle.hit(subject) > throttle.limit:
                    response = HttpResponse(str(message), status=429, content_type="text/plain")
                    response["Retry-After"] = str(rule.window_seconds)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
