"""A teacher builds a quiz in a real browser: each item type is added in place by htmx and the
form comes back fresh, with no htmx error on the page (an out-of-band swap whose target is
missing would log htmx:oobErrorNoTarget, which fails the test like any console error)."""

from __future__ import annotations

import time

import pytest

from media_library.models import Verdict
from quiz.models import Quiz
from tests.factories import add_tell, make_teacher, quizzable_clip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def settled(page, action) -> None:
    """Do `action` and wait until htmx has swapped and settled what it answered: on a busy
    machine the next choice could otherwise land on the form that is being replaced."""
    page.evaluate(
        "() => { window.__settled = new Promise(done => document.body.addEventListener("
        "'htmx:afterSettle', () => done(), {once: true})); }"
    )
    action()
    page.evaluate("() => window.__settled")


def test_a_teacher_adds_items_of_each_type_in_place(page, log_in) -> None:
    teacher = make_teacher("teacher")
    real = quizzable_clip("Harbour speech")
    fake = quizzable_clip("Harbour speech, slowed", Verdict.SHALLOWFAKE, original=real)
    add_tell(fake, box_x=0.1, box_y=0.1, box_w=0.2, box_h=0.2)
    quiz = Quiz.objects.create(title="Builder journey", created_by=teacher)
    log_in("teacher")
    page.goto(f"/build/quizzes/{quiz.slug}/")
    url = page.url
    for count, kind in enumerate(("verdict", "pair", "spot_tell", "technique"), start=1):
        settled(page, lambda kind=kind: page.select_option("#add-item #id_kind", kind))
        option = page.locator("#add-item #id_clip option", has_text="slowed").first
        value = option.get_attribute("value")
        settled(page, lambda value=value: page.select_option("#add-item #id_clip", value))
        settled(page, lambda: page.get_by_role("button", name="Add the item").click())
        page.locator("#item-list tbody tr").nth(count - 1).wait_for()
        # A fresh form replaced the one just used, and the page never reloaded.
        assert page.locator("#add-item #id_kind").input_value() == "verdict"
        assert page.url == url
    assert quiz.items.count() == 4


def test_adding_right_after_choosing_a_clip_swaps_cleanly(page, log_in) -> None:
    # Choosing a clip refreshes the form (a GET); a teacher who clicks "Add" before that comes
    # back sends the post from a form that is gone by the time the post is answered. Here the
    # refresh takes 0.3 s and the post 1.5 s, so the post is always answered last.
    teacher = make_teacher("teacher")
    quizzable_clip("Harbour speech")
    quiz = Quiz.objects.create(title="Builder race", created_by=teacher)
    log_in("teacher")
    page.goto(f"/build/quizzes/{quiz.slug}/")

    def slow(route) -> None:
        time.sleep(0.3 if route.request.method == "GET" else 1.5)
        route.continue_()

    page.route("**/items/add/**", slow)
    option = page.locator("#add-item #id_clip option", has_text="Harbour").first
    page.select_option("#add-item #id_clip", option.get_attribute("value"))
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.get_by_role("button", name="Add the item").click()
    page.get_by_text("The item is added.").wait_for()
    # The fresh form is in place (and the page fixture fails on htmx:oobErrorNoTarget).
    assert page.locator("#add-item #id_clip").input_value() == ""
    assert quiz.items.count() == 1
