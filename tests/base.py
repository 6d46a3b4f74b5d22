"""The base test case: named users every access test speaks of, and small factories."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.test import TestCase

from media_library.access import CURATORS_GROUP
from media_library.models import Clip, ProcessingStatus, Verdict


def make_user(username: str, *, curator: bool = False, **extra) -> User:
    user = User.objects.create_user(username, password="password", **extra)
    if curator:
        group, _ = Group.objects.get_or_create(name=CURATORS_GROUP)
        user.groups.add(group)
    return user


def make_clip(title: str = "A clip", **fields) -> Clip:
    fields.setdefault("verdict", Verdict.REAL)
    fields.setdefault("processing_status", ProcessingStatus.PENDING)
    return Clip.objects.create(title=title, **fields)


class BaseTestCase(TestCase):
    """curator and teammate curate together; student is signed in but no curator; outsider
    is a signed-in stranger. Neither of the last two may see any curator data."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.curator = make_user("curator", curator=True)
        cls.teammate = make_user("teammate", curator=True)
        cls.student = make_user("student")
        cls.outsider = make_user("outsider")
