"""A teacher's journey in a real browser: create a class, add a co-teacher (htmx), set a
pre-test and post-test, read the gradebook and download its CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from lessons.models import AssignmentRole, Classroom
from media_library.models import Verdict
from tests.factories import make_item, make_teacher, quizzable_clip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_takes_a_teacher_from_a_new_class_to_the_gradebook_csv(page, log_in):
    make_teacher("teacher")
    make_teacher("helper")
    for n in range(4):
        make_item(quizzable_clip(f"Real {n}"))
        make_item(quizzable_clip(f"Fake {n}", Verdict.DEEPFAKE))

    log_in("teacher")
    page.get_by_role("link", name="My classes").click()
    page.fill("#id_name", "Journey class")
    with page.expect_navigation():
        page.get_by_role("button", name="Create the class").click()
    classroom = Classroom.objects.get(name="Journey class")
    assert page.url.endswith(f"/classes/{classroom.code}/")
    assert page.locator(".join-code").inner_text() == classroom.code
    page.wait_for_function("() => document.querySelector('img.join-qr').naturalWidth > 0")

    # Added in place by htmx: the page does not reload.
    page.fill("#id_username", "helper")
    page.get_by_role("button", name="Add a co-teacher").click()
    page.locator("#teachers li", has_text="helper").wait_for()

    page.get_by_role("link", name="Set a pre-test and post-test").click()
    page.fill("#id_title", "Autumn check")
    page.fill("#id_items_per_test", "3")
    page.fill("#id_pre_due", "2030-01-10T09:00")
    page.fill("#id_post_opens", "2030-02-01T09:00")
    page.fill("#id_post_due", "2030-02-08T09:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Make the tests").click()
    assert "too few students" in page.locator("main").inner_text()
    prepost = classroom.preposts.get()
    pre, post = (prepost.assignment(r) for r in (AssignmentRole.PRE_TEST, AssignmentRole.POST_TEST))
    assert not {i.clip_id for i in pre.quiz.items.all()} & {
        i.clip_id for i in post.quiz.items.all()
    }

    page.get_by_role("link", name="Journey class").click()
    assert "Autumn check · pre-test" in page.locator("#assignments").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:3] == ["pseudonym", "assignments done", "assignments set"]
