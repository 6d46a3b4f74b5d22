"""A pytest plugin (loaded by `-p` in pyproject.toml) that sets the test environment.

It runs before pytest-django reads config/settings.py, so the one settings file sees test values
through the same environment variables production uses.
"""

from __future__ import annotations

import os
import tempfile

_var_dir = tempfile.mkdtemp(prefix="telltale-tests-")

os.environ.setdefault(
    "SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789-abcdefghij"
)
os.environ["TELLTALE_VAR_DIR"] = _var_dir
os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault(
    "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
)
os.environ.setdefault("SECURE_COOKIES", "0")
# Local memory unless a test asks for Redis itself (tests/shared_cache.py): each test starts by
# clearing the cache, which on a Redis named from the developer's environment would empty it.
os.environ.pop("REDIS_URL", None)
os.environ.pop("CACHE_URL", None)
# Processing does not run the detector in tests unless a test asks for it (tests/test_detector_*):
# analysing every tiny clip the suite makes would only slow it down.
os.environ.setdefault("DETECTOR_ANALYZE_AFTER_PROCESSING", "0")
# Scores in tests come from the literature's defaults unless a test gives weights of its own.
os.environ.setdefault("DETECTOR_SHIPPED_WEIGHTS", "")
# Nor fingerprinting: a decode per clip; tests/test_fingerprint.py turns it on.
os.environ.setdefault("FINGERPRINT_AFTER_PROCESSING", "0")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    # On SQLite the test database is a file so that a real worker process can share it.
    os.environ["DATABASE_TEST_NAME"] = os.path.join(_var_dir, "test.sqlite3")
# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
