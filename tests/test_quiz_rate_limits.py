"""Rate limits on starting attempts and posting answers: a flood is refused with 429 before any
query, and nothing it sent is stored."""

from __future__ import annotations

from django.test import Client, override_settings

from media_library.models import Verdict
from quiz.models import Answer, Attempt
from tests.base import BaseTestCase
from tests.factories import answer_key, make_item, make_quiz, quizzable_clip, start


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
        self.assertEqual(Answer.objects.filter(attempt=attempt).count(), 2)

    @override_settings(QUIZ_ANSWERS_PER_MINUTE=0, QUIZ_STARTS_PER_SESSION=0)
    def test_zero_means_no_limit(self):
        for _try in range(25):
            start(self.client, self.quiz)
