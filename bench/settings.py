"""Settings for `make bench-answer`'s gunicorn: the product's settings, plus the bench URLconf.

Everything else (middleware, sessions, CSRF, database pool) is config/settings.py as production
runs it, driven by the same environment variables; bench/answer.py sets those.
"""

from __future__ import annotations

from config.settings import *  # noqa: F403

# The product's URLs plus the bare view the answer endpoint is compared with.
ROOT_URLCONF = "bench.urls"
