"""Classes, co-teachers, joining with a code, a link or a QR code, password resets, and every
attempt to reach another teacher's class refused."""

from __future__ import annotations

import random
import re

from django.contrib.auth.models import User

from lessons.forms.classrooms import PseudonymForm, tagged
from lessons.models import Classroom, Membership
from lessons.models.classrooms import JOIN_CODE_ALPHABET
from tests.classroom_helpers import ClassroomTestCase
from tests.factories import messages_of

NEW_PASSWORD = "correct-horse-battery"


class TeacherClassroomTests(ClassroomTestCase):
    def test_it_creates_a_class_with_a_join_code(self):
        self.client.force_login(self.teacher)
        response = self.client.post("/classes/new/", {"name": "7A media"})
        classroom = Classroom.objects.get(name="7A media")
        self.assertRedirects(response, f"/classes/{classroom.code}/")
        self.assertEqual(classroom.owner, self.teacher)
        self.assertEqual(len(classroom.code), 8)
        self.assertTrue(set(classroom.code) <= set(JOIN_CODE_ALPHABET))

    def test_it_refuses_class_pages_to_students(self):
        self.client.force_login(self.student)
        self.assertEqual(self.client.get("/classes/").status_code, 403)
        self.assertEqual(self.client.post("/classes/new/", {"name": "Mine"}).status_code, 403)

    def test_it_lists_only_the_classes_a_teacher_teaches(self):
        self.client.force_login(self.co_teacher)
        response = self.client.get("/classes/")
        self.assertContains(response, self.classroom.name)
        self.assertNotContains(response, self.other_class.name)
        self.assertNotContains(response, self.other_class.code)

    def test_it_shows_the_roster_to_the_owner_and_the_co_teacher(self):
        for teacher in (self.teacher, self.co_teacher):
            self.client.force_login(teacher)
            response = self.client.get(self.url())
            self.assertContains(response, "other_student")
            self.assertNotContains(response, "stranger")

    def test_it_hides_every_class_url_from_an_outsider_teacher(self):
        self.client.force_login(self.other_teacher)
        student = self.student.pk
        for suffix in ("", "qr.svg", "assignments/new/", "pre-post/new/", "gradebook.csv"):
            with self.subTest(suffix):
                self.assertEqual(self.client.get(self.url(suffix)).status_code, 404)
        for suffix in (
            "co-teachers/",
            "archive/",
            f"students/{student}/password/",
            "assignments/new/",
            "pre-post/new/",
        ):
            with self.subTest(suffix):
                self.assertEqual(self.client.post(self.url(suffix), {}).status_code, 404)
        self.classroom.refresh_from_db()
        self.assertFalse(self.classroom.is_archived)
        self.assertTrue(User.objects.get(pk=student).check_password("password"))

    def test_it_adds_a_co_teacher_by_username(self):
        helper = User.objects.get(username="other_teacher")
        self.client.force_login(self.teacher)
        response = self.client.post(self.url("co-teachers/"), {"username": "Other_Teacher"})
        self.assertRedirects(response, self.url())
        self.assertIn(helper, self.classroom.co_teachers.all())

    def test_it_gives_one_answer_for_a_student_and_a_missing_user(self):
        self.client.force_login(self.teacher)
        for username in ("stranger", "nobody-at-all"):
            response = self.client.post(self.url("co-teachers/"), {"username": username})
            self.assertContains(response, "There is no teacher with that username.")
        self.assertEqual(list(self.classroom.co_teachers.all()), [self.co_teacher])

    def test_it_swaps_the_teacher_list_with_htmx(self):
        self.client.force_login(self.teacher)
        response = self.client.post(
            self.url("co-teachers/"), {"username": "other_teacher"}, headers={"HX-Request": "true"}
        )
        self.assertContains(response, 'id="teachers"')
        self.assertNotContains(response, "<html")
        self.assertContains(response, "other_teacher")

    def test_it_lets_only_the_owner_add_co_teachers_and_archive(self):
        self.client.force_login(self.co_teacher)
        self.client.post(self.url("co-teachers/"), {"username": "other_teacher"})
        self.client.post(self.url("archive/"))
        self.classroom.refresh_from_db()
        self.assertFalse(self.classroom.is_archived)
        self.assertEqual(list(self.classroom.co_teachers.all()), [self.co_teacher])

    def test_it_archives_a_class_and_closes_it_to_joiners(self):
        self.client.force_login(self.teacher)
        self.assertRedirects(self.client.post(self.url("archive/")), "/classes/")
        self.classroom.refresh_from_db()
        self.assertTrue(self.classroom.is_archived)
        self.client.logout()
        response = self.client.get(f"/join/{self.classroom.code}/")
        self.assertRedirects(response, "/join/")

    def test_it_draws_the_join_link_as_a_qr_code(self):
        self.client.force_login(self.teacher)
        response = self.client.get(self.url("qr.svg"))
        self.assertEqual(response["Content-Type"], "image/svg+xml")
        self.assertIn(b"<svg", response.content)
        page = self.client.get(self.url())
        self.assertContains(page, f"/join/{self.classroom.code}/")
        self.assertContains(page, 'alt="QR code of the join link')

    def test_it_resets_a_students_password_and_shows_it_once(self):
        self.client.force_login(self.teacher)
        response = self.client.post(self.url(f"students/{self.student.pk}/password/"))
        password = response.context["password"]
        self.assertContains(response, password)
        self.assertEqual(response["Cache-Control"].count("no-cache"), 1)
        self.student.refresh_from_db()
        self.assertTrue(self.student.check_password(password))
        self.assertFalse(self.client.cookies.get("messages"))

    def test_it_refuses_to_reset_a_teachers_password(self):
        # A teacher who joined someone else's class as a student stays out of reach.
        self.classroom.join(self.other_teacher)
        self.client.force_login(self.teacher)
        response = self.client.post(
            self.url(f"students/{self.other_teacher.pk}/password/"), follow=True
        )
        self.assertRedirects(response, self.url())
        self.assertContains(response, "Only a student account&#x27;s password can be reset here.")
        self.assertNotIn("password", response.context)
        self.other_teacher.refresh_from_db()
        self.assertTrue(self.other_teacher.check_password("password"))

    def test_it_refuses_to_reset_the_password_of_a_student_of_another_class(self):
        self.client.force_login(self.teacher)
        response = self.client.post(self.url(f"students/{self.stranger.pk}/password/"))
        self.assertEqual(response.status_code, 404)


