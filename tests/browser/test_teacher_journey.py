"""A teacher's journey in a real browser: create a class, add a co-teacher (htmx), set a
pre-test and post-test, read the gradebook and download its CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.test import Client

from lessons.models import AssignmentRole, Classroom
from media_library.models import Verdict
from quiz.models import Attempt
from tests.browser.axe import assert_accessible
from tests.browser.conftest import ARTIFACTS
from tests.browser.layout import CELL_LABEL, DESKTOP, PHONE, unlabelled_stacked_cells
from tests.factories import add_tell, answer_key, make_item, make_teacher, make_user, quizzable_clip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def do_pre_test(classroom: Classroom, assignment, username: str, *, right: bool) -> None:
    """A student joins and answers the whole pre-test through the site (all right or all wrong)."""
    student = make_user(username)
    classroom.join(student)
    client = Client()
    client.force_login(student)
    client.post(f"/me/classes/{classroom.code}/assignments/{assignment.pk}/start/")
    attempt = Attempt.objects.get(class_work__student=student)
    for entry in attempt.entries.select_related("item__clip").order_by("position"):
        truth = entry.item.clip.verdict
        said = truth if right else next(v for v in (Verdict.REAL, Verdict.DEEPFAKE) if v != truth)
        response = client.post(
            f"/attempts/{attempt.uid}/items/{entry.position}/answer/",
            {
                "key": answer_key(client, attempt, entry.position),
                "verdict": said,
                "confidence": 70,
            },
        )
        assert response.status_code in (200, 302), response


def test_it_takes_a_teacher_from_a_new_class_to_the_gradebook_csv(page, log_in):
    make_teacher("teacher")
    make_teacher("helper")
    for n in range(4):
        make_item(quizzable_clip(f"Real {n}"))
        fake = quizzable_clip(f"Fake {n}", Verdict.DEEPFAKE)
        add_tell(fake, ("lip_sync", "face_edges")[n % 2])
        make_item(fake)

    log_in("teacher")
    assert_accessible(page)
    page.get_by_role("link", name="My classes").click()
    assert_accessible(page)
    page.fill("#id_name", "Journey class")
    with page.expect_navigation():
        page.get_by_role("button", name="Create the class").click()
    classroom = Classroom.objects.get(name="Journey class")
    assert page.url.endswith(f"/classes/{classroom.code}/")
    assert page.locator(".join-code").inner_text() == classroom.code
    page.wait_for_function("() => document.querySelector('img.join-qr').naturalWidth > 0")
    assert_accessible(page)

    # Added in place by htmx: the page does not reload.
    page.fill("#id_username", "helper")
    page.get_by_role("button", name="Add a co-teacher").click()
    page.locator("#teachers li", has_text="helper").wait_for()

    page.get_by_role("link", name="Set a pre-test and post-test").click()
    assert_accessible(page)
    page.fill("#id_title", "Autumn check")
    page.fill("#id_items_per_test", "3")
    page.fill("#id_pre_due", "2030-01-10T09:00")
    page.fill("#id_post_opens", "2030-02-01T09:00")
    page.fill("#id_post_due", "2030-02-08T09:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Make the tests").click()
    assert "too few students" in page.locator("main").inner_text()
    assert_accessible(page)
    prepost = classroom.preposts.get()
    pre, post = (prepost.assignment(r) for r in (AssignmentRole.PRE_TEST, AssignmentRole.POST_TEST))
    assert not {i.clip_id for i in pre.quiz.items.all()} & {
        i.clip_id for i in post.quiz.items.all()
    }

    # Two students take the pre-test, so the gradebook has rows and a column per tell.
    do_pre_test(classroom, pre, "quiet_heron", right=True)
    do_pre_test(classroom, pre, "brave_otter", right=False)

    page.get_by_role("link", name="Journey class").click()
    assert "Autumn check · pre-test" in page.locator("#assignments").inner_text()
    gradebook = page.locator("#gradebook")
    assert gradebook.locator("tbody tr").count() == 2
    # Wider than the page: the scroll area is a named region that Tab reaches.
    scroll = gradebook.locator(".table-scroll")
    assert scroll.evaluate("e => e.scrollWidth > e.clientWidth")
    assert scroll.get_attribute("role") == "region"
    assert scroll.get_attribute("aria-label")
    scroll.focus()
    assert scroll.evaluate("e => document.activeElement === e")
    assert_accessible(page)

    # On a phone the gradebook stacks into one card per student, every number labelled.
    page.set_viewport_size(PHONE)
    assert unlabelled_stacked_cells(page, "#gradebook table") == []
    first = gradebook.locator("tbody tr").first.locator("td").nth(3)
    assert first.evaluate(CELL_LABEL) == '"Accuracy: "'
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    gradebook.screenshot(path=str(ARTIFACTS / "gradebook-phone.png"))
    assert_accessible(page, "the gradebook on a phone")
    page.set_viewport_size(DESKTOP)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:3] == ["pseudonym", "assignments done", "assignments set"]
