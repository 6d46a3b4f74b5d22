"""The reveal sets a fake beside its original: side by side on a wide screen, a toggle on a phone,
and the two videos held to the same moment (play, pause and seek of one drive the other).

Both clips are real videos (ffmpeg's test pattern) uploaded and processed for real, so the
players have something to play and seek.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from media_library.models import Clip, ProcessingStatus, PublicationState, Technique, Verdict
from tests.browser.axe import assert_accessible
from tests.browser.conftest import ARTIFACTS
from tests.browser.layout import PHONE
from tests.factories import make_item, make_quiz, make_user, make_video

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAKE = ".compare-fake video"
ORIGINAL = ".compare-original video"


@pytest.fixture
def media(settings, tmp_path) -> None:
    """A MEDIA_ROOT of the test's own, which the live server serves from."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_WORK_DIR = tmp_path / "work"
    settings.MEDIA_ROOT.mkdir()
    settings.MEDIA_WORK_DIR.mkdir()


def processed(path, title: str, curator, **fields) -> Clip:
    """Upload and process a clip (the immediate task backend runs it on commit), published."""
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    clip = Clip.objects.create_from_upload(upload, curator, title=title, **fields)
    clip.refresh_from_db()
    assert clip.processing_status == ProcessingStatus.READY, clip.processing_error
    Clip.objects.filter(pk=clip.pk).update(publication_state=PublicationState.PUBLISHED)
    return clip


def open_reveal(page, tmp_path) -> None:
    """Answer a one-item quiz on a fake video with a video original, and wait for both players."""
    curator = make_user("curator", curator=True)
    original = processed(
        make_video(tmp_path / "original.mp4", seconds=4), "Harbour original", curator
    )
    fake = processed(
        make_video(tmp_path / "fake.mp4", seconds=4, width=320, height=180),
        "Harbour slowed down",
        curator,
        verdict=Verdict.SHALLOWFAKE,
        technique=Technique.SPEED_CHANGE,
        original=original,
    )
    quiz = make_quiz([make_item(fake)], title="Compare them")
    page.goto(f"/quizzes/{quiz.slug}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Start").click()
    form = page.locator("form.answer-form")
    form.get_by_role("radio", name="Shallowfake", exact=True).check()
    form.get_by_role("button", name="Lock in my answer").click()
    page.locator("#stage .reveal").wait_for()
    for selector in (FAKE, ORIGINAL):
        page.wait_for_function(
            "s => { const v = document.querySelector(s); return v.readyState && v.duration > 3; }",
            arg=selector,
        )


def box(page, selector: str) -> dict:
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


def time_of(page, selector: str) -> float:
    return page.eval_on_selector(selector, "v => v.currentTime")


def wait_at(page, selector: str, seconds: float) -> None:
    page.wait_for_function(
        "([s, t]) => { const v = document.querySelector(s);"
        " return !v.seeking && Math.abs(v.currentTime - t) < 0.15; }",
        arg=[selector, seconds],
    )


def test_it_compares_a_fake_with_its_original(page, media, tmp_path) -> None:
    """One test, as making and processing the two videos is the slow part."""
    open_reveal(page, tmp_path)
    side_by_side_on_a_wide_screen(page)
    one_video_drives_the_other(page)
    a_toggle_on_a_phone(page)


def side_by_side_on_a_wide_screen(page) -> None:
    fake, original = box(page, ".compare-fake"), box(page, ".compare-original")
    # One row: the same top, the original to the right, neither overlapping the other.
    assert abs(fake["y"] - original["y"]) < 2, (fake, original)
    assert original["x"] >= fake["x"] + fake["width"]
    assert not page.locator(".compare-toggle").is_visible()
    assert page.eval_on_selector(ORIGINAL, "v => v.muted")
    assert_accessible(page, "the reveal with an original")


def one_video_drives_the_other(page) -> None:
    page.eval_on_selector(FAKE, "v => { v.currentTime = 2.5; }")
    wait_at(page, ORIGINAL, 2.5)
    page.eval_on_selector(ORIGINAL, "v => { v.currentTime = 1; }")
    wait_at(page, FAKE, 1)
    # The players' own controls are user gestures; a click on the fake's play stands in.
    page.locator(FAKE).click()
    page.eval_on_selector(FAKE, "v => v.paused ? v.play() : null")
    page.wait_for_function("s => !document.querySelector(s).paused", arg=ORIGINAL)
    page.eval_on_selector(FAKE, "v => v.pause()")
    page.wait_for_function("s => document.querySelector(s).paused", arg=ORIGINAL)
    assert abs(time_of(page, FAKE) - time_of(page, ORIGINAL)) < 0.5


def a_toggle_on_a_phone(page) -> None:
    page.set_viewport_size(PHONE)
    fake_button = page.get_by_role("button", name="The fake", exact=True)
    original_button = page.get_by_role("button", name="The original", exact=True)
    fake_button.wait_for()
    assert page.locator(".compare-fake").is_visible()
    assert not page.locator(".compare-original").is_visible()
    assert fake_button.get_attribute("aria-pressed") == "true"

    original_button.click()
    assert page.locator(".compare-original").is_visible()
    assert not page.locator(".compare-fake").is_visible()
    assert original_button.get_attribute("aria-pressed") == "true"
    assert fake_button.get_attribute("aria-pressed") == "false"
    # The hidden one still follows: seek the shown original, show the fake, it is there too.
    page.eval_on_selector(ORIGINAL, "v => { v.currentTime = 3; }")
    wait_at(page, FAKE, 3)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reveal-phone-original.png"), full_page=True)
    assert_accessible(page, "the reveal on a phone")

    fake_button.click()
    assert page.locator(".compare-fake").is_visible()
    assert not page.locator(".compare-original").is_visible()
