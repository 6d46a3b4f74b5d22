"""manage.py purge_answers: old answers folded into counts, then deleted."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from media_library.models import Verdict
from quiz.management.commands.purge_answers import months_before
from quiz.models import Answer, AnswerAggregate, Attempt, TellTally
from tests.base import BaseTestCase
from tests.factories import (
    add_tell,
    answer_key,
    make_item,
    make_quiz,
    make_user,
    quizzable_clip,
    start,
)

DEC = datetime(2023, 12, 5, 12, tzinfo=UTC)
JAN = datetime(2024, 1, 15, 12, tzinfo=UTC)
FEB = datetime(2024, 2, 10, 12, tzinfo=UTC)


class PurgeTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        fake = quizzable_clip("Lip fake", Verdict.DEEPFAKE)
        add_tell(fake, "lip_sync")
        cls.fake_item = make_item(fake)
        cls.real_item = make_item(quizzable_clip("Real"))
        cls.quiz = make_quiz([cls.fake_item, cls.real_item], order="ordered")

    def answer_all(self, verdict: str, confidence: str) -> None:
        attempt = start(self.client, self.quiz)
        for position in (1, 2):
            key = answer_key(self.client, attempt, position)
            self.client.post(
                f"/attempts/{attempt.uid}/items/{position}/answer/",
                {"key": key, "verdict": verdict, "confidence": confidence},
            )

    def setUp(self) -> None:
        # student: fake right at 80 %, real wrong at 80 %, in January 2024.
        self.client.force_login(self.student)
        self.answer_all("deepfake", "80")
        Answer.objects.update(created_at=JAN)
        # A visitor: fake wrong at 90 %, real right at 90 %, in February 2024.
        self.client.logout()
        self.answer_all("real", "90")
        Answer.objects.filter(attempt__user__isnull=True).update(created_at=FEB)
        # outsider, today: kept.
        self.client.force_login(self.outsider)
        self.answer_all("deepfake", "70")

    def purge(self, *args: str) -> str:
        out = io.StringIO()
        call_command("purge_answers", *args, stdout=out)
        return out.getvalue()

    @override_settings(ANSWER_RETENTION_MONTHS=12)
    def test_it_folds_old_answers_into_monthly_and_per_tell_counts_then_deletes_them(self):
        self.assertIn("Folded and deleted 4 answers", self.purge())
        self.assertEqual(
            set(Answer.objects.values_list("attempt__user__username", flat=True)), {"outsider"}
        )
        rows = {
            (a.item_id, a.month): (a.answers, a.right, a.confident_answers, a.confidence_sum)
            for a in AnswerAggregate.objects.all()
        }
        self.assertEqual(
            rows,
            {
                (self.fake_item.pk, date(2024, 1, 1)): (1, 1, 1, 80),
                (self.real_item.pk, date(2024, 1, 1)): (1, 0, 1, 80),
                (self.fake_item.pk, date(2024, 2, 1)): (1, 0, 1, 90),
                (self.real_item.pk, date(2024, 2, 1)): (1, 1, 1, 90),
            },
        )
        # Visitors have no account to tally; the real clip has no tell.
        tally = TellTally.objects.get()
        self.assertEqual(
            (tally.student, tally.tell_category, tally.answers, tally.right),
            (self.student, "lip_sync", 1, 1),
        )

    @override_settings(ANSWER_RETENTION_MONTHS=12)
    def test_it_keeps_the_crowd_figure_whole(self):
        before = self.fake_item.crowd()
        self.purge()
        self.assertEqual(self.fake_item.crowd(), before)
        self.assertEqual((before.answers, before.right), (3, 2))

    @override_settings(ANSWER_RETENTION_MONTHS=12)
    def test_the_results_page_still_counts_purged_answers_in_the_crowd(self):
        self.purge()
        # outsider answered both items today; everyone else's four answers are counts now.
        attempt = Attempt.objects.get(user=self.outsider)
        crowd = self.client.get(f"/attempts/{attempt.uid}/results/").context["crowd"]
        self.assertEqual((crowd["answers"], crowd["right"]), (4, 2))

    @override_settings(ANSWER_RETENTION_MONTHS=12)
    def test_it_counts_without_changing_anything_on_a_dry_run(self):
        self.assertIn("Would fold and delete 4 answers", self.purge("--dry-run"))
        self.assertEqual(Answer.objects.count(), 6)
        self.assertFalse(AnswerAggregate.objects.exists())

    @override_settings(ANSWER_RETENTION_MONTHS=12)
    def test_it_counts_nothing_twice_when_run_again(self):
        self.purge()
        self.assertIn("Folded and deleted 0 answers", self.purge())
        self.assertEqual(sum(AnswerAggregate.objects.values_list("answers", flat=True)), 4)

    def test_it_keeps_everything_by_default(self):
        self.assertIn("kept forever", self.purge())
        self.assertEqual(Answer.objects.count(), 6)

    def test_it_counts_months_back_on_the_calendar(self):
        self.assertEqual(
            months_before(datetime(2025, 3, 31, tzinfo=UTC), 13),
            datetime(2024, 2, 29, tzinfo=UTC),
        )

    @override_settings(ANSWER_RETENTION_MONTHS=12)
    def test_it_takes_as_many_queries_for_four_answers_as_for_a_batch_of_many(self):
        with CaptureQueriesContext(connection) as four:
            self.assertIn("Folded and deleted 4 answers", self.purge())
        # Five more students and a visitor, over three months: more items x months, more
        # students x tells, the same queries (one batch: fold, then one DELETE).
        for n in range(5):
            self.client.force_login(make_user(f"purged_student_{n}"))
            self.answer_all("deepfake" if n % 2 else "real", str(60 + n))
        self.client.logout()
        self.answer_all("real", "95")
        recent = Answer.objects.exclude(attempt__user=self.outsider).order_by("pk")
        for index, pk in enumerate(recent.values_list("pk", flat=True)):
            Answer.objects.filter(pk=pk).update(created_at=(DEC, JAN, FEB)[index % 3])
        with CaptureQueriesContext(connection) as many:
            self.assertIn("Folded and deleted 12 answers", self.purge())
        self.assertEqual(len(many), len(four))
        # Every answer counted once, old months added to.
        self.assertEqual(sum(AnswerAggregate.objects.values_list("answers", flat=True)), 16)
        self.assertEqual(AnswerAggregate.objects.count(), 6)
        lip_sync = TellTally.objects.filter(tell_category="lip_sync")
        self.assertEqual(lip_sync.count(), 6)
        self.assertEqual(sum(lip_sync.values_list("answers", flat=True)), 6)
