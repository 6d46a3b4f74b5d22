from __future__ import annotations

import shutil

import pytest
from django.conf import settings


def pytest_configure(config: pytest.Config) -> None:
    # MD5 is insecure and fast: fine for throwaway test users, never used outside tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every page the suite renders must give each script the CSP nonce (tests/script_nonces.py).
    settings.MIDDLEWARE = ["tests.script_nonces.ScriptNonceMiddleware", *settings.MIDDLEWARE]


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(settings.VAR_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counts live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A test that activates a language (or renders a page under translation.override and
    fails inside it) must not leave it to the next one, whose reverse() would gain a prefix."""
    yield
    from django.utils import translation

    translation.deactivate()
