"""The base test case: named users every access test speaks of, and small factories."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import TestCase

from media_library.models import Clip, ProcessingStatus, Verdict
from media_library.roles import Role, grant


def make_user(username: str, *roles: Role, curator: bool = False, **extra) -> User:
    """A user with password "password" holding `roles` (`curator=True` is Role.CURATOR)."""
    user = User.objects.create_user(username, password="password", **extra)
    for role in (*roles, *([Role.CURATOR] if curator else [])):
        grant(user, role)
    return user


def make_teacher(username: str) -> User:
    return make_user(username, Role.TEACHER)


def make_clip(title: str = "A clip", **fields) -> Clip:
    fields.setdefault("verdict", Verdict.REAL)
    fields.setdefault("processing_status", ProcessingStatus.PENDING)
    return Clip.objects.create(title=title, **fields)


class BaseTestCase(TestCase):
    """The named users every access test speaks of: curator and teammate curate together;
    teacher and other_teacher teach (and must not see each other's work); organizer runs
    campaigns; student is a signed-in learner with no other role; outsider is a signed-in
    stranger. Nobody without the role may see a curator's or a teacher's data."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.curator = make_user("curator", Role.CURATOR)
        cls.teammate = make_user("teammate", Role.CURATOR)
        cls.teacher = make_teacher("teacher")
        cls.other_teacher = make_teacher("other_teacher")
        cls.organizer = make_user("organizer", Role.ORGANIZER)
        cls.student = make_user("student")
        cls.outsider = make_user("outsider")
