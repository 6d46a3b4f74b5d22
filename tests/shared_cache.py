"""The machine's Redis (127.0.0.1:6379) as the shared cache of a test, the way production shares
it between web processes (REDIS_URL)."""

from __future__ import annotations

from django.db import connection
from django.test import SimpleTestCase, override_settings

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def redis_answering() -> bool:
    """Whether a Redis server answers PING on 127.0.0.1:6379 (an open port is not enough)."""
    import redis

    try:
        return bool(redis.Redis(REDIS_HOST, REDIS_PORT, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def redis_url(databases: dict[str, int]) -> str:
    """A Redis database of its own per test database (clear() empties a whole Redis database),
    so the SQLite and PostgreSQL runs CI makes at once never meet."""
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{databases[connection.vendor]}"


def use_redis_cache(test: SimpleTestCase, databases: dict[str, int]) -> None:
    """Point the test's cache at Redis, empty before and after; skip if Redis is not there."""
    if not redis_answering():
        test.skipTest(f"no Redis answering PING on {REDIS_HOST}:{REDIS_PORT}")
    override = override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url(databases),
                "KEY_PREFIX": f"telltale-tests-{id(test)}",
            }
        }
    )
    override.enable()
    test.addCleanup(override.disable)
    from django.core.cache import cache

    cache.clear()
    test.addCleanup(cache.clear)
