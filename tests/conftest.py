from __future__ import annotations

import os
import shutil

import pytest
from django.conf import settings
from django.test import SimpleTestCase, TransactionTestCase


def pytest_configure(config: pytest.Config) -> None:
    # MD5 is insecure and fast: fine for throwaway test users, never used outside tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every page the suite renders must give each script the CSP nonce (tests/script_nonces.py).
    settings.MIDDLEWARE = ["tests.script_nonces.ScriptNonceMiddleware", *settings.MIDDLEWARE]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """CI runs the suite twice at once, on SQLite and on PostgreSQL (DATABASE_URL). A
    SimpleTestCase runs in the SQLite run only: Django refuses it any query, so its result
    cannot depend on the database (the object-storage tests do the same, tests/object_storage.py).
    The browser journeys go the other way: .ci/run gives them to the PostgreSQL run, the
    production database, but one file that balances the two runs (`make test` alone runs
    all)."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    once = pytest.mark.skip(reason="runs once, in the SQLite run: it cannot depend on the database")
    for item in items:
        test_class = getattr(item, "cls", None)
        # TransactionTestCase (and TestCase) are SimpleTestCases that may query.
        simple = test_class is not None and issubclass(test_class, SimpleTestCase)
        if simple and not issubclass(test_class, TransactionTestCase):
            item.add_marker(once)


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
