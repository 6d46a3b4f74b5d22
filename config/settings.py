"""Telltale settings: the one settings file, configured from environment variables.

Every value has a default that works on a developer's machine (SQLite, files under ./var).
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; see docs/deployment.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no variable, in any case; unset or empty is the default. Anything else stops start-up:
    a typo such as SECURE_COOKIES=ture must not quietly mean "off"."""
    raw = os.environ.get(name, "")
    value = raw.strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value: use 1/0, true/false, yes/no or on/off "
        "(any case), or leave it unset for the default."
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn DATABASE_URL into a Django DATABASES entry (sqlite:///path or postgres://...)."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db, as in dj-database-url.
        path = parsed.path[1:] if parsed.path.startswith("/") else parsed.path
        return sqlite_database(BASE_DIR / path if not Path(path).is_absolute() else Path(path))
    if parsed.scheme in {"postgres", "postgresql"}:
        options = dict(parse_qsl(parsed.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "telltale",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            # The pool keeps connections open across requests, so CONN_MAX_AGE must stay 0.
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "pool": {"min_size": 1, "max_size": env_int("DATABASE_POOL_MAX", 10)},
                # Parameters travel apart from the SQL and psycopg prepares a statement after
                # five uses on a connection, so PostgreSQL stops planning the hot queries
                # (answering) anew. Behind a transaction-mode pgbouncer set
                # DATABASE_PREPARE_THRESHOLD=0 (prepared statements off).
                "server_side_binding": True,
                "prepare_threshold": env_int("DATABASE_PREPARE_THRESHOLD", 5) or None,
                **options,
            },
            "TEST": {"NAME": env_str("DATABASE_TEST_NAME") or None},
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parsed.scheme!r} is not supported.")


def sqlite_database(path: Path) -> dict:
    # SQLite will not create the folder its file lives in.
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets the web process read while the worker writes; IMMEDIATE avoids
            # "database is locked" upgrades from read to write transactions.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # A file, not memory, when set: the worker tests share the test database with a
        # real `db_worker` process.
        "TEST": {"NAME": env_str("DATABASE_TEST_NAME") or None},
    }


DEV_SECRET_KEY = "dev-only-insecure-telltale-key"  # noqa: S105 (refused below unless DEBUG)

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
# Django's own rule (check security.W009), enforced rather than warned about: a key that is
# short or made of few characters can be guessed, and with it every session and signed value.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
if not DEBUG and not env_bool("TELLTALE_ALLOW_DEV_SECRET"):
    if SECRET_KEY == DEV_SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is the development default while DEBUG is off. "
            "Set SECRET_KEY to a long random value (or DEBUG=1 for local development)."
        )
    if (
        len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
        or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    ):
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak while DEBUG is off: it has {len(SECRET_KEY)} characters "
            f"({len(set(SECRET_KEY))} different); it needs at least {SECRET_KEY_MIN_LENGTH}, "
            f"with at least {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different. Generate one with "
            '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    # Before the admin, whose forms it gives a field per language (docs/languages.md).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # Before django_tasks_db: its `db_worker` command is media_library's, which recovers the
    # jobs of dead workers before it starts (media_library/management/commands/db_worker.py).
    "languages",
    "media_library",
    "django_tasks_db",
    "quiz",
    "campaigns",
    "lessons",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses pages and (under DEBUG) static files on the way out: above every middleware
    # that reads or writes the body, and above whitenoise so that its responses pass through.
    "config.middleware.CompressTextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # An embedded campaign visit's session rides on its address (/v/<key>/...), not a cookie:
    # before the session middleware, which it hands the key to (campaigns/embedding.py).
    "campaigns.embedding.VisitorPassMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # In place of Django's LocaleMiddleware: the address, the account, the cookie, then the
    # browser's Accept-Language choose the language (languages/choice.py).
    "languages.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "languages.context_processors.languages",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "media_library.roles.roles_context",
                "campaigns.embedding.visit_context",
            ],
        },
    },
]

