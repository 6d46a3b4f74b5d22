"""Counting what one subject (an account, an address, a session) does in a window of time, in
the shared cache, so that every web process sees the same counts.

A fixed window that opens with the first counted event: simple, good enough for its purpose,
which is to make guessing and flooding slow, not to meter anyone exactly. Counting costs one
cache round trip for all of a request's rules together: on Redis one MULTI/EXEC pipeline opens
each window that is not open (SET NX EX), counts (INCR) and reads how long it has left (PTTL);
on any other cache (local memory under `make run`) the same steps are Django's add() and incr(),
with the window's opening time kept beside the count. Subjects are hashed before they become
keys: a username or an address is personal data and does not belong in a cache's key space in
clear.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps

import redis
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]
logger = logging.getLogger(__name__)
# What Redis raises when it is down or too slow (the backend's socket timeouts, settings.py).
CACHE_AWAY = (redis.ConnectionError, redis.TimeoutError)


@dataclass(frozen=True)
class Window:
    """One subject's window after a counted event: the count so far and the seconds until the
    window closes and the count starts again."""

    count: int
    seconds_left: float


@dataclass(frozen=True)
class Throttle:
    scope: str
    limit: int
    window_seconds: int

    def key(self, subject: str) -> str:
        digest = hashlib.sha256(f"{self.scope}\0{subject}".encode()).hexdigest()[:32]
        return f"throttle:{self.scope}:{digest}"

    def count(self, subject: str) -> int:
        try:
            return int(cache.get(self.key(subject), 0))
        except CACHE_AWAY:
            logger.exception("Rate limit not read: the cache is not answering")
            return 0

    def exceeded(self, subject: str) -> bool:
        return self.limit > 0 and self.count(subject) >= self.limit

    def hit(self, subject: str) -> int:
        """Count one event; returns the count in the current window."""
        return hit_all([(self, subject)])[0].count

    def reset(self, subject: str) -> None:
        key = self.key(subject)
        try:
            cache.delete_many([key, f"{key}:opened"])
        except CACHE_AWAY:
            logger.exception("Rate limit not reset: the cache is not answering")


def hit_all(counted: Sequence[tuple[Throttle, str]]) -> list[Window]:
    """Count one event for each (throttle, subject), in one cache round trip on Redis."""
    backend = caches[DEFAULT_CACHE_ALIAS]  # `cache` is a proxy, which isinstance() cannot see
    if isinstance(backend, RedisCache):
        return _hit_redis(backend, counted)
    return [_hit_portable(throttle, subject) for throttle, subject in counted]


def _hit_redis(backend: RedisCache, counted: Sequence[tuple[Throttle, str]]) -> list[Window]:
    # Django's Redis backend has no pipeline of its own: its client (the redis-py one it writes
    # with) and its key function (prefix and version) are what its own methods use, so the
    # counts stay readable through cache.get() and removable through cache.delete(). It stores
    # integers as plain numbers, which is what INCR needs.
    client = backend._cache.get_client(write=True)
    pipe = client.pipeline(transaction=True)
    for throttle, subject in counted:
        key = backend.make_and_validate_key(throttle.key(subject))
        pipe.set(key, 0, ex=throttle.window_seconds, nx=True)
        pipe.incr(key)
        pipe.pttl(key)
    try:
        replies = pipe.execute()
    except CACHE_AWAY:
        # Limits slow floods down; they must not take the site down with Redis. Nothing is
        # counted while it is away (every request passes), and the log says so each time.
        logger.exception("Rate limits not counted: Redis is not answering")
        return [Window(0, throttle.window_seconds) for throttle, _subject in counted]
    windows = []
    for n, (throttle, _subject) in enumerate(counted):
        _opened, count, pttl = replies[3 * n : 3 * n + 3]
        # No expiry (a key written by hand): the whole window is the honest answer.
        windows.append(Window(int(count), pttl / 1000 if pttl >= 0 else throttle.window_seconds))
    return windows


def _hit_portable(throttle: Throttle, subject: str) -> Window:
    key = throttle.key(subject)
    now = time.time()
    # add() opens the window only if none is open, so its expiry and its recorded opening are
    # the first event's.
    cache.add(f"{key}:opened", now, throttle.window_seconds)
    cache.add(key, 0, throttle.window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the window closed between add() and incr()
        cache.set(key, 1, throttle.window_seconds)
        cache.set(f"{key}:opened", now, throttle.window_seconds)
        count = 1
    opened = cache.get(f"{key}:opened", now)
    return Window(count, max(0.0, opened + throttle.window_seconds - now))


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
    """Refuse a view with 429 and `message` once any rule's count is past its limit, with
    Retry-After saying when the last window holding it back closes. Every request counts under
    every rule, refused ones too, so a flood stays refused until its windows close; all the
    rules are counted in one cache round trip, before the view runs any query."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            counted = []
            for rule in rules:
                throttle, subject = rule.throttle(), rule.subject(request)
                if subject is not None and throttle.limit > 0:
                    counted.append((throttle, subject))
            if counted:
                windows = hit_all(counted)
                waits = [
                    window.seconds_left
                    for (throttle, _subject), window in zip(counted, windows, strict=True)
                    if window.count > throttle.limit
                ]
                if waits:
                    response = HttpResponse(str(message), status=429, content_type="text/plain")
                    # Whole seconds, rounded up: a client that waits that long is let in.
                    response["Retry-After"] = str(max(1, math.ceil(max(waits))))
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
