"""Data rights: a teacher exports and deletes one student's data, inside their own classes."""

from __future__ import annotations

import json

from django.contrib.auth.models import User

from lessons.models import AssignmentWork, Membership
from media_library.models import Verdict
from quiz.models import Answer, Attempt
from tests.classroom_helpers import ClassroomTestCase
from tests.factories import answer_key, assign, make_item, make_quiz, quizzable_clip, start


class StudentDataFixture(ClassroomTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        item = make_item(quizzable_clip("Harbour fake", Verdict.DEEPFAKE))
        cls.quiz = make_quiz([item], title="Week 1")
        cls.assignment = assign(cls.classroom, cls.quiz)
        cls.other_assignment = assign(cls.other_class, cls.quiz, title="9C world history quiz")

    def do(self, user, assignment) -> Attempt:
        """user starts and answers assignment's quiz from their class page."""
        self.client.force_login(user)
        self.client.post(
            f"/me/classes/{assignment.classroom.code}/assignments/{assignment.pk}/start/"
        )
        attempt = AssignmentWork.objects.get(assignment=assignment, student=user).attempt
        key = answer_key(self.client, attempt, 1)
        self.client.post(
            f"/attempts/{attempt.uid}/items/1/answer/",
            {"key": key, "verdict": "deepfake", "confidence": "80"},
        )
        self.client.logout()
        return attempt

    def in_both_classes(self) -> tuple[Attempt, Attempt]:
        self.other_class.join(self.student)
        return self.do(self.student, self.assignment), self.do(self.student, self.other_assignment)


class ExportTests(StudentDataFixture):
    def test_it_exports_the_students_work_in_this_teachers_classes_only(self):
        self.in_both_classes()
        self.client.force_login(self.co_teacher)
        response = self.client.get(self.url(f"students/{self.student.pk}/export.json"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        data = json.loads(response.content)
        self.assertEqual(data["pseudonym"], "student")
        self.assertEqual([m["code"] for m in data["memberships"]], [self.classroom.code])
        [work] = data["assignments"]
        self.assertEqual(work["assignment"], "Week 1")
        [answer] = work["attempt"]["answers"]
        self.assertEqual(
            (answer["verdict"], answer["confidence"], answer["correct"]), ("deepfake", 80, True)
        )
        # Nothing of the other teacher's class, not even its name.
        self.assertNotIn(self.other_class.name, response.content.decode())

    def test_it_is_a_404_for_a_student_of_another_class(self):
        self.client.force_login(self.teacher)
        response = self.client.get(self.url(f"students/{self.stranger.pk}/export.json"))
        self.assertEqual(response.status_code, 404)

    def test_it_is_a_404_for_a_teacher_of_another_class(self):
        self.client.force_login(self.other_teacher)
        response = self.client.get(self.url(f"students/{self.student.pk}/export.json"))
        self.assertEqual(response.status_code, 404)

    def test_it_links_export_and_delete_from_the_roster(self):
        self.client.force_login(self.teacher)
        response = self.client.get(self.url())
        self.assertContains(response, self.url(f"students/{self.student.pk}/export.json"))
        self.assertContains(response, self.url(f"students/{self.student.pk}/delete/"))


class DeleteTests(StudentDataFixture):
    def test_it_asks_before_deleting(self):
        self.do(self.student, self.assignment)
        self.client.force_login(self.teacher)
        response = self.client.get(self.url(f"students/{self.student.pk}/delete/"))
        self.assertContains(response, "Delete student")
        self.assertTrue(Answer.objects.exists())

    def test_it_deletes_the_account_and_answers_of_a_student_in_no_other_class(self):
        self.do(self.student, self.assignment)
        practice = start(self.client, self.quiz)  # anonymous: stays
        self.client.force_login(self.teacher)
        response = self.client.post(self.url(f"students/{self.student.pk}/delete/"))
        self.assertRedirects(response, self.url())
        self.assertFalse(User.objects.filter(username="student").exists())
        self.assertFalse(Answer.objects.filter(attempt__user__username="student").exists())
        self.assertTrue(Attempt.objects.filter(pk=practice.pk).exists())
        self.assertTrue(Membership.objects.filter(student=self.other_student).exists())

    def test_it_keeps_another_classs_records_and_the_account_when_the_student_is_there_too(self):
        mine, theirs = self.in_both_classes()
        self.client.force_login(self.co_teacher)
        self.client.post(self.url(f"students/{self.student.pk}/delete/"))
        self.student.refresh_from_db()  # still there
        self.assertFalse(Attempt.objects.filter(pk=mine.pk).exists())
        self.assertFalse(
            Membership.objects.filter(classroom=self.classroom, student=self.student).exists()
        )
        self.assertTrue(Answer.objects.filter(attempt=theirs).exists())
        self.assertTrue(
            Membership.objects.filter(classroom=self.other_class, student=self.student).exists()
        )

    def test_it_never_deletes_a_teachers_account(self):
        self.classroom.join(self.other_teacher)
        self.client.force_login(self.teacher)
        self.client.post(self.url(f"students/{self.other_teacher.pk}/delete/"))
        self.assertTrue(User.objects.filter(pk=self.other_teacher.pk).exists())
        self.assertFalse(self.classroom.memberships.filter(student=self.other_teacher).exists())

    def test_it_is_a_404_to_delete_outside_the_teachers_classes(self):
        self.client.force_login(self.teacher)
        response = self.client.post(self.url(f"students/{self.stranger.pk}/delete/"))
        self.assertEqual(response.status_code, 404)
        self.assertTrue(User.objects.filter(pk=self.stranger.pk).exists())
        self.client.force_login(self.other_teacher)
        response = self.client.post(self.url(f"students/{self.student.pk}/delete/"))
        self.assertEqual(response.status_code, 404)
        self.assertTrue(User.objects.filter(pk=self.student.pk).exists())
