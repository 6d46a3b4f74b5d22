"""Log-in throttling: failed log-ins counted per account and per address, refused past the limit
before any password is checked, with one message whether or not the account exists."""

from __future__ import annotations

from django.test import override_settings

from tests.base import BaseTestCase
from tests.shared_cache import use_redis_cache

LOGIN = "/accounts/login/"
REFUSED = "Too many failed log-ins"


class LoginThrottleTests(BaseTestCase):
    def log_in(self, username: str, password: str, address: str = "10.0.0.1"):
        return self.client.post(
            LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def test_it_locks_an_account_after_five_failures_even_with_the_right_password(self):
        for _try in range(5):
            self.assertEqual(self.log_in("student", "wrong").status_code, 200)
        response = self.log_in("student", "password")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, REFUSED, status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_refuses_before_checking_the_password(self):
        for _try in range(5):
            self.log_in("student", "wrong")
        with self.assertNumQueries(0):
            self.log_in("student", "password")

    def test_the_lock_is_per_account_and_counts_any_spelling_of_the_name(self):
        for _try in range(5):
            self.log_in("STUDENT ", "wrong")
        self.assertEqual(self.log_in("student", "password").status_code, 429)
        response = self.log_in("teacher", "password")
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_an_unknown_username_gets_the_same_answer_as_a_real_one(self):
        for name in ("student", "nobody-by-this-name"):
            for _try in range(5):
                self.log_in(name, "wrong")
            self.assertContains(self.log_in(name, "x"), REFUSED, status_code=429)

    @override_settings(LOGIN_FAILURES_PER_ADDRESS=3)
    def test_it_limits_one_address_trying_many_accounts(self):
        for name in ("a1", "a2", "a3"):
            self.log_in(name, "wrong", address="10.9.9.9")
        self.assertEqual(self.log_in("student", "password", address="10.9.9.9").status_code, 429)
        response = self.log_in("student", "password", address="10.1.1.1")
        self.assertEqual(response.status_code, 302)

    @override_settings(CLIENT_ADDRESS_HEADER="HTTP_X_REAL_IP", LOGIN_FAILURES_PER_ADDRESS=2)
    def test_behind_a_proxy_it_counts_the_address_the_proxy_names(self):
        for name in ("a1", "a2"):
            self.client.post(
                LOGIN,
                {"username": name, "password": "x"},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_REAL_IP="203.0.113.7",
            )
        refused = self.client.post(
            LOGIN,
            {"username": "student", "password": "password"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_REAL_IP="203.0.113.7",
        )
        self.assertEqual(refused.status_code, 429)
        other = self.client.post(
            LOGIN,
            {"username": "student", "password": "password"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_REAL_IP="203.0.113.8",
        )
        self.assertEqual(other.status_code, 302)

    def test_a_successful_log_in_clears_the_accounts_failures(self):
        for _try in range(4):
            self.log_in("student", "wrong")
        self.assertEqual(self.log_in("student", "password").status_code, 302)
        self.client.logout()
        for _try in range(4):
            self.log_in("student", "wrong")
        self.assertEqual(self.log_in("student", "password").status_code, 302)


# Redis databases of this file's own (see tests/shared_cache.py).
REDIS_DATABASES = {"sqlite": 15, "postgresql": 14}


class SharedCacheThrottleTests(LoginThrottleTests):
    """The same rules against the machine's Redis, the cache production shares between processes."""

    def setUp(self) -> None:
        use_redis_cache(self, REDIS_DATABASES)
        super().setUp()
