"""Several web processes behind one address, as docs/deployment.md's "Scaling out" runs them:
two real gunicorn processes on two loopback ports, one database (the test database) and one
Redis (the machine's). A visitor whose requests alternate between them, as a load balancer
would send them, keeps the session the first one started, and the rate limit counts the
answers given to both together."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.test import TransactionTestCase

from media_library.models import Verdict
from quiz.models import Answer, Attempt
from tests.factories import make_item, make_quiz, quizzable_clip
from tests.shared_cache import redis_answering, redis_url
from tests.test_worker import database_url

HOST = "127.0.0.1"
# Redis databases of this file's own (see tests/shared_cache.py).
REDIS_DATABASES = {"sqlite": 12, "postgresql": 13}
ANSWERS_PER_MINUTE = 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to look at (which server, which status), not to follow."""

    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """A browser's cookie jar: cookies are per host, not per port, so one visitor's session
    cookie goes to both servers, as it would to one name behind a load balancer."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirects()
        )

    def request(self, port: int, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = None
        if data is not None:
            token = next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        try:
            with self.opener.open(f"http://{HOST}:{port}{path}", body, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def answer(self, port: int, uid: str, position: int) -> tuple[int, dict, str]:
        status, _headers, page = self.request(port, f"/attempts/{uid}/items/{position}/")
        assert status == 200, (status, page[:500])
        key = re.search(r'name="key" value="([0-9a-f-]{36})"', page).group(1)
        return self.request(
            port,
            f"/attempts/{uid}/items/{position}/answer/",
            {"key": key, "verdict": "real", "confidence": "80"},
        )


@pytest.mark.server
class TwoWebProcessesTests(TransactionTestCase):
    def setUp(self) -> None:
        if not redis_answering():
            self.skipTest("no Redis answering PING on 127.0.0.1:6379")
        self.redis_url = redis_url(REDIS_DATABASES)
        redis.Redis.from_url(self.redis_url).flushdb()
        self.addCleanup(lambda: redis.Redis.from_url(self.redis_url).flushdb())
        items = [make_item(quizzable_clip(f"Clip {n}", Verdict.REAL)) for n in range(6)]
        self.quiz = make_quiz(items)
        self.logs = Path(tempfile.mkdtemp(prefix="telltale-gunicorn-"))
        self.addCleanup(shutil.rmtree, self.logs, ignore_errors=True)
        self.ports = [self.start_server(name) for name in ("first", "second")]

    def start_server(self, name: str) -> int:
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.redis_url,
            "DEBUG": "0",
            "ALLOWED_HOSTS": HOST,
            "QUIZ_ANSWERS_PER_MINUTE": str(ANSWERS_PER_MINUTE),
            "LOG_LEVEL": "WARNING",
        }
        env.pop("DATABASE_TEST_NAME", None)
        env.pop("CACHE_URL", None)
        log = self.logs / f"{name}.log"
        with log.open("wb") as output:
            server = subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
                    *("--chdir", str(settings.BASE_DIR), "--bind", f"{HOST}:{port}"),
                    *("--workers", "1", "--log-level", "warning"),
                ],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.addCleanup(stop, server)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                self.fail(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
            try:
                urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=2).close()
                return port
            except OSError:
                time.sleep(0.2)
        self.fail(f"gunicorn did not answer within 60 s:\n{log.read_text()}")

    def test_a_session_and_a_rate_limit_count_started_on_one_are_seen_by_the_other(self):
        first, second = self.ports
        visitor = Visitor()
        # The session starts on the first server ...
        status, _headers, page = visitor.request(first, f"/quizzes/{self.quiz.slug}/")
        self.assertEqual(status, 200, page[:500])
        status, headers, _page = visitor.request(first, f"/quizzes/{self.quiz.slug}/start/", {})
        self.assertEqual(status, 302)
        uid = re.search(r"/attempts/([0-9a-f-]{36})/items/1/", headers["Location"]).group(1)
        self.assertEqual(str(Attempt.objects.get().uid), uid)
        # ... and the second one knows the attempt is this visitor's (a stranger gets a 404).
        self.assertEqual(visitor.request(second, f"/attempts/{uid}/items/1/")[0], 200)
        self.assertEqual(Visitor().request(second, f"/attempts/{uid}/items/1/")[0], 404)

        # Answers alternate between the servers; the limit counts them all, wherever given.
        statuses = []
        for position, port in zip(range(1, 6), [first, second, first, second, first], strict=True):
            status, headers, _page = visitor.answer(port, uid, position)
            statuses.append((port, status, headers.get("Retry-After")))
        accepted = [(port, status) for port, status, _retry in statuses[:ANSWERS_PER_MINUTE]]
        self.assertEqual(accepted, [(first, 302), (second, 302), (first, 302)])
        for port, status, retry_after in statuses[ANSWERS_PER_MINUTE:]:
            self.assertEqual(status, 429, port)
            self.assertIn(int(retry_after), range(1, 61))
        self.assertEqual(Answer.objects.count(), ANSWERS_PER_MINUTE)


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()  # gunicorn: graceful stop of its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
