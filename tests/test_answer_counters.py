"""The counters kept as answers arrive: each item's crowd count (quiz.CrowdCount) is always the
stored answers plus those the retention purge folded, and the item statistics' answer groups
(quiz.AnswerGroupCount) always give the figures the stored answers give, whatever repeats,
purges, deletions and concurrent answers do; the pages that read them make no more queries as
answers pile up."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime

from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from media_library.models import Verdict
from quiz.item_stats import counted_item_stats, item_stats
from quiz.models import Answer, AnswerAggregate, AnswerGroupCount, Attempt, CrowdCount, Item
from tests.base import BaseTestCase
from tests.classroom_helpers import ClassroomTestCase
from tests.factories import (
    answer_key,
    assign,
    make_item,
    make_quiz,
    make_user,
    quizzable_clip,
    start,
)

LONG_AGO = datetime(2024, 1, 15, 12, tzinfo=UTC)


def answer(client: Client, attempt: Attempt, position: int, verdict: str, key: str = ""):
    key = key or answer_key(client, attempt, position)
    return client.post(
        f"/attempts/{attempt.uid}/items/{position}/answer/",
        {"key": key, "verdict": verdict, "confidence": "80"},
    )


def assert_groups_match_the_answers(test, quizzes) -> None:
    """The kept groups give every figure the stored answers give: over all attempts (the item
    bank) and per quiz (its statistics page)."""
    test.assertEqual(counted_item_stats(), item_stats(Answer.objects.all()))
    for quiz in quizzes:
        test.assertEqual(
            counted_item_stats(quiz), item_stats(Answer.objects.filter(attempt__quiz=quiz))
        )


def counted(item: Item) -> tuple[int, int]:
    row = CrowdCount.objects.filter(item=item).first()
    return (row.answers, row.right) if row else (0, 0)


def kept(item: Item) -> tuple[int, int]:
    """What the crowd figure counted before the counters: stored answers plus folded ones."""
    answers = Answer.objects.filter(item=item)
    folded = AnswerAggregate.objects.filter(item=item)
    return (
        answers.count() + sum(a.answers for a in folded),
        answers.filter(is_correct=True).count() + sum(a.right for a in folded),
    )


class CrowdCountFixture(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.fake = make_item(quizzable_clip("Harbour speech fake", Verdict.DEEPFAKE))
        cls.real = make_item(quizzable_clip("Market square real"))
        cls.quiz = make_quiz([cls.fake, cls.real], order="ordered")
        cls.admin = make_user("site_admin", is_staff=True, is_superuser=True)

    def visitor_answers(self, fake_verdict: str, real_verdict: str = "real") -> Attempt:
        client = Client()
        attempt = start(client, self.quiz)
        answer(client, attempt, 1, fake_verdict)
        answer(client, attempt, 2, real_verdict)
        return attempt


class CountingTests(CrowdCountFixture):
    def test_each_stored_answer_counts_once_however_often_it_is_sent(self):
        attempt = start(self.client, self.quiz)
        key = answer_key(self.client, attempt, 1)
        for _repeat in range(3):
            self.assertEqual(answer(self.client, attempt, 1, "deepfake", key).status_code, 302)
        # Another answer to the same item of the same attempt is the first one returned.
        answer(self.client, attempt, 1, "real", str(uuid.uuid4()))
        self.assertEqual(counted(self.fake), (1, 1))
        answer(self.client, attempt, 2, "deepfake")
        self.assertEqual(counted(self.real), (1, 0))
        self.assertEqual(Answer.objects.filter(attempt=attempt).count(), 2)

    def test_the_reveal_sets_the_learner_beside_everyone_else(self):
        for verdict in ["deepfake", "deepfake", "real"]:
            self.visitor_answers(verdict)
        attempt = start(self.client, self.quiz)
        answer(self.client, attempt, 1, "real")
        self.assertEqual(counted(self.fake), (4, 2))
        page = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        self.assertIn("67 % of 3 answers were right.", page)

    @override_settings(ANSWER_RETENTION_MONTHS=12)
    def test_a_purge_leaves_every_count_and_every_crowd_figure_as_it_was(self):
        for verdict in ["deepfake", "real", "shallowfake"]:
            self.visitor_answers(verdict, real_verdict="deepfake")
        Answer.objects.update(created_at=LONG_AGO)
        self.visitor_answers("deepfake")
        before = counted(self.fake), counted(self.real)
        self.assertEqual(before, ((4, 2), (4, 1)))
        self.assertEqual((kept(self.fake), kept(self.real)), before)
        call_command("purge_answers", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertEqual(Answer.objects.count(), 2)
        self.assertEqual((counted(self.fake), counted(self.real)), before)
        self.assertEqual((kept(self.fake), kept(self.real)), before)
        attempt = start(self.client, self.quiz)
        answer(self.client, attempt, 1, "deepfake")
        page = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        self.assertIn("50 % of 4 answers were right.", page)
        self.assertEqual(counted(self.fake), (5, 3))

    def test_an_attempt_deleted_in_the_admin_takes_its_answers_out_of_the_counts(self):
        gone = self.visitor_answers("deepfake")
        self.visitor_answers("real", real_verdict="deepfake")
        self.client.force_login(self.admin)
        url = reverse("admin:quiz_attempt_delete", args=[gone.pk])
        self.assertRedirects(
            self.client.post(url, {"post": "yes"}), reverse("admin:quiz_attempt_changelist")
        )
        self.assertEqual((counted(self.fake), counted(self.real)), ((1, 0), (1, 0)))
        self.assertEqual((kept(self.fake), kept(self.real)), ((1, 0), (1, 0)))

    def test_answers_deleted_in_the_admin_leave_the_counts(self):
        attempt = self.visitor_answers("deepfake")
        self.visitor_answers("deepfake")
        self.client.force_login(self.admin)
        self.client.post(
            reverse("admin:quiz_answer_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": list(attempt.answers.values_list("pk", flat=True)),
                "post": "yes",
            },
        )
        self.assertEqual(Answer.objects.count(), 2)
        self.assertEqual((counted(self.fake), counted(self.real)), ((1, 1), (1, 1)))

    def test_recount_rebuilds_the_counts_from_the_answers_and_the_folded_months(self):
        self.visitor_answers("deepfake")
        self.visitor_answers("real")
        AnswerAggregate.objects.create(item=self.fake, month=date(2024, 1, 1), answers=7, right=2)
        CrowdCount.objects.filter(item=self.real).delete()
        CrowdCount.objects.filter(item=self.fake).update(answers=999)
        self.assertEqual(CrowdCount.objects.recount(), 2)
        self.assertEqual((counted(self.fake), counted(self.real)), ((9, 3), (2, 2)))


class AnswerGroupTests(BaseTestCase):
    """Two quizzes sharing an item; visitors who answer all, some or none of the items, right
    and wrong in different patterns, so that every statistic (discrimination included) has a
    value to get wrong."""

    PATTERNS = [
        ("deepfake", "real", "real"),
        ("deepfake", "deepfake", "real"),
        ("real", "real", "deepfake"),
        ("deepfake", "real", "shallowfake"),
        ("real", "deepfake", "real"),
        ("deepfake", "real", "real"),
        ("shallowfake", "real", ""),
        ("deepfake", "", ""),
    ]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.items = [
            make_item(quizzable_clip("Harbour speech fake", Verdict.DEEPFAKE)),
            make_item(quizzable_clip("Market square real")),
            make_item(quizzable_clip("Council meeting real")),
        ]
        cls.quiz = make_quiz(cls.items, order="ordered")
        cls.other_quiz = make_quiz(cls.items[:2], title="Two of them", order="ordered")
        cls.admin = make_user("site_admin", is_staff=True, is_superuser=True)

    def setUp(self) -> None:
        self.attempts = []
        for quiz in (self.quiz, self.other_quiz):
            for pattern in self.PATTERNS:
                client = Client()
                attempt = start(client, quiz)
                for position, verdict in enumerate(pattern[: quiz.entries.count()], start=1):
                    if verdict:
                        answer(client, attempt, position, verdict)
                self.attempts.append(attempt)

    def assert_match(self) -> None:
        assert_groups_match_the_answers(self, [self.quiz, self.other_quiz])

    def test_the_groups_give_the_answers_figures(self):
        self.assert_match()
        stats = counted_item_stats(self.quiz)
        self.assertEqual(stats[self.items[0].pk].answers, 8)
        self.assertIsNotNone(stats[self.items[0].pk].discrimination)

    def test_some_items_get_the_answers_counts_difficulty_and_confidence(self):
        # What pre/post dealing reads: the measured difficulty of the candidate items.
        some = [self.items[0].pk, self.items[2].pk]
        counted = counted_item_stats(item_ids=some)
        direct = item_stats(Answer.objects.filter(item__in=some))
        self.assertEqual(set(counted), set(some))
        for pk in some:
            self.assertEqual(
                (counted[pk].accuracy, counted[pk].mean_confidence),
                (direct[pk].accuracy, direct[pk].mean_confidence),
            )

    @override_settings(ANSWER_RETENTION_MONTHS=12)
    def test_a_purge_that_splits_attempts_regroups_what_is_left(self):
        Answer.objects.filter(item=self.items[0]).update(created_at=LONG_AGO)
        call_command("purge_answers", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertFalse(Answer.objects.filter(item=self.items[0]).exists())
        self.assertTrue(Answer.objects.filter(item=self.items[1]).exists())
        self.assert_match()

    def test_deletions_in_the_admin_regroup_the_attempts(self):
        self.client.force_login(self.admin)
        self.client.post(
            reverse("admin:quiz_attempt_delete", args=[self.attempts[0].pk]), {"post": "yes"}
        )
        self.assert_match()
        one = self.attempts[1].answers.get(item=self.items[1])
        self.client.post(reverse("admin:quiz_answer_delete", args=[one.pk]), {"post": "yes"})
        self.assertFalse(Answer.objects.filter(pk=one.pk).exists())
        self.assert_match()

    def test_recount_mends_groups_that_went_wrong(self):
        AnswerGroupCount.objects.filter(correct=True).update(answers=0)
        self.assertNotEqual(counted_item_stats(), item_stats(Answer.objects.all()))
        AnswerGroupCount.objects.recount()
        self.assert_match()


class DataRightsTests(ClassroomTestCase):
    def test_erasing_a_students_data_takes_their_answers_out_of_the_counts(self):
        item = make_item(quizzable_clip("Harbour fake", Verdict.DEEPFAKE))
        quiz = make_quiz([item], title="Week 1")
        assignment = assign(self.classroom, quiz)
        self.client.force_login(self.student)
        self.client.post(f"/me/classes/{self.classroom.code}/assignments/{assignment.pk}/start/")
        attempt = Attempt.objects.get(user=self.student)
        answer(self.client, attempt, 1, "deepfake")
        visitor = Client()
        answer(visitor, start(visitor, quiz), 1, "real")
        self.assertEqual(counted(item), (2, 1))
        self.client.force_login(self.teacher)
        self.client.post(self.url(f"students/{self.student.pk}/delete/"))
        self.assertFalse(Attempt.objects.filter(pk=attempt.pk).exists())
        self.assertEqual(counted(item), (1, 0))
        assert_groups_match_the_answers(self, [quiz])


class QueryCountTests(CrowdCountFixture):
    """The pages that summarise answers make as many queries with many answers as with few."""

    def queries(self, url: str, client: Client | None = None) -> int:
        client = client or self.client
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(client.get(url).status_code, 200)
        return len(captured)

    def pages(self, attempt: Attempt) -> dict[str, int]:
        self.client.force_login(self.student)
        learner = {
            "reveal": self.queries(f"/attempts/{attempt.uid}/items/1/"),
            "results": self.queries(f"/attempts/{attempt.uid}/results/"),
            "progress": self.queries("/me/progress/"),
        }
        self.client.force_login(self.curator)
        return {
            **learner,
            "item bank": self.queries("/build/items/"),
            "item statistics": self.queries(f"/build/quizzes/{self.quiz.slug}/stats/"),
            "quiz list": self.queries("/build/quizzes/"),
        }

    def test_no_page_makes_more_queries_as_answers_pile_up(self):
        self.client.force_login(self.student)
        attempt = start(self.client, self.quiz)
        answer(self.client, attempt, 1, "deepfake")
        answer(self.client, attempt, 2, "real")
        self.visitor_answers("real")
        few = self.pages(attempt)
        for verdict in ["deepfake", "real", "shallowfake"] * 4:
            self.visitor_answers(verdict, real_verdict=verdict)
        self.assertEqual(counted(self.fake), (14, 5))
        self.assertEqual(self.pages(attempt), few)


class FillMigrationTests(TransactionTestCase):
    """Migration 0007 counts what there was: the stored answers and the folded months for the
    crowd, the stored answers' groups for the item statistics."""

    def setUp(self) -> None:
        executor = MigrationExecutor(connection)
        latest = executor.loader.graph.leaf_nodes()
        self.addCleanup(MigrationExecutor(connection).migrate, latest)
        # Back to before the fill (quiz 0007, and the migrations after it: the translated
        # columns of 0008), and rows written through the models as they were then, which are
        # rows the counters never saw.
        before = ("quiz", "0006_answer_counters_and_unordered_answers")
        executor.migrate([before])
        self.fill(MigrationExecutor(connection).loader.project_state(before).apps)
        MigrationExecutor(connection).migrate(latest)

    def fill(self, apps) -> None:
        Item, Quiz, QuizItem, Attempt, Answer, Aggregate = (
            apps.get_model("quiz", name)
            for name in ("Item", "Quiz", "QuizItem", "Attempt", "Answer", "AnswerAggregate")
        )
        clips = [quizzable_clip(f"Old clip {n}") for n in range(3)]
        items = [Item.objects.create(clip_id=clip.pk, kind="verdict") for clip in clips]
        quiz = Quiz.objects.create(title="Old quiz", slug="old-quiz", mode="practice")
        for position, item in enumerate(items[:2], start=1):
            QuizItem.objects.create(quiz=quiz, item=item, position=position)
        self.fake, self.real, self.folded_only = (item.pk for item in items)
        for outcomes in [(True, False), (True, True), (False, True)]:
            attempt = Attempt.objects.create(quiz=quiz, mode=quiz.mode)
            for position, (item, correct) in enumerate(
                zip(items[:2], outcomes, strict=True), start=1
            ):
                Answer.objects.create(
                    attempt=attempt,
                    item=item,
                    entry=attempt.entries.create(item=item, position=position),
                    key=uuid.uuid4(),
                    is_correct=correct,
                    score=float(correct),
                )
        Aggregate.objects.create(item=items[0], month=date(2024, 1, 1), answers=40, right=25)
        Aggregate.objects.create(item=items[0], month=date(2024, 2, 1), answers=10, right=1)
        Aggregate.objects.create(item=items[2], month=date(2024, 2, 1), answers=6, right=6)
        self.assertFalse(CrowdCount.objects.exists() or AnswerGroupCount.objects.exists())

    def test_it_counts_the_stored_answers_and_the_folded_months(self):
        counts = {c.item_id: (c.answers, c.right) for c in CrowdCount.objects.all()}
        self.assertEqual(counts, {self.fake: (53, 28), self.real: (3, 2), self.folded_only: (6, 6)})


