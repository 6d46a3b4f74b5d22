"""A student's journey in a real browser: join a class by its code, open a lesson, start its
practice quiz, answer an item, then see their progress and their review queue."""

from __future__ import annotations

import pytest

from lessons.models import Classroom, Lesson, LessonKind
from media_library.models import Verdict
from tests.browser.axe import assert_accessible
from tests.factories import add_tell, make_item, make_teacher, quizzable_clip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_takes_a_student_from_a_class_code_to_their_progress_and_review(page, page_problems):
    # The clip's media files are names only (no media work here): the player's requests for
    # them 404, which is not what this journey is about.
    page_problems.expected = ("/items/1/a/", "/items/1/revealed/", "/media/clips/")
    classroom = Classroom.objects.create(name="Journey class", owner=make_teacher("teacher"))
    lesson = Lesson.objects.create(
        slug="lip-sync",
        title="Lip sync",
        kind=LessonKind.TELL,
        tell_category="lip_sync",
        body="Watch the mouth against the sound.",
    )
    fake = quizzable_clip("Dubbed speech", Verdict.DEEPFAKE)
    add_tell(fake, "lip_sync")
    make_item(fake)

    page.goto("/join/")
    assert_accessible(page)
    page.fill("#id_code", classroom.code.lower())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert_accessible(page)
    page.get_by_label("Pick a nickname").fill("quiet_heron")
    page.fill("#id_password1", "a-long-pass-phrase")
    page.fill("#id_password2", "a-long-pass-phrase")
    with page.expect_navigation():
        page.get_by_role("button", name="Join the class").click()
    # The nickname gets a random tag (the join page never says whether a name is taken).
    assert classroom.memberships.filter(student__username__regex=r"^quiet_heron-\d{4}$").exists()
    assert_accessible(page)

    page.goto(lesson.get_absolute_url())
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Practice this tell").click()
    form = page.locator("form.answer-form")
    assert_accessible(page)
    form.get_by_role("radio", name="Real", exact=True).check()  # wrong: it is a deepfake
    form.get_by_role("button", name="Lock in my answer").click()
    # Only the reveal says how the answer went (the form's own labels name "Deepfake" too),
    # and it links the lesson for the clip's tell.
    page.locator(".reveal-heading", has_text="Wrong").wait_for()
    assert page.get_by_role("link", name="Learn this tell: Lip sync").is_visible()
    assert_accessible(page)

    page.goto("/me/progress/")
    main = page.locator("main")
    assert_accessible(page)
    assert "What to practise next" in main.inner_text()
    assert "Lip sync" in main.inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Open your review queue").click()
    assert "Due for review: Lip sync" in page.locator("main").inner_text()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Start a review round").click()
    page.locator("form.answer-form").wait_for()
    assert_accessible(page)
