"""Pre-test and post-test: pools that share no clip (nor a fake and its original), matched on
difficulty, an optional delayed retest, and the learning gain checked against hand-computed
values."""

from __future__ import annotations

import io
import random
from datetime import timedelta

from django.core.management import call_command
from django.db import connection
from django.test import Client, SimpleTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lessons.models import AssignmentRole, PrePost
from lessons.models.gradebook import PairedChange, t_975
from lessons.pools import Candidate, deal, mean_difficulty
from media_library.models import Verdict
from quiz.models import Answer, AnswerAggregate, Attempt, Difficulty, Item, Quiz
from tests.classroom_helpers import ClassroomTestCase
from tests.factories import answer_key, make_item, make_quiz, make_user, quizzable_clip, start

WRONG = {Verdict.REAL: Verdict.DEEPFAKE, Verdict.DEEPFAKE: Verdict.REAL}


def when(hours: float) -> str:
    return (timezone.localtime() + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


class DealTests(SimpleTestCase):
    def test_it_deals_pools_of_matched_difficulty(self):
        rng = random.Random(7)
        candidates = [Candidate(n, (n,), p / 20) for n, p in enumerate(range(1, 21))]
        pre, post = deal(candidates, {}, pools=2, per_pool=10, rng=rng)
        self.assertEqual((len(pre), len(post)), (10, 10))
        # The snake deal keeps the means within one step of the sorted difficulties (0.05).
        self.assertLessEqual(abs(mean_difficulty(pre) - mean_difficulty(post)), 0.05)

    def test_it_keeps_a_fake_and_its_original_in_one_pool(self):
        # Items 1 and 2 show fakes of clip 10, item 4 shows clip 10 itself: one family, of
        # which exactly one item is dealt, into one pool. Items 3, 5-8 share nothing. Six
        # families for two pools of three: every family is dealt.
        originals = {1: 10, 2: 10, 3: None}
        candidates = [
            Candidate(1, (1,), 0.5),
            Candidate(2, (2,), 0.5),
            Candidate(3, (3,), 0.5),
            Candidate(4, (10,), 0.5),
            *(Candidate(n, (n,), n / 10) for n in range(5, 9)),
        ]
        family = {1, 2, 4}
        for seed in range(10):
            pools = deal(candidates, originals, pools=2, per_pool=3, rng=random.Random(seed))
            self.assertEqual([len(pool) for pool in pools], [3, 3])
            dealt = [family & {c.item_id for c in pool} for pool in pools]
            self.assertEqual(sorted(len(members) for members in dealt), [0, 1])

    def test_it_works_out_the_t_interval(self):
        self.assertEqual(t_975(2), 4.303)
        self.assertAlmostEqual(t_975(40), 2.021, places=3)
        self.assertAlmostEqual(t_975(120), 1.980, places=3)
        change = PairedChange.of([0.5, 0.0, 0.75])
        self.assertAlmostEqual(change.mean, 0.41667, places=4)
        self.assertAlmostEqual(change.sd, 0.38188, places=4)
        self.assertAlmostEqual(change.effect_size, 1.0911, places=3)
        self.assertAlmostEqual(change.low, 0.41667 - 0.94872, places=3)
        self.assertAlmostEqual(change.high, 0.41667 + 0.94872, places=3)
        self.assertTrue(PairedChange.of([0.5, 0.25]).too_few)


class PrePostTests(ClassroomTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.third_student = make_user("third_student")
        cls.classroom.join(cls.third_student)
        # Eight originals, each with a face swap made from it: eight families of two clips,
        # four easy and four hard.
        for n in range(8):
            real = quizzable_clip(f"Real {n}")
            fake = quizzable_clip(f"Fake {n}", Verdict.DEEPFAKE, original=real)
            level = Difficulty.HARD if n % 2 else Difficulty.EASY
            make_item(real, difficulty=level)
            make_item(fake, difficulty=level)

    def make_tests(self, **extra) -> PrePost:
        self.client.force_login(self.teacher)
        data = {
            "title": "Spring check",
            "items_per_test": 4,
            "item_kind": "verdict",
            "pre_due": when(-2),
            "post_opens": when(-1),
            "post_due": when(24 * 7),
            **extra,
        }
        response = self.client.post(self.url("pre-post/new/"), data)
        prepost = PrePost.objects.get(title="Spring check")
        self.assertRedirects(response, self.url(f"pre-post/{prepost.pk}/"))
        return prepost

    def family_clips(self, assignment) -> set[int]:
        clips = set()
        for item in assignment.quiz.items.select_related("clip"):
            clips |= {item.clip_id, item.clip.original_id or item.clip_id}
        return clips

    def test_it_deals_disjoint_pools_of_matched_difficulty(self):
        prepost = self.make_tests()
        pre = prepost.assignment(AssignmentRole.PRE_TEST)
        post = prepost.assignment(AssignmentRole.POST_TEST)
        self.assertEqual((pre.quiz.items.count(), post.quiz.items.count()), (4, 4))
        self.assertFalse(self.family_clips(pre) & self.family_clips(post))
        # Sorted h h h h e e e e and dealt in rounds of two: two of each per test.
        for test in (pre, post):
            levels = sorted(test.quiz.items.values_list("difficulty", flat=True))
            self.assertEqual(levels, ["easy", "easy", "hard", "hard"])
            self.assertFalse(test.quiz.is_published)

    def test_it_adds_a_delayed_retest_with_a_third_pool(self):
        # Eight families hold three tests of two.
        prepost = self.make_tests(retest_after_days=7, items_per_test=2)
        tests = [prepost.assignment(role) for role in AssignmentRole.values[1:]]
        self.assertEqual([test.quiz.items.count() for test in tests], [2, 2, 2])
        clips = [self.family_clips(test) for test in tests]
        self.assertFalse(clips[0] & clips[1] or clips[0] & clips[2] or clips[1] & clips[2])
        retest = tests[2]
        self.assertEqual(retest.opens_at, tests[1].due_at + timedelta(days=7))
        self.client.force_login(self.student)
        response = self.client.post(
            f"/me/classes/{self.classroom.code}/assignments/{retest.pk}/start/", follow=True
        )
        self.assertContains(response, "not open yet")
        self.assertFalse(Attempt.objects.filter(user=self.student).exists())

    def test_it_refuses_when_there_are_too_few_clips(self):
        self.client.force_login(self.teacher)
        response = self.client.post(
            self.url("pre-post/new/"),
            {
                "title": "Too many",
                "items_per_test": 4,
                "item_kind": "pair",
                "pre_due": when(1),
                "post_opens": when(2),
                "post_due": when(3),
            },
        )
        self.assertContains(
            response,
            "The pool holds 0 independent items (no two share a clip or its original), too few "
            "for 2 tests of at least 2 items each; add 8 more items on clips of different "
            "originals for 4 each (4 for 2 each).",
        )
        self.assertFalse(PrePost.objects.exists())

    def ask(self, **extra):
        self.client.force_login(self.teacher)
        data = {
            "title": "Asked too much",
            "items_per_test": 10,
            "item_kind": "verdict",
            "pre_due": when(1),
            "post_opens": when(2),
            "post_due": when(3),
            **extra,
        }
        return self.client.post(self.url("pre-post/new/"), data)

    def test_it_refuses_more_items_than_the_pool_holds_and_says_what_to_add(self):
        response = self.ask()
        self.assertNotContains(response, "The pre-test and post-test are set")
        self.assertContains(
            response,
            "The pool holds 8 independent items (no two share a clip or its original), so each "
            "of 2 tests can have 4; add 12 more items on clips of different originals for 10 "
            "each, or ask for 4.",
        )
        self.assertFalse(PrePost.objects.exists())
        self.assertFalse(Quiz.objects.filter(title__startswith="Asked too much").exists())

    def test_it_says_what_a_retest_costs_when_the_pool_is_too_small_for_three(self):
        response = self.ask(items_per_test=4, retest_after_days=14)
        self.assertContains(
            response,
            "so each of 3 tests can have 2; add 4 more items on clips of different originals "
            "for 4 each, or ask for 2. Without the delayed retest, the pre-test and post-test "
            "can have 4 each.",
        )
        self.assertFalse(PrePost.objects.exists())

    def test_it_shows_how_many_items_each_test_can_hold_on_the_form(self):
        self.client.force_login(self.teacher)
        response = self.client.get(self.url("pre-post/new/"))
        self.assertContains(response, "8 independent items (no two share a clip or its original)")
        self.assertContains(
            response, "Each test can have up to 4 items, or 2 with a delayed retest."
        )

    def take(self, user, assignment, right: int) -> None:
        client = Client()
        client.force_login(user)
        client.post(f"/me/classes/{self.classroom.code}/assignments/{assignment.pk}/start/")
        attempt = Attempt.objects.get(class_work__assignment=assignment, user=user)
        for entry in attempt.entries.select_related("item__clip"):
            truth = entry.item.clip.verdict
            said = truth if entry.position <= right else WRONG[truth]
            client.post(
                f"/attempts/{attempt.uid}/items/{entry.position}/answer/",
                {
                    "key": answer_key(client, attempt, entry.position),
                    "verdict": said,
                    "confidence": 70,
                },
            )
        attempt.refresh_from_db()
        assert attempt.is_finished

    def test_it_computes_the_learning_gain_by_hand(self):
        prepost = self.make_tests()
        pre = prepost.assignment(AssignmentRole.PRE_TEST)
        post = prepost.assignment(AssignmentRole.POST_TEST)
        # Pre → post right out of 4: 1 → 3, 2 → 2, 1 → 4. Gains 0.5, 0, 0.75.
        for user, before, after in (
            (self.student, 1, 3),
            (self.other_student, 2, 2),
            (self.third_student, 1, 4),
        ):
            self.take(user, pre, before)
            self.take(user, post, after)
        self.client.force_login(self.co_teacher)
        response = self.client.get(self.url(f"pre-post/{prepost.pk}/"))
        gain = response.context["gain"]
        rows = {row.membership.student.username: row.gain for row in gain.rows}
        self.assertEqual(rows, {"student": 0.5, "other_student": 0.0, "third_student": 0.75})
        self.assertAlmostEqual(gain.change.mean, 0.41667, places=4)
        self.assertAlmostEqual(gain.change.effect_size, 1.0911, places=3)
        # mean ± 4.303 · 0.38188 / √3
        self.assertAlmostEqual(gain.change.low, -0.532, places=3)
        self.assertAlmostEqual(gain.change.high, 1.365, places=3)
        self.assertContains(response, "Mean gain in accuracy: 0.42 (95 % interval -0.53 to 1.37)")

    def test_it_says_too_few_students_below_three(self):
        prepost = self.make_tests()
        self.take(self.student, prepost.assignment(AssignmentRole.PRE_TEST), 1)
        self.take(self.student, prepost.assignment(AssignmentRole.POST_TEST), 3)
        self.client.force_login(self.teacher)
        response = self.client.get(self.url(f"pre-post/{prepost.pk}/"))
        self.assertContains(response, "too few students")

    def test_it_hides_the_tests_from_an_outsider_teacher(self):
        prepost = self.make_tests()
        self.client.force_login(self.other_teacher)
        self.assertEqual(self.client.get(self.url(f"pre-post/{prepost.pk}/")).status_code, 404)
        other = self.url(f"pre-post/{prepost.pk}/", classroom=self.other_class)
        self.assertEqual(self.client.get(other).status_code, 404)

    def visitors_answer(self, quiz: Quiz, visitors: int, right_on: set[int]) -> list[Attempt]:
        """`visitors` people without an account answer every item of `quiz`, right on the
        items in `right_on` and wrong on the others; returns their attempts."""
        attempts = []
        for _visitor in range(visitors):
            client = Client()
            attempt = start(client, quiz)
            attempts.append(attempt)
            for entry in attempt.entries.select_related("item__clip"):
                truth = entry.item.clip.verdict
                client.post(
                    f"/attempts/{attempt.uid}/items/{entry.position}/answer/",
                    {
                        "key": answer_key(client, attempt, entry.position),
                        "verdict": truth if entry.item_id in right_on else WRONG[truth],
                        "confidence": 70,
                    },
                )
        return attempts

    def form_queries(self) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(self.url("pre-post/new/"))
        self.assertContains(response, "8 independent items (no two share a clip or its original)")
        return len(captured)

    def test_it_deals_on_measured_difficulty_counted_in_as_many_queries_for_any_answers(self):
        self.client.force_login(self.teacher)
        self.client.get(self.url("pre-post/new/"))  # sessions, content types: cached after
        before = self.form_queries()
        items = list(Item.objects.order_by("pk"))
        # Learners get the items labelled hard right and the easy ones wrong; one item gets
        # fewer than MIN_ITEM_ANSWERS answers and keeps its label's difficulty.
        hard = {item.pk for item in items if item.difficulty == Difficulty.HARD}
        self.visitors_answer(make_quiz(items[1:], title="Everything"), 5, right_on=hard)
        self.visitors_answer(make_quiz(items[:1], title="First only"), 2, right_on=set())
        self.assertEqual(self.form_queries(), before)
        difficulty = {
            c.item_id: c.difficulty
            for c in PrePost(classroom=self.classroom, item_kind="verdict").candidates()
        }
        expected = {item.pk: 1.0 if item.pk in hard else 0.0 for item in items[1:]}
        expected[items[0].pk] = 0.9  # labelled easy, two answers: not measured yet
        self.assertEqual(difficulty, expected)

    @override_settings(ANSWER_RETENTION_MONTHS=12)
    def test_it_measures_difficulty_on_the_answers_still_stored(self):
        # Five visitors two years ago got everything right; their answers are folded into the
        # monthly counts and deleted. Five visitors now get only the hard-labelled items right:
        # the difficulty is theirs alone, as item statistics over the stored answers say.
        items = list(Item.objects.order_by("pk"))
        quiz = make_quiz(items, title="Everything")
        old = self.visitors_answer(quiz, 5, right_on={item.pk for item in items})
        Answer.objects.filter(attempt__in=old).update(
            created_at=timezone.now() - timedelta(days=730)
        )
        hard = {item.pk for item in items if item.difficulty == Difficulty.HARD}
        self.visitors_answer(quiz, 5, right_on=hard)
        call_command("purge_answers", stdout=io.StringIO())
        self.assertEqual(Answer.objects.count(), 5 * len(items))
        self.assertTrue(AnswerAggregate.objects.exists())
        difficulty = {
            c.item_id: c.difficulty
            for c in PrePost(classroom=self.classroom, item_kind="verdict").candidates()
        }
        self.assertEqual(difficulty, {item.pk: 1.0 if item.pk in hard else 0.0 for item in items})