class ConcurrentAnswerTests(TransactionTestCase):
    """Many visitors answering the same item at the same moment, each in its own thread with
    its own database connection (run on PostgreSQL with DATABASE_URL): no count is lost, and
    replays racing each other count once."""

    VISITORS = 8

    def setUp(self) -> None:
        self.item = make_item(quizzable_clip("Harbour speech fake", Verdict.DEEPFAKE))
        self.quiz = make_quiz([self.item])

    def at_once(self, posts: list) -> list[int]:
        barrier = threading.Barrier(len(posts))
        statuses: list[int] = []

        def post(send) -> None:
            try:
                barrier.wait()
                statuses.append(send().status_code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=post, args=(send,)) for send in posts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return statuses

    def visitor_post(self, verdict: str, key: str = ""):
        client = Client()
        attempt = start(client, self.quiz)
        key = key or answer_key(client, attempt, 1)
        return lambda: answer(client, attempt, 1, verdict, key)

    def test_concurrent_first_answers_to_one_item_all_count(self):
        verdicts = ["deepfake", "real"] * (self.VISITORS // 2)
        statuses = self.at_once([self.visitor_post(verdict) for verdict in verdicts])
        self.assertEqual(statuses, [302] * self.VISITORS)
        self.assertEqual(Answer.objects.count(), self.VISITORS)
        self.assertEqual(counted(self.item), (self.VISITORS, self.VISITORS // 2))

    def test_replays_racing_each_other_count_once(self):
        client = Client()
        attempt = start(client, self.quiz)
        key = answer_key(client, attempt, 1)
        cookies = client.cookies

        def replay():
            other = Client()
            other.cookies = cookies
            return answer(other, attempt, 1, "deepfake", key)

        statuses = self.at_once([replay] * self.VISITORS)
        self.assertEqual(statuses, [302] * self.VISITORS)
        self.assertEqual(counted(self.item), (1, 1))

    def test_answers_to_one_attempts_items_at_once_regroup_it_right(self):
        items = [make_item(quizzable_clip(f"Clip {n}", Verdict.DEEPFAKE)) for n in range(6)]
        quiz = make_quiz(items, title="Six at once", order="ordered")
        verdicts = ["deepfake", "real", "deepfake", "deepfake", "real", "deepfake"]
        for _visitor in range(2):
            client = Client()
            attempt = start(client, quiz)
            keys = [answer_key(client, attempt, n) for n in range(1, 7)]
            cookies = client.cookies

            def post(position: int, attempt=attempt, keys=keys, cookies=cookies):
                other = Client()
                other.cookies = cookies
                return lambda: answer(
                    other, attempt, position, verdicts[position - 1], keys[position - 1]
                )

            statuses = self.at_once([post(n) for n in range(1, 7)])
            self.assertEqual(statuses, [302] * 6)
        self.assertEqual(Answer.objects.filter(attempt__quiz=quiz).count(), 12)
        assert_groups_match_the_answers(self, [quiz])
