"""Rate limits on starting attempts and posting answers: a flood is refused with 429 before any
query, and nothing it sent is stored. The answer rules run here on the local-memory cache of
`make run` and again on the machine's Redis, the cache several web processes share: there a
class of 30 behind one school address answers a quiz through, and a client hammering at 50
requests a second is refused without a wrong answer stored."""

from __future__ import annotations

import time

from django.conf import settings
from django.test import Client, override_settings

from media_library.models import Verdict
from quiz.models import Answer, Attempt
from tests.base import BaseTestCase
from tests.factories import answer_key, make_item, make_quiz, quizzable_clip, start
from tests.shared_cache import use_redis_cache

SCHOOL = "203.0.113.7"


class QuizRateLimitTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        items = [make_item(quizzable_clip(f"Clip {n}", Verdict.REAL)) for n in range(4)]
        cls.quiz = make_quiz(items)

    @override_settings(QUIZ_STARTS_PER_SESSION=3)
    def test_one_visitor_cannot_start_attempts_without_end(self):
        # The first start makes the visitor's session; the next three count against it.
        for _try in range(4):
            start(self.client, self.quiz)
        before = Attempt.objects.count()
        response = self.client.post(f"/quizzes/{self.quiz.slug}/start/")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "faster than anyone", status_code=429)
        self.assertEqual(Attempt.objects.count(), before)
        # Another visitor is not held back by the first one's count.
        self.assertEqual(Client().post(f"/quizzes/{self.quiz.slug}/start/").status_code, 302)

    @override_settings(QUIZ_STARTS_PER_ADDRESS=4)
    def test_dropping_the_cookie_does_not_escape_the_address_limit(self):
        for _try in range(4):
            self.assertEqual(Client().post(f"/quizzes/{self.quiz.slug}/start/").status_code, 302)
        self.assertEqual(Client().post(f"/quizzes/{self.quiz.slug}/start/").status_code, 429)
        other = Client(REMOTE_ADDR="192.0.2.50")
        self.assertEqual(other.post(f"/quizzes/{self.quiz.slug}/start/").status_code, 302)

    @override_settings(QUIZ_ANSWERS_PER_MINUTE=2)
    def test_a_session_posting_answers_faster_than_a_person_is_refused(self):
        attempt = start(self.client, self.quiz)
        codes = []
        for position in (1, 2, 3):
            key = answer_key(self.client, attempt, position)
            response = self.client.post(
                f"/attempts/{attempt.uid}/items/{position}/answer/",
                {"key": key, "verdict": "real", "confidence": "70"},
            )
            codes.append(response.status_code)
        self.assertEqual(codes, [302, 302, 429])
        # The window opened a moment ago: the wait is what is left of it, never more.
        self.assertIn(int(response["Retry-After"]), range(1, 61))
        self.assertEqual(Answer.objects.filter(attempt=attempt).count(), 2)

    @override_settings(QUIZ_ANSWERS_PER_ADDRESS=5, QUIZ_STARTS_PER_ADDRESS=0)
    def test_a_visitor_who_drops_their_cookie_is_held_by_the_address_rule(self):
        # Each answer from a fresh session: the session rule never sees the same one twice.
        codes = []
        for _visitor in range(6):
            visitor = Client(REMOTE_ADDR=SCHOOL)
            attempt = start(visitor, self.quiz)
            response = visitor.post(
                f"/attempts/{attempt.uid}/items/1/answer/",
                {"key": answer_key(visitor, attempt, 1), "verdict": "real", "confidence": "70"},
            )
            codes.append(response.status_code)
        self.assertEqual(codes, [302] * 5 + [429])
        self.assertEqual(Answer.objects.count(), 5)
        elsewhere = Client(REMOTE_ADDR="198.51.100.9")
        attempt = start(elsewhere, self.quiz)
        response = elsewhere.post(
            f"/attempts/{attempt.uid}/items/1/answer/",
            {"key": answer_key(elsewhere, attempt, 1), "verdict": "real", "confidence": "70"},
        )
        self.assertEqual(response.status_code, 302)

    @override_settings(QUIZ_ANSWERS_PER_MINUTE=0, QUIZ_STARTS_PER_SESSION=0)
    def test_zero_means_no_limit(self):
        for _try in range(25):
            start(self.client, self.quiz)


# Redis databases of this file's own (see tests/shared_cache.py).
REDIS_DATABASES = {"sqlite": 10, "postgresql": 11}


