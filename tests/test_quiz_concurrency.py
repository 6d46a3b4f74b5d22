"""Concurrent replays of one answer, from real threads with their own database connections:
exactly one row is stored and every request gets the stored answer back, not an error."""

from __future__ import annotations

import threading
import uuid

from django.db import connections
from django.test import Client, TransactionTestCase

from media_library.models import Verdict
from quiz.models import Answer, Attempt
from tests.factories import answer_key, make_item, make_quiz, quizzable_clip, start

CLIENTS = 8


class ConcurrentReplayTests(TransactionTestCase):
    def setUp(self) -> None:
        items = [make_item(quizzable_clip(f"Clip {n}", Verdict.REAL)) for n in range(3)]
        self.quiz = make_quiz(items)
        self.client = Client()
        self.attempt = start(self.client, self.quiz)

    def replay(self, data_for: callable) -> list[int]:
        url = f"/attempts/{self.attempt.uid}/items/1/answer/"
        cookies = self.client.cookies
        barrier = threading.Barrier(CLIENTS)
        statuses: list[int] = []

        def post(n: int) -> None:
            client = Client()
            client.cookies = cookies
            try:
                barrier.wait()
                statuses.append(client.post(url, data_for(n)).status_code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=post, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return statuses

    def test_the_same_post_replayed_at_once_stores_one_answer(self):
        key = answer_key(self.client, self.attempt, 1)
        statuses = self.replay(lambda n: {"key": key, "verdict": "real", "confidence": "80"})
        self.assertEqual(statuses, [302] * CLIENTS)
        self.assertEqual(Answer.objects.filter(attempt=self.attempt).count(), 1)

    def test_different_answers_racing_for_one_item_store_only_one(self):
        verdicts = ["real", "deepfake", "shallowfake"]
        statuses = self.replay(
            lambda n: {"key": uuid.uuid4(), "verdict": verdicts[n % 3], "confidence": "80"}
        )
        self.assertEqual(statuses, [302] * CLIENTS)
        self.assertEqual(Answer.objects.filter(attempt=self.attempt).count(), 1)
        self.assertFalse(Attempt.objects.get(pk=self.attempt.pk).is_finished)