# Database: SQLite (WAL) by default; DATABASE_URL=postgres://... for PostgreSQL.
VAR_DIR = Path(env_str("TELLTALE_VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("DATABASE_URL")
DATABASES = {
    "default": database_from_url(DATABASE_URL)
    if DATABASE_URL
    else sqlite_database(VAR_DIR / "telltale.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
# The three languages of the interface and the content, each named in itself as the switcher
# shows it. English is the source language: its pages have no prefix, the others live under
# /es/ and /zh-hans/ (config/urls.py), and content falls back to English with a note.
LANGUAGES = [("en", "English"), ("es", "Español"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A year: the switcher's choice outlives a browser session (an anonymous visitor has no account).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Content in three languages (django-modeltranslation): a column per language beside each
# translated field; a missing translation reads as the English text, which the page marks with
# a note (languages/fallbacks.py).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# A row made in code (an import, a factory, a migration) with `title="…"` gets that text as its
# English: without this, the English column would stay NULL and filters on it would miss.
MODELTRANSLATION_AUTO_POPULATE = "default"
# A campaign dashboard hides every figure computed from fewer people than this, so that no
# visitor can be singled out by an organizer (campaigns/dashboard.py).
CAMPAIGN_MIN_CELL = 10
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Cache: the rate limits' counts (media_library/throttle.py) and what pages cache. With REDIS_URL
# (redis://host:6379/0) it is Redis, through Django's own backend, shared by every web process on
# every machine; CACHE_URL is the older name of the same setting and still works. Unset, it is
# local memory, which is per process: right for `make run`'s single runserver process (its counts
# are atomic under a lock and cost no round trip), wrong for several web processes, where each
# would count alone (docs/deployment.md, "Cache, rate limits and sessions").
REDIS_URL = env_str("REDIS_URL")
_cache_alias = env_str("CACHE_URL")
if REDIS_URL and _cache_alias and _cache_alias != REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL and CACHE_URL name different caches; set REDIS_URL only (CACHE_URL is its "
        "older name)."
    )
REDIS_URL = REDIS_URL or _cache_alias
if REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "telltale"),
            # A Redis that hangs costs each request half a second at most, not a worker: the
            # rate limits then let requests through (media_library/throttle.py).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
elif REDIS_URL:
    raise ImproperlyConfigured(
        f"REDIS_URL {REDIS_URL!r} is not a redis://, rediss:// or unix:// URL."
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions stay in the database (Django's default engine, named here so the choice is visible):
# every web process reads the same table, so a visitor's attempt, kept in their session, follows
# them from one process or machine to the next, and a Redis restart or eviction loses no one's
# attempt.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Log-in throttling: failed log-ins per account and per address in a window; past the limit the
# form refuses before the password is even checked (each check costs a password hash).
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 30)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
# Quiz rate limits (0 = none): answers per minute for one account or session (a person judging
# clips does not answer more than one a second for long), attempts started per 10 minutes for
# one account or session and for one address (a class behind one NAT address shares it).
QUIZ_ANSWERS_PER_MINUTE = env_int("QUIZ_ANSWERS_PER_MINUTE", 60)
# Answers per minute from one address whatever the session: a visitor who drops their cookie
# gets a new session each time, and only this rule counts them. A class of 30 answering every
# two seconds, or four classes answering every eight, stays below it; a school, or a mobile
# carrier's NAT on a campaign, with more behind one address needs it raised.
QUIZ_ANSWERS_PER_ADDRESS = env_int("QUIZ_ANSWERS_PER_ADDRESS", 900)
QUIZ_STARTS_PER_SESSION = env_int("QUIZ_STARTS_PER_SESSION", 20)
QUIZ_STARTS_PER_ADDRESS = env_int("QUIZ_STARTS_PER_ADDRESS", 300)
# The request header a trusted reverse proxy puts the client's address in (e.g. HTTP_X_REAL_IP);
# empty: REMOTE_ADDR. Never set it without such a proxy: clients could then pick their address.
CLIENT_ADDRESS_HEADER = env_str("CLIENT_ADDRESS_HEADER")

# Static files: whitenoise serves them (and only them) from the web process.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Media storage. Uploads are untrusted and never served as they came; only processed files
# are served, through media_library's range-aware view (see docs/deployment.md).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
S3_STORAGE_BACKEND = "storages.backends.s3.S3Storage"


def s3_storage_options(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    url_expire_seconds: int = 3600,
    addressing_style: str = "",
) -> dict:
    """django-storages' S3Storage options for a private bucket whose files browsers fetch only
    through presigned URLs, handed out after Django has checked access (MEDIA_SERVING=storage)."""
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "Set MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY together, or neither "
            "(boto3 then finds AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the machine's role)."
        )
    options = {
        "bucket_name": bucket,
        # Drafts and raw uploads share the bucket: no object is public, every URL is signed.
        "querystring_auth": True,
        "querystring_expire": url_expire_seconds,
        "signature_version": "s3v4",
        # The bucket's own (private) ACL; some S3-compatible stores refuse ACL headers.
        "default_acl": None,
        # A file opened from the bucket is downloaded into memory up to this size, then into a
        # temporary file (FILE_UPLOAD_TEMP_DIR): django-storages' default, 0, means memory only.
        "max_memory_size": 8 * 1024 * 1024,
    }
    if endpoint_url:
        options["endpoint_url"] = endpoint_url
    if region:
        options["region_name"] = region
    if access_key:
        options["access_key"], options["secret_key"] = access_key, secret_key
    if addressing_style:
        options["addressing_style"] = addressing_style
    return options


def media_storage() -> dict:
    """STORAGES["default"]: MEDIA_S3_BUCKET selects an S3-compatible bucket (django-storages),
    MEDIA_STORAGE_BACKEND any other class; MEDIA_STORAGE_OPTIONS (JSON) adds options to either."""
    extra = json.loads(env_str("MEDIA_STORAGE_OPTIONS", "{}"))
    bucket = env_str("MEDIA_S3_BUCKET")
    backend = env_str("MEDIA_STORAGE_BACKEND")
    if bucket and backend and backend != S3_STORAGE_BACKEND:
        raise ImproperlyConfigured(
            f"MEDIA_S3_BUCKET selects {S3_STORAGE_BACKEND}, but MEDIA_STORAGE_BACKEND names "
            f"{backend!r}: set one of them."
        )
    if not bucket and backend != S3_STORAGE_BACKEND:
        backend = backend or "django.core.files.storage.FileSystemStorage"
        return {"BACKEND": backend, "OPTIONS": extra}
    options = s3_storage_options(
        bucket=bucket,
        endpoint_url=env_str("MEDIA_S3_ENDPOINT_URL"),
        region=env_str("MEDIA_S3_REGION"),
        access_key=env_str("MEDIA_S3_ACCESS_KEY_ID"),
        secret_key=env_str("MEDIA_S3_SECRET_ACCESS_KEY"),
        url_expire_seconds=env_int("MEDIA_S3_URL_EXPIRE_SECONDS", 3600),
        addressing_style=env_str("MEDIA_S3_ADDRESSING_STYLE"),
    )
    # S3Storage named by MEDIA_STORAGE_BACKEND gets the same defaults, its bucket from the JSON.
    options = {**options, **extra}
    if not options["bucket_name"]:
        raise ImproperlyConfigured("S3 media storage needs a bucket: set MEDIA_S3_BUCKET.")
    return {"BACKEND": S3_STORAGE_BACKEND, "OPTIONS": options}


STORAGES = {
    "default": media_storage(),
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        ),
    },
}
# How processed media reaches browsers: "django" streams it with HTTP Range support,
# "x-accel" hands the file to nginx (X-Accel-Redirect to MEDIA_ACCEL_PREFIX),
# "storage" redirects to the storage backend's URL (object storage / CDN).
MEDIA_SERVING = env_str("MEDIA_SERVING", "django")
MEDIA_ACCEL_PREFIX = env_str("MEDIA_ACCEL_PREFIX", "/protected-media/")

# Upload caps: everything beyond them is refused with a clear reason.
MEDIA_MAX_UPLOAD_BYTES = env_int("MEDIA_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
MEDIA_MAX_DURATION_SECONDS = env_int("MEDIA_MAX_DURATION_SECONDS", 10 * 60)
MEDIA_MAX_DIMENSION = env_int("MEDIA_MAX_DIMENSION", 4096)
MEDIA_MAX_IMAGE_PIXELS = env_int("MEDIA_MAX_IMAGE_PIXELS", 40_000_000)
MEDIA_MAX_FPS = env_int("MEDIA_MAX_FPS", 120)
MEDIA_MAX_STREAMS = env_int("MEDIA_MAX_STREAMS", 4)
MEDIA_TRANSCODE_TIMEOUT_SECONDS = env_int("MEDIA_TRANSCODE_TIMEOUT_SECONDS", 15 * 60)
MEDIA_MAX_OUTPUT_BYTES = env_int("MEDIA_MAX_OUTPUT_BYTES", 300 * 1024 * 1024)
# A processing job's worker writes a heartbeat at most this often while it works; a job whose
# heartbeat is older than the stall limit (or whose worker on this machine is gone) is
# stalled: the curator may retry it and a starting worker recovers it, re-queueing it until
# it has been tried MEDIA_PROCESSING_MAX_ATTEMPTS times (docs/deployment.md, "Operations").
MEDIA_PROCESSING_HEARTBEAT_SECONDS = env_int("MEDIA_PROCESSING_HEARTBEAT_SECONDS", 10)
MEDIA_PROCESSING_STALL_SECONDS = env_int("MEDIA_PROCESSING_STALL_SECONDS", 120)
MEDIA_PROCESSING_MAX_ATTEMPTS = env_int("MEDIA_PROCESSING_MAX_ATTEMPTS", 3)
# Scratch space for processing; outputs are moved into storage only when complete.
MEDIA_WORK_DIR = Path(env_str("MEDIA_WORK_DIR", str(VAR_DIR / "work")))
# The ffmpeg binary: the one imageio-ffmpeg ships unless FFMPEG_BINARY names another.
FFMPEG_BINARY = env_str("FFMPEG_BINARY")
# Django reads uploads above this size into a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR") or None

# C2PA trust anchors (PEM): signers chaining to these show as trusted Content Credentials.
# Without it, intact credentials read as "valid, signer not verified".
C2PA_TRUST_ANCHORS_FILE = env_str("C2PA_TRUST_ANCHORS_FILE")

# Publishing needs a second curator (or staff member) besides the one who submitted the clip;
# a site run by one curator waives that here, and the clip page says so.
TELLTALE_SINGLE_CURATOR_PUBLISHING = env_bool("TELLTALE_SINGLE_CURATOR_PUBLISHING")

# The detector analyses every clip once processing has made it ready (a task per clip).
DETECTOR_ANALYZE_AFTER_PROCESSING = env_bool("DETECTOR_ANALYZE_AFTER_PROCESSING", True)
# The weights committed with the code (fitted on the development media, with their held-out
# figures), scored with until media storage holds a fit of this library's own; "" falls back
# to the literature's uncalibrated defaults (the test suite does, unless a test asks).
DETECTOR_SHIPPED_WEIGHTS = env_str(
    "DETECTOR_SHIPPED_WEIGHTS",
    str(BASE_DIR / "media_library" / "detector" / "shipped_weights.json"),
)
# Without the detector after processing, a lighter task fingerprints each ready video clip and
# looks it up in the library (the analysis does both otherwise; docs/detector.md).
FINGERPRINT_AFTER_PROCESSING = env_bool("FINGERPRINT_AFTER_PROCESSING", True)

# Raw quiz answers older than this many months are folded into counts and deleted by
# `manage.py purge_answers` (docs/classrooms.md, "Retention"). 0 keeps them forever.
ANSWER_RETENTION_MONTHS = env_int("ANSWER_RETENTION_MONTHS", 0)

# Background work: django.tasks with the database backend; `manage.py db_worker` runs it.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Content Security Policy: nothing from third parties, scripts only from our origin with a nonce.
# MEDIA_ORIGINS names the object storage / CDN origin when MEDIA_SERVING is "storage".
MEDIA_ORIGINS = env_list("MEDIA_ORIGINS")
if STORAGES["default"]["BACKEND"] == S3_STORAGE_BACKEND:
    if MEDIA_SERVING == "x-accel":
        raise ImproperlyConfigured(
            "MEDIA_SERVING=x-accel needs files nginx can read from disk, not an S3 bucket: "
            "use MEDIA_SERVING=storage (presigned URLs) or django."
        )
    if MEDIA_SERVING == "storage" and not MEDIA_ORIGINS:
        # Browsers apply the CSP to the redirect's target: without the bucket's origin every
        # video and picture would be blocked.
        raise ImproperlyConfigured(
            "MEDIA_SERVING=storage sends browsers to presigned bucket URLs: set MEDIA_ORIGINS "
            "to their origin (e.g. https://telltale-media.s3.eu-west-1.amazonaws.com)."
        )
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:", *MEDIA_ORIGINS],
    "media-src": [CSP.SELF, "blob:", *MEDIA_ORIGINS],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
# Django's cookie-then-session messages, kept in the session alone inside a partner's frame.
MESSAGE_STORAGE = "campaigns.embedding.VisitMessageStorage"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
