"""A curator's whole journey in a real browser, and a student refused at the door.

The journey uploads a real clip (a FaceForensics++ original from ../shared/media/dev when that
folder exists, else a test pattern made with ffmpeg), waits for processing, plays the result,
edits the details, marks a tell by scrubbing and dragging a box, and publishes through review
by a second curator; then makes a shallowfake of it in the workshop and publishes that too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from media_library.models import Clip, ProcessingStatus, PublicationState
from tests.browser.axe import assert_accessible
from tests.browser.conftest import ARTIFACTS
from tests.factories import DEV_MEDIA, make_clip, make_user, make_video

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = ARTIFACTS / "curator-journey.png"
# Predicates are functions, not strings: a string would be eval'd, which our CSP rightly refuses.
PLAYER_READY = "() => document.getElementById('clip-player').readyState >= 2"
IMAGE_LOADED = "img => img.complete && img.naturalWidth > 0"


def player_near(seconds: float) -> str:
    return f"() => Math.abs(document.getElementById('clip-player').currentTime - {seconds}) < 0.1"


FFPP_ORIGINAL = DEV_MEDIA / "ffpp/original_sequences/youtube/c40/videos/469.mp4"


def journey_clip(tmp_path: Path) -> tuple[Path, float]:
    """The clip to upload and its duration in seconds."""
    if FFPP_ORIGINAL.is_file():
        import av

        with av.open(str(FFPP_ORIGINAL)) as container:
            return FFPP_ORIGINAL, container.duration / 1_000_000
    return make_video(tmp_path / "pattern.mp4", seconds=4, audio=True), 4.0


def test_curator_uploads_annotates_and_publishes_a_clip(
    page, page_problems, log_in, tmp_path
) -> None:
    """Upload → processing → a tell marked on the frame → review → publish (by a second
    curator) → a workshop shallowfake of it → review → publish."""
    make_user("curator", curator=True)
    make_user("reviewer", curator=True)
    source, duration = journey_clip(tmp_path)
    log_in("curator")

    def switch_to(username: str) -> None:
        page.context.clear_cookies()
        log_in(username)

    # The library starts empty and says so.
    page.goto("/curate/")
    assert page.get_by_role("heading", name="No clips yet").is_visible()
    assert_accessible(page)

    # Upload. Tasks run on the immediate backend, so processing happens inside this request.
    page.get_by_role("link", name="Upload the first clip").click()
    assert_accessible(page)
    page.set_input_files("#id_file", str(source))
    page.fill("#id_title", "Studio interview")
    page.select_option("#id_verdict", "real")
    with page.expect_navigation(timeout=180_000):
        page.get_by_role("button", name="Upload").click()
    assert re.search(r"/curate/clips/studio-interview/$", page.url)

    # Processed: the panel says Ready, does not poll, and the player plays.
    status = page.locator("#processing-status")
    status.get_by_text("Ready").wait_for()
    assert status.get_attribute("hx-trigger") is None
    clip = Clip.objects.get(slug="studio-interview")
    assert clip.processing_status == ProcessingStatus.READY, clip.processing_error
    page.wait_for_function(PLAYER_READY)
    assert_accessible(page)
    player_duration = page.evaluate("document.getElementById('clip-player').duration")
    assert player_duration == pytest.approx(duration, abs=0.5)
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("() => document.getElementById('clip-player').currentTime > 0.3")
    page.get_by_role("button", name="Pause").click()
    assert page.evaluate("document.getElementById('clip-player').paused")

    # Edit the details through htmx: the form comes back saying Saved, without a page load.
    page.fill("#id_source_url", "https://github.com/ondyari/FaceForensics")
    page.fill("#id_licence", "FaceForensics++ terms of use (research only)")
    page.fill("#id_attribution", "FaceForensics++ (Rössler et al., 2019)")
    page.fill("#id_content_notes", "A news presenter speaking to camera.")
    # Until rights and consent are recorded, the clip cannot go to review.
    workflow = page.locator(".workflow")
    assert workflow.get_by_text("Say whether anyone is shown or heard").is_visible()
    assert workflow.get_by_role("button", name="Submit for review").is_disabled()
    page.select_option("#id_depicts_people", "true")
    page.select_option("#id_depicts_public_figure", "true")
    page.fill("#id_consent_notes", "Public figure: a news presenter in broadcast footage.")
    page.get_by_role("button", name="Save details").click()
    page.locator("#metadata-form").get_by_text("Saved.").wait_for()
    # The saved details lift the blockers without a page load.
    workflow.get_by_role("button", name="Submit for review").wait_for()
    assert workflow.get_by_role("button", name="Submit for review").is_enabled()
    assert not page.locator("#publication-blockers").is_visible()
    clip.refresh_from_db()
    assert clip.licence == "FaceForensics++ terms of use (research only)"
    assert clip.updated_by.username == "curator"

    # Mark a tell: scrub to 1.5 s and set the start, scrub to 3 s and set the end.
    scrubber = page.locator("#scrubber")
    scrubber.fill("1.5")
    page.wait_for_function(
        "Math.abs(document.getElementById('clip-player').currentTime - 1.5) < 0.1"
    )
    page.get_by_role("button", name="Set start").click()
    scrubber.fill("3")
    page.get_by_role("button", name="Set end").click()
    assert float(page.input_value("#id_start_seconds")) == pytest.approx(1.5, abs=0.05)
    assert float(page.input_value("#id_end_seconds")) == pytest.approx(3.0, abs=0.05)

    # Drag a box over the frame with the mouse: from 30 %/20 % to 60 %/70 % of the picture.
    # The whole frame must be on screen first (a 4:3 clip can be taller than what is left).
    page.locator("#box-overlay").evaluate("e => e.scrollIntoView({block: 'center'})")
    overlay = page.locator("#box-overlay").bounding_box()
    assert overlay is not None
    assert overlay["width"] > 100
    x0, y0, w, h = overlay["x"], overlay["y"], overlay["width"], overlay["height"]
    page.mouse.move(x0 + 0.3 * w, y0 + 0.2 * h)
    page.mouse.down()
    page.mouse.move(x0 + 0.45 * w, y0 + 0.5 * h, steps=5)
    page.mouse.move(x0 + 0.6 * w, y0 + 0.7 * h, steps=5)
    page.mouse.up()
    box = [float(page.input_value(f"#id_box_{name}")) for name in "xywh"]
    assert box == pytest.approx([0.3, 0.2, 0.3, 0.5], abs=0.01)
    assert page.locator(".box-drawn").is_visible()

    page.select_option("#id_category", "face_edges")
    page.fill("#id_explanation", "The jaw line shimmers against the collar.")
    page.get_by_role("button", name="Add the tell").click()

    # The list is swapped in with the tell and its rendered still; the form is empty again.
    item = page.locator(".tell-item", has_text="The jaw line shimmers against the collar.")
    item.wait_for()
    assert "0:01\N{EN DASH}0:03" in item.inner_text()
    still = item.locator("img.tell-still")
    still.wait_for()
    page.wait_for_function(IMAGE_LOADED, arg=still.element_handle())
    assert page.input_value("#id_explanation") == ""
    assert page.input_value("#id_box_x") == ""
    assert not page.locator(".box-drawn").is_visible()
    tell = clip.tells.get()
    assert_accessible(page)
    assert (tell.box_x, tell.box_y) == pytest.approx((0.3, 0.2), abs=0.01)

    # Clicking the tell seeks the player to its start.
    page.evaluate("document.getElementById('clip-player').currentTime = 5")
    item.locator(".tell-seek").click()
    page.wait_for_function(
        "Math.abs(document.getElementById('clip-player').currentTime - 1.5) < 0.1"
    )

    # Review, then publish as a second curator: the one who uploads is not the one who
    # publishes (a site may waive that rule; this journey holds to it either way).
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    assert page.get_by_text("Submitted for review.").is_visible()
    # The curator who submitted it cannot publish it: a second curator reviews.
    assert page.get_by_text("another curator or a staff member publishes it").is_visible()
    assert page.get_by_role("button", name="Publish").count() == 0
    assert_accessible(page)
    switch_to("reviewer")
    page.goto(clip.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    assert page.get_by_text("Published: the clip can now appear").is_visible()
    assert workflow.locator(".badge-published").inner_text() == "Published"
    clip.refresh_from_db()
    assert clip.publication_state == PublicationState.PUBLISHED

    page.wait_for_function(PLAYER_READY)
    assert_accessible(page)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # The library lists it as published, with its poster.
    page.goto("/curate/?state=published")
    row = page.locator(".clip-row", has_text="Studio interview")
    assert row.locator(".badge-published").is_visible()
    page.wait_for_function(
        IMAGE_LOADED,
        arg=row.locator(".clip-thumb img").element_handle(),
    )
    assert_accessible(page)

    # The workshop: the reviewer makes a mirrored shallowfake of the published clip. It is
    # rendered for real (on commit, by the immediate backend) and arrives as a draft.
    page.goto(clip.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("link", name="Make a shallowfake of this clip…").click()
    assert_accessible(page)
    page.get_by_role("link", name="Mirror", exact=True).click()
    page.locator("#workshop-form input[name=recipe][value=mirror]").wait_for(state="attached")
    with page.expect_navigation(timeout=180_000):
        page.get_by_role("button", name="Make the shallowfake").click()
    fake = Clip.objects.get(original=clip)
    assert page.url.endswith(fake.get_absolute_url()), page.url
    page.locator("#processing-status").get_by_text("Ready").wait_for(timeout=180_000)
    fake.refresh_from_db()
    assert fake.processing_status == ProcessingStatus.READY, fake.processing_error
    assert fake.publication_state == PublicationState.DRAFT
    assert fake.tells.count() == 1, "the workshop marks the tell of its own edit"
    page.wait_for_function(PLAYER_READY)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()

    # And the first curator, who did not make it, publishes it.
    switch_to("curator")
    page.goto(fake.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    assert page.get_by_text("Published: the clip can now appear").is_visible()
    fake.refresh_from_db()
    assert fake.publication_state == PublicationState.PUBLISHED
    assert_accessible(page)

    assert not page_problems.unexpected(), page_problems


def test_a_student_is_refused_the_curator_area(page, page_problems, log_in) -> None:
    make_user("student")
    page_problems.expected = ("403",)  # chromium logs the refused page load itself
    log_in("student")
    response = page.goto("/curate/")
    assert response is not None
    assert response.status == 403
    assert "Clip library" not in page.content()
    assert page.get_by_role("link", name="Curate").count() == 0
    # Not even through the link a curator would use.
    response = page.goto("/curate/upload/")
    assert response is not None
    assert response.status == 403


def test_the_processing_panel_follows_a_clip_until_it_finishes(page, log_in) -> None:
    """The panel polls with htmx while a worker is busy and reloads the page once it is done."""
    make_user("curator", curator=True)
    clip = make_clip(processing_status=ProcessingStatus.PROCESSING, processing_progress=30)
    log_in("curator")
    page.goto(clip.get_absolute_url())
    progress = page.locator("#processing-status progress")
    assert progress.get_attribute("value") == "30"

    Clip.objects.filter(pk=clip.pk).update(processing_progress=70)
    page.wait_for_function(
        "() => document.querySelector('#processing-status progress')?.value === 70"
    )

    Clip.objects.filter(pk=clip.pk).update(
        processing_status=ProcessingStatus.FAILED, processing_error="The file ends early."
    )
    page.get_by_text("The file ends early.").wait_for()
    assert page.get_by_role("button", name="Retry processing").is_visible()
    assert page.locator("#processing-status").get_attribute("hx-trigger") is None
