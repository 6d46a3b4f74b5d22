"""The demo class seed_demo adds: owned by the demo teacher, four students with answers made
through the quiz engine, and nothing new on a second run."""

from __future__ import annotations

from django.test import TestCase

from lessons.demo import CLASS_NAME, seed_demo_classroom
from lessons.models import Classroom
from media_library.models import Technique, Verdict
from quiz.models import Answer, ItemKind
from tests.factories import add_tell, make_item, make_quiz, make_user, quizzable_clip


class DemoClassroomTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.teacher = make_user("teacher")
        real = quizzable_clip("Real")
        fake = quizzable_clip("Fake", Verdict.DEEPFAKE, technique=Technique.FACE_SWAP)
        add_tell(fake)
        items = [
            make_item(real),
            make_item(fake),
            make_item(fake, ItemKind.PAIR, other_clip=real),
            make_item(fake, ItemKind.TECHNIQUE),
        ]
        make_quiz(items, title="Demo practice", slug="demo-practice")

    def test_it_makes_a_class_with_answers_once(self):
        seed_demo_classroom()
        classroom = Classroom.objects.get(name=CLASS_NAME, owner=self.teacher)
        book = classroom.gradebook()
        self.assertEqual(
            sorted(row.student.username for row in book.rows),
            ["quiet_owl", "red_kite", "student", "swift_otter"],
        )
        self.assertTrue(all(row.summary.n == 4 and row.done == 1 for row in book.rows))
        answers = Answer.objects.count()
        seed_demo_classroom()
        self.assertEqual(Classroom.objects.filter(name=CLASS_NAME).count(), 1)
        self.assertEqual(Answer.objects.count(), answers)
