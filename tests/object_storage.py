"""A real S3-compatible server for the object-storage tests: moto's standalone server
(`moto[server]`, requirements-dev.txt), started in a subprocess on a free loopback port.

`MotoServer.start()` returns a running server or raises unittest.SkipTest when it cannot be
started (moto absent, or the process never answers); `bucket()` creates a fresh bucket and
`storages()` the STORAGES setting that points media storage at it, exactly as
config/settings.py builds it from MEDIA_S3_* (docs/deployment.md, "S3-compatible storage"), and
`env()` those variables for another process. `ObjectStorageTestCase` gives each test a bucket.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import unittest
import urllib.request
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.test import override_settings

from tests.base import IsolatedMediaTestCase

REGION = "eu-west-1"
# moto accepts any credentials; these only have to be the same on both sides.
ACCESS_KEY = "telltale-tests"
SECRET_KEY = "telltale-tests-secret"
START_TIMEOUT_SECONDS = 20


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MotoServer:
    port: int = 0
    process: subprocess.Popen | None = None
    buckets: list[str] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls) -> MotoServer:
        if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
            raise unittest.SkipTest("moto[server] is not installed (requirements-dev.txt)")
        server = cls(port=free_port())
        # The server's own AWS variables must not leak in from the developer's shell.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        server.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(server.port)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                break
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{server.endpoint}/moto-api/", timeout=1),  # noqa: S310
            ):
                # Answered, and by our process (not one that took the port before it could).
                if server.process.poll() is None:
                    return server
            time.sleep(0.1)
        server.stop()
        raise unittest.SkipTest(f"moto_server did not start on 127.0.0.1:{server.port}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def bucket(self) -> str:
        name = f"telltale-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        self.buckets.append(name)
        return name

    def keys(self, bucket: str) -> list[str]:
        """Every object key in the bucket, listed by the S3 API itself."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def env(self, bucket: str) -> dict[str, str]:
        """The environment that points a process's media storage at `bucket` (a manage.py
        command, a worker, gunicorn): the variables docs/deployment.md documents."""
        return {
            "MEDIA_S3_BUCKET": bucket,
            "MEDIA_S3_ENDPOINT_URL": self.endpoint,
            "MEDIA_S3_REGION": REGION,
            "MEDIA_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "MEDIA_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def storages(self, bucket: str) -> dict:
        """STORAGES with media in `bucket`, the options config/settings.py gives S3Storage."""
        from config.settings import s3_storage_options

        options = s3_storage_options(
            bucket=bucket,
            endpoint_url=self.endpoint,
            region=REGION,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            url_expire_seconds=600,
        )
        return {
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        }


def skip_unless_sqlite_run() -> None:
    """The object-storage tests run once: CI runs the whole suite on SQLite and again on
    PostgreSQL, and what they test (the storage API against S3) does not depend on the
    database, so they run in the SQLite run only."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise unittest.SkipTest(
            "object-storage tests run once, in the SQLite run: DATABASE_URL points at "
            "PostgreSQL, and CI runs the suite on both"
        )


class ObjectStorageTestCase(IsolatedMediaTestCase):
    """Media storage in a fresh bucket for each test (MEDIA_ROOT stays empty), on one moto
    server the class starts and stops; MEDIA_WORK_DIR is per test, as in its base class."""

    @classmethod
    def setUpClass(cls) -> None:
        skip_unless_sqlite_run()
        cls.s3 = MotoServer.start()
        cls.addClassCleanup(cls.s3.stop)
        super().setUpClass()

    def setUp(self) -> None:
        super().setUp()
        self.bucket = self.s3.bucket()
        storages = override_settings(STORAGES=self.s3.storages(self.bucket))
        storages.enable()
        self.addCleanup(storages.disable)

    def keys(self) -> list[str]:
        return self.s3.keys(self.bucket)

    def s3_calls(self) -> list[tuple[str, str]]:
        """The S3 operations media storage sends from now on, with the Range of each GET:
        botocore's own event hooks on the storage's client (nothing is replaced)."""
        calls: list[tuple[str, str]] = []
        events = default_storage.connection.meta.client.meta.events

        def record(params: dict, event_name: str, **kwargs) -> None:
            calls.append((event_name.rsplit(".", 1)[-1], params.get("Range", "")))

        for operation in ("GetObject", "HeadObject"):
            events.register(f"before-parameter-build.s3.{operation}", record)
            self.addCleanup(events.unregister, f"before-parameter-build.s3.{operation}", record)
        return calls

    def stored_bytes(self, name: str) -> bytes:
        return self.s3.client().get_object(Bucket=self.bucket, Key=name)["Body"].read()