class SharedCacheQuizRateLimitTests(QuizRateLimitTests):
    """The same rules on the machine's Redis, with the classroom and the bot at the default
    limits."""

    CLASS_SIZE = 30
    BOT_RATE = 50  # requests a second

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        items = [
            make_item(quizzable_clip(f"Class clip {n}", (Verdict.REAL, Verdict.DEEPFAKE)[n % 2]))
            for n in range(8)
        ]
        cls.lesson_quiz = make_quiz(items, title="Class quiz")
        # More items than a minute's answers, so refused answers have items left to land on.
        items = [
            make_item(quizzable_clip(f"Bot clip {n}", (Verdict.REAL, Verdict.DEEPFAKE)[n % 2]))
            for n in range(settings.QUIZ_ANSWERS_PER_MINUTE // 2 + 20)
        ]
        cls.long_quiz = make_quiz(items, title="Long quiz")

    def setUp(self) -> None:
        use_redis_cache(self, REDIS_DATABASES)
        super().setUp()

    def test_a_class_behind_one_school_address_answers_a_whole_quiz(self):
        students = [Client(REMOTE_ADDR=SCHOOL) for _student in range(self.CLASS_SIZE)]
        attempts = [start(student, self.lesson_quiz) for student in students]
        total = self.lesson_quiz.entries.count()
        refused = []
        # Item by item, the whole class together: the address sees every answer in a minute.
        for position in range(1, total + 1):
            for student, attempt in zip(students, attempts, strict=True):
                response = student.post(
                    f"/attempts/{attempt.uid}/items/{position}/answer/",
                    {
                        "key": answer_key(student, attempt, position),
                        "verdict": "real",
                        "confidence": "60",
                    },
                )
                if response.status_code != 302:
                    refused.append((attempt.pk, position, response.status_code))
        self.assertEqual(refused, [])
        self.assertEqual(Answer.objects.count(), self.CLASS_SIZE * total)
        for student, attempt in zip(students, attempts, strict=True):
            page = student.get(f"/attempts/{attempt.uid}/results/")
            self.assertNotContains(page, "The full results appear when you finish")
            self.assertContains(page, f"of {total} right")

    def test_a_client_hammering_is_refused_and_its_answers_stay_right(self):
        bot = Client(REMOTE_ADDR=SCHOOL)
        attempt = start(bot, self.long_quiz)
        entries = list(attempt.entries.select_related("item__clip").order_by("position"))
        keys = {entry.position: answer_key(bot, attempt, entry.position) for entry in entries}
        limit = settings.QUIZ_ANSWERS_PER_MINUTE
        # Every item twice in a row (a double click), the second time with another confidence.
        posts = [(entry.position, confidence) for entry in entries for confidence in (70, 90)]
        sent = []  # (position, status, Retry-After, sent at, answered at)
        began = time.monotonic()
        for n, (position, confidence) in enumerate(posts):
            # Paced to BOT_RATE requests a second (or as fast as the server answers).
            time.sleep(max(0.0, began + n / self.BOT_RATE - time.monotonic()))
            at = time.monotonic()
            response = bot.post(
                f"/attempts/{attempt.uid}/items/{position}/answer/",
                {"key": keys[position], "verdict": "real", "confidence": str(confidence)},
            )
            answered = time.monotonic()
            sent.append((position, response.status_code, response.get("Retry-After"), at, answered))

        statuses = [status for _position, status, *_times in sent]
        self.assertEqual(statuses, [302] * limit + [429] * (len(posts) - limit))
        # Retry-After is what is left of the window the first request opened, in whole seconds.
        first_sent, first_answered = sent[0][3], sent[0][4]
        for _position, _status, retry_after, at, answered in sent[limit:]:
            shortest = int(first_sent + 60 - answered)
            longest = int(first_answered + 60 - at) + 1
            self.assertIn(int(retry_after), range(shortest, longest + 1))
        self.assertLess(int(sent[-1][2]), 60)

        # Each accepted answer stored once, with its first confidence; nothing refused stored.
        accepted = sorted({position for position, status, *_rest in sent if status == 302})
        self.assertEqual(accepted, list(range(1, limit // 2 + 1)))
        stored = Answer.objects.filter(attempt=attempt).order_by("entry__position")
        self.assertEqual(
            [(answer.entry.position, answer.confidence, answer.verdict) for answer in stored],
            [(position, 70, "real") for position in accepted],
        )
        # The results page counts exactly those answers, and scores them against the truth.
        right = sum(entry.item.clip.verdict == Verdict.REAL for entry in entries[: len(accepted)])
        page = bot.get(f"/attempts/{attempt.uid}/results/")
        self.assertContains(page, f"You have answered {len(accepted)} of {len(entries)} items.")
        self.assertContains(page, f"{right} of {len(accepted)} right")


class RedisAwayTests(BaseTestCase):
    """Limits slow floods down; a Redis that is down must not take answering down with it."""

    @override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                # Nothing listens on port 1: every connection is refused at once.
                "LOCATION": "redis://127.0.0.1:1/0",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        },
        QUIZ_STARTS_PER_SESSION=0,
        QUIZ_STARTS_PER_ADDRESS=0,
    )
    def test_answers_are_taken_and_the_log_says_the_limits_were_not_counted(self):
        quiz = make_quiz([make_item(quizzable_clip("Lonely clip", Verdict.REAL))])
        attempt = start(self.client, quiz)
        with self.assertLogs("media_library.throttle", "ERROR") as logs:
            response = self.client.post(
                f"/attempts/{attempt.uid}/items/1/answer/",
                {"key": answer_key(self.client, attempt, 1), "verdict": "real", "confidence": "70"},
            )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Answer.objects.filter(attempt=attempt).count(), 1)
        self.assertIn("Rate limits not counted: Redis is not answering", logs.output[0])
