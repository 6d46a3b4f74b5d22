"""Named users and a class for the classroom tests: teacher owns "8B media studies", co_teacher
teaches it too, other_teacher owns "9C world history" (and must see nothing of 8B); student and
other_student are in 8B, stranger is in 9C. The names are long so that a check for one cannot be
met by chance inside a random CSRF token or nonce."""

from __future__ import annotations

from lessons.models import Classroom
from tests.base import BaseTestCase
from tests.factories import make_teacher, make_user


class ClassroomTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.co_teacher = make_teacher("co_teacher")
        cls.other_student = make_user("other_student")
        cls.stranger = make_user("stranger")
        cls.classroom = Classroom.objects.create(name="8B media studies", owner=cls.teacher)
        cls.classroom.co_teachers.add(cls.co_teacher)
        cls.classroom.join(cls.student)
        cls.classroom.join(cls.other_student)
        cls.other_class = Classroom.objects.create(name="9C world history", owner=cls.other_teacher)
        cls.other_class.join(cls.stranger)

    def url(self, suffix: str = "", classroom: Classroom | None = None) -> str:
        return f"/classes/{(classroom or self.classroom).code}/{suffix}"
