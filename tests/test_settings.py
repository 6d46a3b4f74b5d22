from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase

from config.settings import database_from_url, env_bool, media_storage


def run_check(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "TELLTALE_ALLOW_DEV_SECRET"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


class SecretKeyTests(SimpleTestCase):
    def test_it_refuses_to_start_with_the_dev_secret_when_debug_is_off(self) -> None:
        result = run_check(DEBUG="0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY is the development default while DEBUG is off", result.stderr)

    def test_it_starts_with_the_dev_secret_in_debug(self) -> None:
        result = run_check(DEBUG="1")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_it_starts_with_a_real_secret(self) -> None:
        result = run_check(
            DEBUG="0", SECRET_KEY="a-real-and-long-production-secret-value-0123456789"
        )
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_it_refuses_a_short_secret_when_debug_is_off(self) -> None:
        result = run_check(DEBUG="0", SECRET_KEY="x" * 10 + "abcdefghijklmnopqrstuvwxyz0123456")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(
            "ImproperlyConfigured: SECRET_KEY is too weak while DEBUG is off: it has 43 "
            "characters (33 different); it needs at least 50, with at least 5 different.",
            result.stderr,
        )

    def test_it_refuses_a_long_secret_of_few_characters_when_debug_is_off(self) -> None:
        result = run_check(DEBUG="0", SECRET_KEY="abab" * 20)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("it has 80 characters (2 different)", result.stderr)

    def test_a_short_secret_is_fine_in_debug(self) -> None:
        result = run_check(DEBUG="1", SECRET_KEY="short")
        self.assertEqual(result.returncode, 0, result.stderr)


class EnvBoolTests(SimpleTestCase):
    def read(self, value: str, default: bool = False) -> bool:
        with mock.patch.dict(os.environ, {"TELLTALE_TEST_FLAG": value}):
            return env_bool("TELLTALE_TEST_FLAG", default)

    def test_it_reads_the_usual_spellings_in_any_case(self) -> None:
        for value in ("1", "true", "True", "YES", "on", " On "):
            with self.subTest(value=value):
                self.assertIs(self.read(value), True)
        for value in ("0", "false", "FALSE", "No", "off"):
            with self.subTest(value=value):
                self.assertIs(self.read(value, default=True), False)

    def test_unset_or_empty_is_the_default(self) -> None:
        self.assertIs(self.read("", default=True), True)
        self.assertIs(self.read("  ", default=True), True)
        with mock.patch.dict(os.environ):
            os.environ.pop("TELLTALE_TEST_FLAG", None)
            self.assertIs(env_bool("TELLTALE_TEST_FLAG", True), True)

    def test_it_refuses_a_value_it_does_not_recognise(self) -> None:
        for value in ("ture", "2", "enabled"):
            with (
                self.subTest(value=value),
                self.assertRaisesMessage(
                    ImproperlyConfigured, f"TELLTALE_TEST_FLAG='{value}' is not a yes/no value"
                ),
            ):
                self.read(value)

    def test_the_app_does_not_start_with_a_typo_in_a_flag(self) -> None:
        result = run_check(DEBUG="1", SECURE_COOKIES="ture")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(
            "ImproperlyConfigured: SECURE_COOKIES='ture' is not a yes/no value", result.stderr
        )


class DatabaseUrlTests(SimpleTestCase):
    def test_it_reads_postgres_urls_with_a_pool(self) -> None:
        db = database_from_url("postgres://tt:s%40cret@db.internal:5433/telltale?sslmode=require")
        self.assertEqual(db["ENGINE"], "django.db.backends.postgresql")
        self.assertEqual(
            (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]),
            ("telltale", "tt", "s@cret", "db.internal", "5433"),
        )
        self.assertTrue(db["CONN_HEALTH_CHECKS"])
        self.assertEqual(db["CONN_MAX_AGE"], 0)
        self.assertIn("pool", db["OPTIONS"])
        self.assertEqual(db["OPTIONS"]["sslmode"], "require")

    def test_it_reads_absolute_and_relative_sqlite_urls_with_wal(self) -> None:
        absolute = database_from_url("sqlite:////tmp/telltale-url-test/db.sqlite3")
        self.assertEqual(absolute["NAME"], Path("/tmp/telltale-url-test/db.sqlite3"))
        self.assertIn("journal_mode=WAL", absolute["OPTIONS"]["init_command"])
        relative = database_from_url("sqlite:///var/other.sqlite3")
        self.assertEqual(relative["NAME"], settings.BASE_DIR / "var" / "other.sqlite3")

    def test_it_refuses_unknown_schemes(self) -> None:
        with self.assertRaisesMessage(ImproperlyConfigured, "'mysql' is not supported"):
            database_from_url("mysql://root@localhost/telltale")


S3_ENV = {
    "MEDIA_S3_BUCKET": "telltale-media",
    "MEDIA_S3_ENDPOINT_URL": "https://s3.example.net",
    "MEDIA_S3_REGION": "eu-west-1",
    "MEDIA_S3_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "MEDIA_S3_SECRET_ACCESS_KEY": "example-secret",
}
MEDIA_VARIABLES = ("MEDIA_STORAGE_BACKEND", "MEDIA_STORAGE_OPTIONS", "MEDIA_S3_")


