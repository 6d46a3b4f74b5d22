"""A student's progress advice (lessons.review) and the spaced review queue (/me/review/)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from lessons.models import Lesson, LessonKind, ReviewSchedule
from lessons.models.review import BOX_INTERVALS
from lessons.review import (
    REVIEW_QUIZ_SLUG,
    practice_advice,
    weakest_tells,
    with_tallies,
)
from media_library.models import Verdict
from quiz.measures import Rate
from quiz.models import Answer, Attempt, Mode, TellTally
from tests.base import BaseTestCase
from tests.factories import add_tell, answer_key, make_item, make_quiz, quizzable_clip, start


def lip_sync_lesson() -> Lesson:
    return Lesson.objects.create(
        slug="lip-sync",
        title="Lip sync",
        kind=LessonKind.TELL,
        tell_category="lip_sync",
        body="Watch the mouth.",
    )


class ReviewFixture(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.lip_items = []
        for n in range(5):
            clip = quizzable_clip(f"Lip fake {n}", Verdict.DEEPFAKE)
            add_tell(clip, "lip_sync")
            cls.lip_items.append(make_item(clip))
        blink = quizzable_clip("Blink fake", Verdict.DEEPFAKE)
        add_tell(blink, "blinking")
        cls.blink_item = make_item(blink)
        cls.quiz = make_quiz([*cls.lip_items, cls.blink_item])

    def answer(self, attempt: Attempt, position: int, verdict: str) -> None:
        key = answer_key(self.client, attempt, position)
        self.client.post(
            f"/attempts/{attempt.uid}/items/{position}/answer/",
            {"key": key, "verdict": verdict, "confidence": "70"},
        )

    def answer_all(self, verdict: str = "real") -> Attempt:
        attempt = start(self.client, self.quiz)
        for position in range(1, attempt.entries.count() + 1):
            self.answer(attempt, position, verdict)
        return attempt


class AdviceTests(ReviewFixture):
    def test_it_picks_the_weakest_tells_with_enough_answers_worst_first(self):
        per_tell = {
            "lip_sync": Rate(2, 7),  # 29 %: advised
            "blinking": Rate(1, 4),  # too few answers
            "lighting": Rate(3, 5),  # 60 %: advised after lip sync
            "skin": Rate(4, 5),  # 80 %: good enough
            "crop": Rate(3, 5),  # 60 % on as many answers as lighting: then by name
        }
        self.assertEqual(
            weakest_tells(per_tell),
            [("lip_sync", Rate(2, 7)), ("crop", Rate(3, 5)), ("lighting", Rate(3, 5))],
        )

    def test_it_words_the_advice_and_links_the_lesson_and_its_practice(self):
        lesson = lip_sync_lesson()
        [advice] = practice_advice({"lip_sync": Rate(2, 7)})
        self.assertEqual(advice.text, "You miss lip sync tells: 2 of 7 right.")
        self.assertEqual(advice.lesson, lesson)
        lesson.refresh_from_db()
        self.assertEqual(advice.practice, lesson.practice)
        self.assertEqual(advice.practice.pool_tell_category, "lip_sync")

    def test_it_gives_advice_without_a_lesson_when_none_teaches_the_tell(self):
        [advice] = practice_advice({"crop": Rate(0, 5)})
        self.assertIsNone(advice.lesson)
        self.assertIsNone(advice.practice)

    def test_it_adds_the_counts_kept_for_purged_answers(self):
        TellTally.objects.create(student=self.student, tell_category="lip_sync", answers=3, right=1)
        TellTally.objects.create(
            student=self.outsider, tell_category="lip_sync", answers=9, right=9
        )
        merged = with_tallies({"lip_sync": Rate(2, 4)}, self.student)
        self.assertEqual(merged, {"lip_sync": Rate(3, 7)})

    def test_it_shows_what_to_practise_on_my_progress(self):
        lesson = lip_sync_lesson()
        self.client.force_login(self.student)
        self.answer_all("real")  # every fake called real: all wrong
        response = self.client.get("/me/progress/")
        self.assertContains(response, "You miss lip sync tells: 0 of 5 right.")
        self.assertContains(response, f'href="{lesson.get_absolute_url()}"')
        lesson.refresh_from_db()
        self.assertContains(response, f'href="{lesson.practice.get_absolute_url()}"')
        # One answer on blinking is too few to call it a weakness.
        self.assertNotContains(response, "You miss blinking")

    def test_my_progress_gives_intervals_the_roc_area_and_the_time_or_says_not_enough(self):
        self.client.force_login(self.student)
        first, second = self.answer_all("deepfake"), self.answer_all("deepfake")
        for seconds, answer in enumerate(Answer.objects.filter(attempt__in=[first, second])):
            Answer.objects.filter(pk=answer.pk).update(seconds_taken=2 * seconds + 1)
        response = self.client.get("/me/progress/")
        # 12 of 12 fakes caught over both attempts. Wilson: centre = (1 + 3.8416 / 24) /
        # (1 + 3.8416 / 12) = 1.16007 / 1.32013 = .87876, half = 1.96 / 1.32013 *
        # sqrt(3.8416 / 576) = .12125: 75.75 % to 100 %.
        self.assertContains(
            response, '100 % <span class="muted">(95 % interval 76 % to 100 %)</span>'
        )
        # No real clips: no false-alarm rate, d', c or ROC area, and the page says why.
        self.assertContains(
            response,
            "Not enough answers yet for the ROC area: it needs at least 4 fakes and 4 real "
            "clips judged with a confidence (12 fakes and 0 real clips so far).",
        )
        self.assertContains(response, "(12 fakes and 0 real clips so far)", count=2)
        self.assertNotContains(response, "d\u2032 (sensitivity)")
        # Times 1, 3, ..., 23 s: the median is (11 + 13) / 2.
        self.assertContains(response, "Median time per item: 12 s.")


class ScheduleTests(ReviewFixture):
    def test_it_brings_a_missed_tell_back_at_once_and_pushes_a_known_one_later(self):
        self.client.force_login(self.student)
        attempt = start(self.client, self.quiz)
        blink_position = attempt.entries.get(item=self.blink_item).position
        self.answer(attempt, blink_position, "real")  # wrong
        schedule = ReviewSchedule.objects.get(student=self.student, tell_category="blinking")
        self.assertEqual(schedule.box, 0)
        self.assertLessEqual(schedule.due_at, timezone.now())

        ReviewSchedule.objects.record(self.student.pk, ["blinking"], correct=True)
        self.assertEqual(ReviewSchedule.objects.get(pk=schedule.pk).box, 1)
        before = timezone.now()
        ReviewSchedule.objects.record(self.student.pk, ["blinking"], correct=True)
        after = timezone.now()
        schedule.refresh_from_db()
        # Two right answers: box 2, due three days after the second one.
        self.assertEqual(schedule.box, 2)
        self.assertGreaterEqual(schedule.due_at, before + timedelta(days=3))
        self.assertLessEqual(schedule.due_at, after + timedelta(days=3))

        ReviewSchedule.objects.record(self.student.pk, ["blinking"], correct=False)
        schedule.refresh_from_db()
        self.assertEqual(schedule.box, 0)

    def test_an_assessment_moves_the_schedule_only_when_it_is_finished(self):
        # A tell due for review right after an answer would say the answer was wrong.
        self.client.force_login(self.student)
        quiz = make_quiz([*self.lip_items, self.blink_item], title="Test", mode=Mode.ASSESSMENT)
        attempt = start(self.client, quiz)
        blink_position = attempt.entries.get(item=self.blink_item).position
        self.answer(attempt, blink_position, "real")  # wrong
        self.assertFalse(ReviewSchedule.objects.exists())
        self.assertNotContains(self.client.get("/me/review/"), "Due for review")
        for entry in attempt.entries.exclude(position=blink_position):
            self.answer(attempt, entry.position, "deepfake")
        attempt.refresh_from_db()
        self.assertTrue(attempt.is_finished)
        boxes = dict(
            ReviewSchedule.objects.filter(student=self.student).values_list("tell_category", "box")
        )
        self.assertEqual(boxes, {"blinking": 0, "lip_sync": 5})
        self.assertContains(self.client.get("/me/review/"), "Due for review")

    def test_it_keeps_no_schedule_for_anonymous_visitors(self):
        self.answer_all("real")
        self.assertEqual(Answer.objects.count(), 6)
        self.assertFalse(ReviewSchedule.objects.exists())

    def test_it_stops_at_the_last_box(self):
        for _n in range(len(BOX_INTERVALS) + 2):
            ReviewSchedule.objects.record(self.student.pk, ["crop"], correct=True)
        self.assertEqual(ReviewSchedule.objects.get().box, len(BOX_INTERVALS) - 1)


class ReviewQueueTests(ReviewFixture):
    def due(self, category: str, **fields) -> ReviewSchedule:
        fields.setdefault("due_at", timezone.now() - timedelta(minutes=1))
        return ReviewSchedule.objects.create(student=self.student, tell_category=category, **fields)

    def test_it_starts_a_review_over_items_of_the_due_tells_only(self):
        self.due("blinking")
        self.client.force_login(self.student)
        response = self.client.post("/me/review/")
        attempt = Attempt.objects.get(user=self.student)
        self.assertRedirects(response, f"/attempts/{attempt.uid}/", fetch_redirect_response=False)
        self.assertEqual(attempt.quiz.slug, REVIEW_QUIZ_SLUG)
        self.assertFalse(attempt.quiz.is_published)
        self.assertEqual([e.item for e in attempt.entries.all()], [self.blink_item])

    def test_it_leaves_out_items_answered_in_the_last_day_when_others_exist(self):
        self.client.force_login(self.student)
        attempt = start(self.client, self.quiz)
        recent = attempt.entries.get(item=self.lip_items[0])
        self.answer(attempt, recent.position, "real")
        self.assertTrue(ReviewSchedule.objects.filter(tell_category="lip_sync").exists())
        self.client.post("/me/review/")
        review = Attempt.objects.filter(quiz__slug=REVIEW_QUIZ_SLUG).get()
        served = {entry.item_id for entry in review.entries.all()}
        self.assertEqual(served, {item.pk for item in self.lip_items[1:]})

    def test_it_serves_a_recent_item_when_there_is_no_other(self):
        self.client.force_login(self.student)
        attempt = start(self.client, self.quiz)
        self.answer(attempt, attempt.entries.get(item=self.blink_item).position, "real")
        self.client.post("/me/review/")
        review = Attempt.objects.filter(quiz__slug=REVIEW_QUIZ_SLUG).get()
        self.assertEqual([e.item_id for e in review.entries.all()], [self.blink_item.pk])

    def test_it_says_when_nothing_is_due_and_when_the_next_review_is(self):
        self.due("blinking", due_at=timezone.now() + timedelta(days=3), box=2)
        self.client.force_login(self.student)
        response = self.client.get("/me/review/")
        self.assertContains(response, "Nothing is due now. Your next review is on")
        self.client.post("/me/review/")
        self.assertFalse(Attempt.objects.filter(user=self.student).exists())

    def test_it_says_so_when_the_library_has_no_items_for_the_due_tells(self):
        self.due("crop")
        self.client.force_login(self.student)
        response = self.client.get("/me/review/")
        self.assertContains(response, "the library has no questions on those tells yet")
        response = self.client.post("/me/review/")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Attempt.objects.filter(user=self.student).exists())

    def test_it_has_an_honest_empty_state_before_any_answer(self):
        self.client.force_login(self.student)
        response = self.client.get("/me/review/")
        self.assertContains(response, "Nothing to review yet")

    def test_it_asks_visitors_to_log_in(self):
        response = self.client.get("/me/review/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("login", response["Location"])

    def test_it_shows_only_the_students_own_schedule(self):
        ReviewSchedule.objects.create(
            student=self.outsider, tell_category="blinking", due_at=timezone.now()
        )
        self.client.force_login(self.student)
        response = self.client.get("/me/review/")
        self.assertContains(response, "Nothing to review yet")
