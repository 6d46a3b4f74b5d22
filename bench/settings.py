"""Settings for the benches' gunicorn: the product's settings, plus the bench URLconf and the
middleware that reports each request's CPU (bench/middleware.py).

Everything else (middleware, sessions, CSRF, database pool) is config/settings.py as production
runs it, driven by the same environment variables; bench/answer.py sets those.
"""

from __future__ import annotations

from config.settings import *  # noqa: F403

# The product's URLs plus the bare view the answer endpoint is compared with.
ROOT_URLCONF = "bench.urls"

# First: its figure covers every other middleware and the view.
MIDDLEWARE = ["bench.middleware.cpu_time", *MIDDLEWARE]  # noqa: F405