class MediaStorageTests(SimpleTestCase):
    def storage(self, **env: str) -> dict:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(MEDIA_VARIABLES)}
        with mock.patch.dict(os.environ, {**clean, **env}, clear=True):
            return media_storage()

    def test_the_default_is_files_on_disk(self) -> None:
        self.assertEqual(
            self.storage(),
            {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {}},
        )

    def test_a_bucket_selects_s3_with_private_presigned_objects(self) -> None:
        storage = self.storage(**S3_ENV, MEDIA_S3_URL_EXPIRE_SECONDS="900")
        self.assertEqual(storage["BACKEND"], "storages.backends.s3.S3Storage")
        options = storage["OPTIONS"]
        self.assertEqual(
            {key: options[key] for key in ("bucket_name", "endpoint_url", "region_name")},
            {
                "bucket_name": "telltale-media",
                "endpoint_url": "https://s3.example.net",
                "region_name": "eu-west-1",
            },
        )
        self.assertEqual(
            (options["access_key"], options["secret_key"]), ("AKIDEXAMPLE", "example-secret")
        )
        self.assertIs(options["querystring_auth"], True)
        self.assertEqual(options["querystring_expire"], 900)
        self.assertIsNone(options["default_acl"])
        self.assertGreater(options["max_memory_size"], 0)

    def test_without_keys_boto3_finds_its_own_credentials(self) -> None:
        env = {k: v for k, v in S3_ENV.items() if "KEY" not in k}
        options = self.storage(**env)["OPTIONS"]
        self.assertNotIn("access_key", options)
        self.assertNotIn("secret_key", options)

    def test_json_options_add_to_the_bucket_settings(self) -> None:
        options = self.storage(
            **S3_ENV, MEDIA_STORAGE_OPTIONS='{"location": "telltale", "querystring_expire": 60}'
        )["OPTIONS"]
        self.assertEqual((options["location"], options["querystring_expire"]), ("telltale", 60))
        self.assertEqual(options["bucket_name"], "telltale-media")

    def test_the_backend_named_by_its_class_gets_the_same_defaults(self) -> None:
        storage = self.storage(
            MEDIA_STORAGE_BACKEND="storages.backends.s3.S3Storage",
            MEDIA_STORAGE_OPTIONS='{"bucket_name": "from-json"}',
        )
        self.assertEqual(storage["OPTIONS"]["bucket_name"], "from-json")
        self.assertIs(storage["OPTIONS"]["querystring_auth"], True)
        with self.assertRaisesMessage(ImproperlyConfigured, "needs a bucket"):
            self.storage(MEDIA_STORAGE_BACKEND="storages.backends.s3.S3Storage")

    def test_it_refuses_half_a_key_pair_and_two_backends(self) -> None:
        with self.assertRaisesMessage(ImproperlyConfigured, "MEDIA_S3_SECRET_ACCESS_KEY together"):
            self.storage(MEDIA_S3_BUCKET="b", MEDIA_S3_ACCESS_KEY_ID="AKIDEXAMPLE")
        with self.assertRaisesMessage(ImproperlyConfigured, "set one of them"):
            self.storage(MEDIA_S3_BUCKET="b", MEDIA_STORAGE_BACKEND="myapp.storage.OtherStorage")

    def test_the_app_does_not_start_with_s3_behind_x_accel_or_without_media_origins(self) -> None:
        result = run_check(DEBUG="1", MEDIA_SERVING="x-accel", **S3_ENV)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("MEDIA_SERVING=x-accel needs files nginx can read from disk", result.stderr)
        result = run_check(DEBUG="1", MEDIA_SERVING="storage", **S3_ENV)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("set MEDIA_ORIGINS to their origin", result.stderr)
        result = run_check(
            DEBUG="1", MEDIA_SERVING="storage", MEDIA_ORIGINS="https://s3.example.net", **S3_ENV
        )
        self.assertEqual(result.returncode, 0, result.stderr)


def settings_value(expression: str, **env: str) -> subprocess.CompletedProcess:
    """Print `expression` of the settings as config/settings.py makes them with `env`."""
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_URL"}}
    return subprocess.run(
        [sys.executable, "-c", f"from config import settings; print({expression})"],
        cwd=settings.BASE_DIR,
        env={**clean, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


class CacheSettingsTests(SimpleTestCase):
    CACHE = "settings.CACHES['default']['BACKEND'], settings.CACHES['default'].get('LOCATION')"

    def test_redis_url_puts_the_cache_in_redis(self) -> None:
        result = settings_value(self.CACHE, REDIS_URL="redis://cache.internal:6379/3")
        self.assertEqual(
            result.stdout.strip(),
            "django.core.cache.backends.redis.RedisCache redis://cache.internal:6379/3",
            result.stderr,
        )

    def test_cache_url_is_still_understood_as_its_older_name(self) -> None:
        result = settings_value(self.CACHE, CACHE_URL="redis://cache.internal:6379/4")
        self.assertEqual(
            result.stdout.strip(),
            "django.core.cache.backends.redis.RedisCache redis://cache.internal:6379/4",
            result.stderr,
        )

    def test_without_either_the_cache_is_local_memory_and_sessions_are_in_the_database(
        self,
    ) -> None:
        result = settings_value(f"{self.CACHE}, settings.SESSION_ENGINE")
        self.assertEqual(
            result.stdout.strip(),
            "django.core.cache.backends.locmem.LocMemCache None "
            "django.contrib.sessions.backends.db",
            result.stderr,
        )

    def test_two_different_caches_named_stop_start_up(self) -> None:
        result = settings_value(
            self.CACHE, REDIS_URL="redis://a.internal:6379/0", CACHE_URL="redis://b.internal/0"
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("REDIS_URL and CACHE_URL name different caches", result.stderr)
