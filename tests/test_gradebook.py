"""Assignments and the gradebook: figures checked against values worked out by hand, only
answers given to the class's assignments counted, completion and lateness, the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lessons.models import Assignment, AssignmentWork, Lesson
from media_library.models import Verdict
from quiz.models import Answer, Attempt, Mode
from tests.classroom_helpers import ClassroomTestCase
from tests.factories import (
    add_tell,
    answer_key,
    assign,
    make_item,
    make_quiz,
    make_user,
    quizzable_clip,
)

# (verdict, tell) per item, in quiz order.
CLIPS = (
    (Verdict.DEEPFAKE, "lip_sync"),
    (Verdict.DEEPFAKE, "lip_sync"),
    (Verdict.SHALLOWFAKE, "speed_change"),
    (Verdict.REAL, ""),
    (Verdict.REAL, ""),
)
# student: right, miss, right, false alarm, right.
STUDENT = (("deepfake", 80), ("real", 60), ("shallowfake", 90), ("deepfake", 70), ("real", 50))
OTHER = (("deepfake", 100), ("deepfake", 100), ("shallowfake", 100), ("real", 100), ("real", 100))


def answer_all(client: Client, attempt: Attempt, answers) -> None:
    for position, (verdict, confidence) in enumerate(answers, start=1):
        response = client.post(
            f"/attempts/{attempt.uid}/items/{position}/answer/",
            {
                "key": answer_key(client, attempt, position),
                "verdict": verdict,
                "confidence": confidence,
            },
        )
        assert response.status_code in (200, 302), response


class GradebookTests(ClassroomTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        items = []
        for n, (verdict, tell) in enumerate(CLIPS):
            clip = quizzable_clip(f"Clip {n}", verdict)
            if tell:
                add_tell(clip, tell)
            items.append(make_item(clip))
        cls.quiz = make_quiz(items, mode=Mode.ASSESSMENT)
        cls.lesson = Lesson.objects.create(slug="lip-sync", title="Lip sync", body="Watch lips.")
        # Due yesterday: whoever finishes it now is late.
        cls.quiz_task = assign(cls.classroom, cls.quiz, days=-1)
        cls.reading = Assignment.objects.create(
            classroom=cls.classroom,
            title="Read: lip sync",
            lesson=cls.lesson,
            due_at=timezone.now() + timedelta(days=3),
        )

    def do_assignment(self, user, answers) -> Attempt:
        client = Client()
        client.force_login(user)
        response = client.post(
            f"/me/classes/{self.classroom.code}/assignments/{self.quiz_task.pk}/start/"
        )
        attempt = Attempt.objects.get(class_work__student=user)
        self.assertRedirects(response, f"/attempts/{attempt.uid}/", target_status_code=302)
        answer_all(client, attempt, answers)
        return attempt

    def test_it_assigns_a_quiz_with_a_due_date(self):
        self.client.force_login(self.teacher)
        response = self.client.post(
            self.url("assignments/new/"),
            {"quiz": self.quiz.pk, "due_at": "2030-01-31T09:00"},
        )
        self.assertRedirects(response, self.url())
        assignment = self.classroom.assignments.get(due_at__year=2030)
        self.assertEqual((assignment.quiz, assignment.title), (self.quiz, self.quiz.title))

    def test_it_wants_a_lesson_or_a_quiz_not_both(self):
        self.client.force_login(self.teacher)
        for data in ({}, {"quiz": self.quiz.pk, "lesson": self.lesson.pk}):
            response = self.client.post(
                self.url("assignments/new/"), {**data, "due_at": "2030-01-31T09:00"}
            )
            self.assertContains(response, "Choose a lesson or a quiz")

    def test_it_offers_no_other_teachers_draft(self):
        draft = make_quiz([], title="Secret draft", is_published=False)
        draft.created_by = self.other_teacher
        draft.save()
        self.client.force_login(self.teacher)
        self.assertNotContains(self.client.get(self.url("assignments/new/")), "Secret draft")

    def test_it_gives_a_student_one_attempt_per_assignment(self):
        self.client.force_login(self.student)
        start = f"/me/classes/{self.classroom.code}/assignments/{self.quiz_task.pk}/start/"
        first, second = self.client.post(start), self.client.post(start)
        self.assertEqual(first["Location"], second["Location"])
        self.assertEqual(Attempt.objects.filter(user=self.student).count(), 1)

    def test_it_refuses_assignments_of_other_classes(self):
        self.client.force_login(self.stranger)
        start = f"/me/classes/{self.classroom.code}/assignments/{self.quiz_task.pk}/start/"
        self.assertEqual(self.client.post(start).status_code, 404)
        # Through the code of a class they are in, another class's assignment does not exist.
        other = f"/me/classes/{self.other_class.code}/assignments/{self.quiz_task.pk}/start/"
        self.assertEqual(self.client.post(other).status_code, 404)
        self.assertFalse(Attempt.objects.filter(user=self.stranger).exists())

    def test_it_keeps_one_students_answers_from_another(self):
        attempt = self.do_assignment(self.student, STUDENT)
        self.client.force_login(self.other_student)
        self.assertEqual(self.client.get(f"/attempts/{attempt.uid}/results/").status_code, 404)
        self.assertEqual(self.client.get(self.url()).status_code, 403)

    def test_it_computes_the_gradebook_by_hand(self):
        self.do_assignment(self.student, STUDENT)
        self.do_assignment(self.other_student, OTHER)
        self.reading.mark_read(self.other_student)
        # Answers given outside the class's assignments do not count in its gradebook.
        outside = Client()
        outside.force_login(self.student)
        outside.post(f"/quizzes/{self.quiz.slug}/start/")
        answer_all(outside, Attempt.objects.get(user=self.student, class_work=None), OTHER)

        self.client.force_login(self.co_teacher)
        book = self.client.get(self.url()).context["gradebook"]
        rows = {row.student.username: row for row in book.rows}
        mine = rows["student"].summary
        self.assertEqual((mine.accuracy.k, mine.accuracy.n), (3, 5))
        self.assertEqual((mine.hit_rate.k, mine.hit_rate.n), (2, 3))
        self.assertEqual((mine.false_alarm_rate.k, mine.false_alarm_rate.n), (1, 2))
        # d' = z(2/3) - z(1/2) = 0.4307 - 0
        self.assertAlmostEqual(mine.d_prime, 0.4307, places=4)
        # Brier = (0.2² + 0.6² + 0.1² + 0.7² + 0.5²) / 5 = 1.15 / 5
        self.assertAlmostEqual(mine.brier, 0.23)
        self.assertEqual(mine.per_tell["lip_sync"].k, 1)
        self.assertEqual(mine.per_tell["lip_sync"].n, 2)
        theirs = rows["other_student"].summary
        # Perfect: H = 1 - 1/6, F = 1/4 after the 1/(2N) correction.
        self.assertAlmostEqual(theirs.d_prime, 0.9674 + 0.6745, places=3)
        self.assertEqual((book.summary.accuracy.k, book.summary.accuracy.n), (8, 10))
        self.assertEqual(
            [(c.category, c.rate.k, c.rate.n) for c in book.tell_columns],
            [("lip_sync", 3, 4), ("speed_change", 2, 2)],
        )
        # Both finished the quiz after it was due; only other_student read the lesson.
        self.assertEqual(
            (rows["student"].done, rows["student"].late, rows["student"].assigned), (1, 1, 2)
        )
        self.assertEqual((rows["other_student"].done, rows["other_student"].late), (2, 1))
        self.assertEqual(rows["student"].overdue, 0)

    def test_it_counts_an_assignment_past_due_as_overdue(self):
        self.do_assignment(self.student, STUDENT)
        Assignment.objects.filter(pk=self.reading.pk).update(
            due_at=timezone.now() - timedelta(hours=1)
        )
        row = next(r for r in self.classroom.gradebook().rows if r.student == self.student)
        self.assertEqual((row.done, row.overdue), (1, 1))

    def test_it_exports_the_gradebook_as_csv(self):
        self.do_assignment(self.student, STUDENT)
        self.client.force_login(self.teacher)
        response = self.client.get(self.url("gradebook.csv"))
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment", response["Content-Disposition"])
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        self.assertEqual([row["pseudonym"] for row in rows], ["other_student", "student"])
        mine = rows[1]
        self.assertEqual(
            [mine[k] for k in ("answers", "accuracy", "fakes caught", "fakes judged")],
            ["5", "0.600", "2", "3"],
        )
        self.assertEqual((mine["real clips called fake"], mine["real clips judged"]), ("1", "2"))
        # 3 fakes and 2 real clips judged: below the minimum every estimate and its interval
        # is empty (d' is not 0.431, the hit rate not 0.667), the counts beside them say why.
        for measure in ("hit rate", "false-alarm rate", "d'", "c", "ROC area"):
            for column in (measure, f"{measure} low", f"{measure} high"):
                with self.subTest(column=column):
                    self.assertEqual(mine[column], "")
        self.assertEqual(mine["Brier score"], "0.230")
        self.assertEqual(mine["accuracy: Lip sync"], "0.500")
        self.assertEqual(rows[0]["answers"], "0")

    def test_the_page_says_not_enough_answers_below_the_minimum(self):
        self.do_assignment(self.student, STUDENT)
        self.client.force_login(self.teacher)
        response = self.client.get(self.url())
        self.assertContains(response, "not enough answers yet")
        self.assertContains(response, "at least 4 fakes and 4 real clips")
        self.assertNotContains(response, "0.43")
        # 2 of 3 fakes and 1 of 2 real clips: counts, and no percentage or interval.
        self.assertContains(response, "2/3: not enough answers yet")
        self.assertContains(response, "1/2: not enough answers yet")
        self.assertNotContains(response, "(2/3; 95 %")

    def do_even_assignment(self) -> Attempt:
        """4 fakes and 4 reals, half of each called fake at 70 %: H = F = .5, so d' = 0 and
        c = -(0 + 0) / 2, a negative zero."""
        items = [make_item(quizzable_clip(f"Even {n}", Verdict.DEEPFAKE)) for n in range(4)]
        items += [make_item(quizzable_clip(f"Even real {n}")) for n in range(4)]
        task = assign(self.classroom, make_quiz(items, title="Even", mode=Mode.ASSESSMENT))
        client = Client()
        client.force_login(self.student)
        client.post(f"/me/classes/{self.classroom.code}/assignments/{task.pk}/start/")
        attempt = Attempt.objects.get(class_work__assignment=task)
        answer_all(client, attempt, [("deepfake", 70), ("real", 70)] * 4)
        return attempt

    def test_it_exports_each_estimate_with_its_interval_and_the_median_time(self):
        attempt = self.do_even_assignment()
        for answer, seconds in zip(
            attempt.answers.order_by("entry__position"), [4, 6, 8, 10, 12, 14, 30, 90], strict=True
        ):
            Answer.objects.filter(pk=answer.pk).update(seconds_taken=seconds)
        self.client.force_login(self.teacher)
        text = self.client.get(self.url("gradebook.csv")).content.decode()
        mine = next(
            row for row in csv.DictReader(io.StringIO(text)) if row["pseudonym"] == "student"
        )
        # Wilson for 2 of 4: centre .5, half = .9998 * sqrt(.0625 + .060025) = .34997.
        # SE(d') = sqrt(2 * .25 / (4 * phi(0)^2)) = sqrt(2 * .39270) = .88623, times 1.96 =
        # 1.737; c has half of it. Ratings .7, .3, .7, .3 for the fakes and the same for the
        # real clips: ROC area 0.5, its score interval .183 to .817.
        expected = {
            "hit rate": ("0.500", "0.150", "0.850"),
            "false-alarm rate": ("0.500", "0.150", "0.850"),
            "d'": ("0.000", "-1.737", "1.737"),
            "c": ("0.000", "-0.868", "0.868"),
            "ROC area": ("0.500", "0.183", "0.817"),
        }
        for measure, values in expected.items():
            with self.subTest(measure=measure):
                self.assertEqual(
                    (mine[measure], mine[f"{measure} low"], mine[f"{measure} high"]), values
                )
        # Median of 4, 6, 8, 10, 12, 14, 30, 90 = (10 + 12) / 2.
        self.assertEqual(mine["median seconds per item"], "11.0")

    def test_the_page_shows_intervals_c_the_roc_area_the_time_and_says_the_class_is_pooled(self):
        attempt = self.do_even_assignment()
        Answer.objects.filter(attempt=attempt).update(seconds_taken=12)
        self.client.force_login(self.teacher)
        response = self.client.get(self.url())
        self.assertContains(response, '<th scope="col">c</th>')
        self.assertContains(response, '<th scope="col">ROC area</th>')
        # The student's row and the class row (only the student answered) agree.
        self.assertContains(
            response, '50 %<span class="muted"> (2/4; 95 %: 15 % to 85 %)</span>', count=4
        )
        self.assertContains(
            response, '0.00<span class="muted"> (95 %: \u22121.74 to 1.74)</span>', count=2
        )
        self.assertContains(
            response, '0.00<span class="muted"> (95 %: \u22120.87 to 0.87)</span>', count=2
        )
        self.assertContains(
            response, '0.50<span class="muted"> (95 %: 0.18 to 0.82)</span>', count=2
        )
        self.assertContains(response, '<td data-label="Time">12 s</td>', count=2)
        self.assertContains(response, "Class (pooled)")
        self.assertContains(response, "The Class row is pooled: every answer in the class counted")
        self.assertContains(response, "ROC area: how well the student's confidence separates")
        self.assertNotContains(response, "\u22120.00")

    def test_the_csv_never_prints_a_negative_zero(self):
        self.do_even_assignment()
        self.client.force_login(self.teacher)
        text = self.client.get(self.url("gradebook.csv")).content.decode()
        mine = next(
            row for row in csv.DictReader(io.StringIO(text)) if row["pseudonym"] == "student"
        )
        self.assertEqual((mine["d'"], mine["c"]), ("0.000", "0.000"))
        self.assertNotIn("-0.0", text)

    def test_it_defuses_formulas_in_the_csv(self):
        self.classroom.join(make_user("-fox"))
        self.client.force_login(self.teacher)
        text = self.client.get(self.url("gradebook.csv")).content.decode()
        self.assertIn("'-fox", text)

    def test_it_shows_the_student_their_assignments(self):
        self.do_assignment(self.student, STUDENT)
        self.client.force_login(self.student)
        response = self.client.get(f"/me/classes/{self.classroom.code}/")
        self.assertContains(response, "late")
        self.assertContains(response, "I have read it")
        self.client.post(f"/me/classes/{self.classroom.code}/assignments/{self.reading.pk}/read/")
        work = AssignmentWork.objects.get(assignment=self.reading, student=self.student)
        self.assertIsNotNone(work.done_at)

    def queries(self, path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(path).status_code, 200)
        return len(captured)

    def test_its_page_and_csv_take_as_many_queries_for_one_answer_as_for_ten(self):
        # The gradebook reads answers as rows and each item once: more answers, more students
        # answering and more items answered never add a query.
        self.client.force_login(self.teacher)
        self.client.get(self.url())  # sessions, content types: cached after
        attempt = self.do_assignment(self.student, STUDENT[:1])
        self.assertEqual(attempt.answers.count(), 1)
        page, export = self.queries(self.url()), self.queries(self.url("gradebook.csv"))
        student = Client()
        student.force_login(self.student)
        for position, (verdict, confidence) in enumerate(STUDENT[1:], start=2):
            student.post(
                f"/attempts/{attempt.uid}/items/{position}/answer/",
                {
                    "key": answer_key(student, attempt, position),
                    "verdict": verdict,
                    "confidence": confidence,
                },
            )
        self.do_assignment(self.other_student, OTHER)
        self.assertEqual(Answer.objects.count(), 10)
        self.assertEqual(self.queries(self.url()), page)
        self.assertEqual(self.queries(self.url("gradebook.csv")), export)
