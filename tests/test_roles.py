"""The one roles module: who holds which role, and what the decorator lets through."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from media_library.roles import Role, has_role, has_role_beyond_student, role_required, roles_of
from tests.base import BaseTestCase
from tests.factories import make_user


@role_required(Role.TEACHER, Role.CURATOR)
def teaching_view(request):
    return HttpResponse("ok")


class RolesTests(BaseTestCase):
    def test_it_reads_each_named_users_roles_from_their_groups(self):
        self.assertEqual(roles_of(self.curator), {Role.CURATOR})
        self.assertEqual(roles_of(self.teacher), {Role.TEACHER})
        self.assertEqual(roles_of(self.organizer), {Role.ORGANIZER})
        self.assertEqual(roles_of(self.student), set())
        self.assertEqual(roles_of(AnonymousUser()), set())

    def test_it_gives_a_superuser_every_role_and_an_inactive_account_none(self):
        admin = make_user("admin", is_superuser=True)
        self.assertEqual(roles_of(admin), set(Role))
        gone = make_user("gone", Role.CURATOR, is_active=False)
        self.assertFalse(has_role(gone, Role.CURATOR))

    def test_it_counts_staff_only_where_asked(self):
        staff = make_user("staff", is_staff=True)
        self.assertFalse(has_role(staff, Role.CURATOR))
        self.assertTrue(has_role(staff, Role.CURATOR, staff=True))

    def test_it_knows_who_has_a_role_beyond_student(self):
        learner = make_user("learner", Role.STUDENT)
        self.assertFalse(has_role_beyond_student(learner))
        self.assertFalse(has_role_beyond_student(self.student))
        for user in (self.teacher, self.curator, self.organizer, make_user("s", is_staff=True)):
            self.assertTrue(has_role_beyond_student(user), user.username)

    def test_it_names_the_groups_existing_databases_hold(self):
        self.assertEqual(
            [role.group_name for role in Role], ["Students", "Teachers", "Curators", "Organizers"]
        )

    def test_the_decorator_sends_visitors_to_log_in_and_refuses_other_roles(self):
        factory = RequestFactory()
        request = factory.get("/x/")
        request.user = AnonymousUser()
        self.assertEqual(teaching_view(request).status_code, 302)
        for user, allowed in [(self.teacher, True), (self.curator, True), (self.organizer, False)]:
            request = factory.get("/x/")
            request.user = user
            if allowed:
                self.assertEqual(teaching_view(request).status_code, 200)
            else:
                with self.assertRaises(PermissionDenied):
                    teaching_view(request)
