"""Who sees an unpublished quiz: its builder, the teachers of a class it is set to, curators and
staff. Another teacher (a colleague's pre-test included), a student and a visitor get 404 on
every page of it, and no list names it."""

from __future__ import annotations

from lessons.models import AssignmentRole
from media_library.roles import Role, has_role
from quiz import draft_viewers
from quiz.models import Attempt, Quiz
from tests.classroom_helpers import ClassroomTestCase
from tests.factories import assign, make_item, make_quiz, make_user, quizzable_clip


class DraftVisibilityTests(ClassroomTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.staffer = make_user("staffer", is_staff=True)
        cls.item = make_item(quizzable_clip("Harbour crane at dusk"))
        # Built by the class's owner and set to nobody yet.
        cls.draft = make_quiz(
            [cls.item],
            title="Unfinished draft about harbour cranes",
            is_published=False,
            created_by=cls.teacher,
        )
        # Built by the co-teacher and set to the class as its pre-test.
        cls.pretest = make_quiz(
            [cls.item],
            title="Class pre-test on harbour cranes",
            is_published=False,
            created_by=cls.co_teacher,
        )
        assign(cls.classroom, cls.pretest, role=AssignmentRole.PRE_TEST)

    def draft_urls(self, quiz: Quiz) -> list[tuple[str, str]]:
        """Every URL of a quiz, taking it and building it, with its method."""
        return [
            ("get", f"/quizzes/{quiz.slug}/"),
            ("post", f"/quizzes/{quiz.slug}/start/"),
            ("get", f"/build/quizzes/{quiz.slug}/"),
            ("post", f"/build/quizzes/{quiz.slug}/"),
            ("get", f"/build/quizzes/{quiz.slug}/items/add/"),
            ("post", f"/build/quizzes/{quiz.slug}/items/add/"),
            ("post", f"/build/quizzes/{quiz.slug}/items/{self.item.pk}/remove/"),
            ("get", f"/build/quizzes/{quiz.slug}/stats/"),
        ]

    def assert_sees(self, user, quiz: Quiz) -> None:
        self.client.force_login(user)
        self.assertContains(self.client.get(f"/quizzes/{quiz.slug}/"), quiz.title)
        response = self.client.post(f"/quizzes/{quiz.slug}/start/")
        attempt = Attempt.objects.get(user=user, quiz=quiz)
        self.assertRedirects(response, f"/attempts/{attempt.uid}/items/1/")

    def assert_not_found_everywhere(self, user, quiz: Quiz) -> None:
        if user is None:
            self.client.logout()
        else:
            self.client.force_login(user)
        for method, url in self.draft_urls(quiz):
            response = getattr(self.client, method)(url)
            with self.subTest(url=url, method=method):
                if user is None and url.startswith("/build/"):
                    # The builder is for builders: a visitor is sent to log in, whatever the slug.
                    self.assertEqual(response.status_code, 302)
                    self.assertIn("/login/", response["Location"])
                elif url.startswith("/build/") and not has_role(user, Role.TEACHER):
                    # Nor does a student get further than the area's door: the answer is the
                    # same for a quiz that does not exist, so it confirms nothing.
                    self.assertEqual(response.status_code, 403)
                    missing = getattr(self.client, method)(url.replace(quiz.slug, "no-such-quiz"))
                    self.assertEqual(missing.status_code, 403)
                else:
                    self.assertEqual(response.status_code, 404)
        self.assertFalse(Attempt.objects.filter(quiz=quiz).exists())
        quiz.refresh_from_db()
        self.assertEqual(list(quiz.items.all()), [self.item])

    def test_it_shows_a_draft_to_its_builder(self):
        self.assert_sees(self.teacher, self.draft)
        self.assert_sees(self.co_teacher, self.pretest)

    def test_it_shows_a_class_draft_to_every_teacher_of_the_class(self):
        # The class's owner did not build the pre-test, its co-teacher did.
        self.assert_sees(self.teacher, self.pretest)

    def test_it_shows_a_draft_to_curators_and_staff(self):
        self.assert_sees(self.curator, self.draft)
        self.assert_sees(self.staffer, self.pretest)

    def test_it_is_a_404_everywhere_for_another_teacher(self):
        self.assert_not_found_everywhere(self.other_teacher, self.draft)
        self.assert_not_found_everywhere(self.other_teacher, self.pretest)

    def test_it_is_a_404_for_a_co_teacher_when_the_draft_is_not_set_to_the_class(self):
        self.assert_not_found_everywhere(self.co_teacher, self.draft)

    def test_it_is_a_404_for_students_and_visitors(self):
        # The class's own student too: they reach the pre-test through their assignment.
        self.assert_not_found_everywhere(self.student, self.pretest)
        self.assert_not_found_everywhere(self.outsider, self.draft)
        self.assert_not_found_everywhere(None, self.pretest)

    def test_it_is_a_404_once_the_class_check_is_gone(self):
        check = draft_viewers.unregister("class-teachers")
        self.addCleanup(draft_viewers.register, "class-teachers", check)
        self.client.force_login(self.teacher)
        self.assertEqual(self.client.get(f"/quizzes/{self.pretest.slug}/").status_code, 404)

    def test_no_list_names_another_teachers_draft(self):
        self.client.force_login(self.other_teacher)
        for url in ("/quizzes/", "/build/quizzes/"):
            response = self.client.get(url)
            with self.subTest(url=url):
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "Unfinished draft about harbour cranes")
                self.assertNotContains(response, "Class pre-test on harbour cranes")

    def test_the_builder_list_names_only_the_teachers_own_drafts(self):
        self.client.force_login(self.teacher)
        response = self.client.get("/build/quizzes/")
        self.assertContains(response, "Unfinished draft about harbour cranes")
        self.assertNotContains(response, "Class pre-test on harbour cranes")