class JoinTests(ClassroomTestCase):
    def join_as(self, pseudonym: str, code: str | None = None, password: str = NEW_PASSWORD):
        return self.client.post(
            f"/join/{code or self.classroom.code}/",
            {"pseudonym": pseudonym, "password1": password, "password2": password},
        )

    def test_it_makes_a_pseudonymous_account_and_joins_the_class(self):
        response = self.join_as("blue_fox")
        self.assertRedirects(
            response, f"/me/classes/{self.classroom.code}/", fetch_redirect_response=False
        )
        fox = User.objects.get(username__startswith="blue_fox")
        self.assertRegex(fox.username, r"^blue_fox-\d{4}$")
        self.assertIn(
            f"Your nickname is {fox.username}: you log in with it and your password.",
            messages_of(self.client.get(f"/me/classes/{self.classroom.code}/")),
        )
        self.assertEqual((fox.email, fox.first_name, fox.last_name), ("", "", ""))
        self.assertTrue(fox.groups.filter(name="Students").exists())
        self.assertTrue(Membership.objects.filter(classroom=self.classroom, student=fox).exists())
        self.assertEqual(int(self.client.session["_auth_user_id"]), fox.pk)

    def test_it_takes_the_code_typed_in_any_case_with_a_dash(self):
        code = self.classroom.code
        response = self.client.get("/join/", {"code": f"{code[:4].lower()}-{code[4:]}"})
        self.assertRedirects(response, f"/join/{code}/")

    def test_it_refuses_a_wrong_code(self):
        response = self.client.get("/join/NOPENOPE/", follow=True)
        self.assertContains(response, "No open class has that code.")

    def test_it_refuses_an_email_address_as_pseudonym(self):
        response = self.join_as("fox@example.com")
        self.assertContains(response, "looks like an email address")
        self.assertFalse(User.objects.filter(username="fox@example.com").exists())

    def normalised(self, response, nickname: str) -> str:
        """The page with what differs on every request anyway (the CSRF token, CSP nonces)
        and the nickname typed taken out."""
        text = response.content.decode()
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
        text = re.sub(r'nonce="[^"]+"', "NONCE", text)
        text = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", text)
        return text.replace(nickname, "NICKNAME")

    def test_it_answers_the_same_whether_a_nickname_is_taken_or_free(self):
        # Taken: the named users "student" and "co_teacher" (whatever the case); free: the others.
        taken, free = ("Student", "co_teacher"), ("Studentx", "no_teacher")
        for nickname in (*taken, *free):
            self.client.logout()
            # Refused (passwords differ): the same page for all four, to the byte.
            response = self.client.post(
                f"/join/{self.classroom.code}/",
                {"pseudonym": nickname, "password1": NEW_PASSWORD, "password2": "other-one-9"},
            )
            self.assertEqual(response.status_code, 200)
            page = self.normalised(response, nickname)
            if nickname == taken[0]:
                first = page
            self.assertEqual(page, first)
            self.assertNotContains(response, "already has that nickname")
            # Accepted: the same redirect and message, with the nickname and a new tag.
            response = self.join_as(nickname)
            self.assertRedirects(
                response, f"/me/classes/{self.classroom.code}/", fetch_redirect_response=False
            )
            student = User.objects.get(pk=self.client.session["_auth_user_id"])
            self.assertRegex(student.username, rf"^{nickname}-\d{{4}}$")
            self.assertIn(
                f"Your nickname is {student.username}: you log in with it and your password.",
                messages_of(self.client.get(f"/me/classes/{self.classroom.code}/")),
            )
        # The accounts that were there are untouched, and the new ones are all different.
        self.assertTrue(self.student.check_password("password"))
        self.assertEqual(User.objects.filter(username__iregex=r"-\d{4}$").count(), 4)

    def test_it_tries_another_tag_when_the_first_one_is_taken(self):
        rng = random.Random(7)
        first = tagged("blue_fox", random.Random(7), 4)
        User.objects.create_user(first.upper(), password="x")  # the same name in other case
        form = PseudonymForm(
            {"pseudonym": "blue_fox", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
        self.assertTrue(form.is_valid(), form.errors)
        student = form.save(rng)
        self.assertRegex(student.username, r"^blue_fox-\d{4}$")
        self.assertNotEqual(student.username.lower(), first.lower())

    def test_it_checks_the_password(self):
        response = self.join_as("blue_fox", password="12345678")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(User.objects.filter(username__startswith="blue_fox").exists())

    def test_it_joins_a_signed_in_student_with_one_click(self):
        self.client.force_login(self.stranger)
        response = self.client.post(f"/join/{self.classroom.code}/")
        self.assertRedirects(response, f"/me/classes/{self.classroom.code}/")
        self.assertIn(self.stranger, self.classroom.students.all())

    def test_it_keeps_a_teacher_out_of_their_own_roster(self):
        self.client.force_login(self.co_teacher)
        response = self.client.post(f"/join/{self.classroom.code}/", follow=True)
        self.assertRedirects(response, "/")
        self.assertContains(response, "You teach this class.")
        self.assertNotIn(self.co_teacher, self.classroom.students.all())

    def test_it_shows_a_student_only_their_own_classes(self):
        self.client.force_login(self.student)
        self.assertContains(self.client.get("/me/classes/"), self.classroom.name)
        self.assertNotContains(self.client.get("/me/classes/"), self.other_class.name)
        response = self.client.get(f"/me/classes/{self.other_class.code}/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.get(self.url()).status_code, 403)

    def test_it_shows_nav_links_by_role(self):
        self.assertContains(self.client.get("/"), 'href="/join/"')
        self.client.force_login(self.teacher)
        self.assertContains(self.client.get("/"), 'href="/classes/"')
        self.client.force_login(self.student)
        self.assertContains(self.client.get("/"), 'href="/me/classes/"')
