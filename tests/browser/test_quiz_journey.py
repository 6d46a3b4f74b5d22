"""A learner's journeys through the demo quizzes in a real browser, with JavaScript on and off.

The demo pack (seed_demo: twelve clips processed for real, three quizzes) takes about twenty
seconds to build, so it is built once for the module into a temporary MEDIA_ROOT, serialised, and
reloaded before each test by Django's serialized rollback: each test starts from the same
committed data, which the live server's own connection sees.

The tests know the truth from the database (the attempt's items and their clips), never from the
page, so they can answer right or wrong on purpose and check that the reveal says so.
"""

from __future__ import annotations

import enum
import io
import re
import shutil
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings

from media_library.models import Clip, Technique, Tell, Verdict
from quiz.forms import DEFAULT_CONFIDENCE
from quiz.models import Answer, AttemptItem, ItemKind, Slot
from quiz.scoring import MIN_OVERLAP, Box
from tests.browser.axe import assert_accessible
from tests.browser.conftest import ARTIFACTS
from tests.browser.layout import CELL_LABEL, DESKTOP, PHONE, unlabelled_stacked_cells

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PRACTICE, ASSESSMENT, FEED = "demo-practice", "demo-assessment", "demo-feed"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HEADING_FOCUSED = "() => document.activeElement && document.activeElement.id === 'stage-question'"
# The form says which type of item it is by the fields it asks for.
FORM_KINDS = {
    "verdict": ItemKind.VERDICT,
    "slot": ItemKind.PAIR,
    "technique": ItemKind.TECHNIQUE,
    "cell": ItemKind.SPOT_TELL,
    "seconds": ItemKind.SPOT_TELL,
}
SLIDER_STEP = 5


class Intent(enum.Enum):
    """What the test means to answer; the value is the reveal's heading it must then show."""

    RIGHT = "Right"
    WRONG = "Wrong"
    PARTLY = "Partly right"


@pytest.fixture(scope="module", autouse=True)
def demo_pack(browser, django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[None]:
    """Build the demo pack once, and have every test of the module start from it.

    Depends on `browser` so that a machine without chromium skips before the build.
    """
    root = tmp_path_factory.mktemp("quiz-journey")
    (root / "media").mkdir()
    (root / "work").mkdir()
    media = override_settings(MEDIA_ROOT=root / "media", MEDIA_WORK_DIR=root / "work")
    media.enable()
    connection = connections["default"]
    with django_db_blocker.unblock():
        # seed_demo refuses to run with DEBUG off; the live server keeps it off.
        with override_settings(DEBUG=True):
            call_command("seed_demo", stdout=io.StringIO())
        snapshot = connection.creation.serialize_db_to_string()
        # Empty, as after any transactional test: each test loads the snapshot itself.
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    # Serialized rollback reloads this before each test and flushes after it without
    # post_migrate, so content types and permissions keep the snapshot's keys.
    before = connection.__dict__.get("_test_serialized_contents")
    connection._test_serialized_contents = snapshot
    yield
    if before is None:
        del connection._test_serialized_contents
    else:
        connection._test_serialized_contents = before
    with django_db_blocker.unblock():
        # Leave the database as a transactional test leaves it: empty but for what
        # post_migrate makes (content types, permissions).
        call_command("flush", interactive=False, verbosity=0)
    media.disable()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def page_without_js(browser, live_server, page_problems) -> Iterator:
    """Like conftest's `page`, with JavaScript disabled (so no CSP listener can run either)."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        java_script_enabled=False,
    )
    context.set_default_timeout(20_000)
    page = context.new_page()

    def on_console(message) -> None:
        if message.type == "error":
            page_problems.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    yield page
    context.close()
    assert not page_problems.unexpected(), page_problems.unexpected()


# --- the truth, from the database ------------------------------------------------------------


def entry_at(uid: str, position: int) -> AttemptItem:
    return AttemptItem.objects.select_related("item__clip", "item__other_clip").get(
        attempt__uid=uid, position=position
    )


def boxed_tells(clip: Clip) -> list[Tell]:
    return [tell for tell in clip.tells.all() if tell.has_box]


def cell_of(x: float, y: float) -> int:
    """The 3-by-3 region (0..8, row by row) a point on the frame falls in."""
    return min(2, int(y * 3)) * 3 + min(2, int(x * 3))


def best_cell(clip: Clip) -> int:
    return max(
        range(9),
        key=lambda cell: max(Box.grid_cell(cell).overlap(Box(*t.box)) for t in boxed_tells(clip)),
    )


def missed_cell(clip: Clip) -> int:
    """A region that overlaps none of the clip's tells enough to count."""
    misses = [
        cell
        for cell in range(9)
        if all(Box.grid_cell(cell).overlap(Box(*t.box)) < MIN_OVERLAP for t in boxed_tells(clip))
    ]
    assert misses, f"every region hits a tell of {clip.title}"
    return misses[0]


def tell_moment(clip: Clip) -> float:
    tell = clip.tells.order_by("start_seconds").first()
    return round((tell.start_seconds + tell.end_seconds) / 2, 1)


def truth_label(entry: AttemptItem) -> str:
    """What the reveal must give as "The answer" (spot items describe their tells instead)."""
    item = entry.item
    if item.kind == ItemKind.VERDICT:
        return Verdict(item.clip.verdict).label
    if item.kind == ItemKind.PAIR:
        return next(str(slot.label) for slot, clip in entry.slots() if clip.is_manipulated)
    if item.kind == ItemKind.TECHNIQUE:
        return Technique(item.correct_technique).label
    return "the marked tells below"


# --- the page --------------------------------------------------------------------------------


def item_path(uid: str, position: int) -> str:
    return f"/attempts/{uid}/items/{position}/"


def start(page, slug: str, *, js: bool = True) -> str:
    """Open the quiz from the list and press Start; returns the attempt's uid."""
    page.goto("/quizzes/")
    if js:
        assert_accessible(page)
    with page.expect_navigation():
        page.locator(f"a[href='/quizzes/{slug}/']").click()
    if js:
        assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Start").click()
    match = re.search(r"/attempts/([0-9a-f-]{36})/items/1/$", page.url)
    assert match, page.url
    return match.group(1)


def assert_nothing_given_away(html: str, where: str) -> None:
    """Before an answer the page names no clip and labels nothing as manipulated."""
    titles = list(Clip.objects.values_list("title", flat=True))
    assert titles
    shown = [title for title in titles if title in html]
    assert not shown, f"{where} names {shown} before the answer"
    assert "Manipulated media" not in html, f"{where} labels a clip before the answer"


def form_kind(page) -> ItemKind:
    form = page.locator("form.answer-form")
    kinds = {kind for name, kind in FORM_KINDS.items() if form.locator(f"[name={name}]").count()}
    assert len(kinds) == 1, f"the form asks for {kinds}"
    return kinds.pop()


def move_confidence(page, *, js: bool) -> int:
    """One step up the confidence slider with the keyboard; returns the value now set."""
    slider = page.locator("form.answer-form input[name=confidence]")
    readout = page.locator("form.answer-form output.confidence-value")
    assert slider.input_value() == str(DEFAULT_CONFIDENCE)
    if js:
        assert readout.inner_text() == f"{DEFAULT_CONFIDENCE} %"
    else:
        assert not readout.is_visible()
    slider.focus()
    page.keyboard.press("ArrowRight")
    value = DEFAULT_CONFIDENCE + SLIDER_STEP
    assert slider.input_value() == str(value)
    if js:
        assert readout.inner_text() == f"{value} %"
    return value


def click_frame_at(page, x: float, y: float) -> None:
    media = page.locator("[data-spot-frame] img, [data-spot-frame] video").first
    # Loaded first: on a busy machine a picture drawn for the attempt can still be on its way,
    # and the page's scripts place the point on the loaded frame.
    media.evaluate(
        "e => e.tagName === 'IMG' ? (e.complete && e.naturalWidth > 0) || new Promise("
        "ok => e.addEventListener('load', ok, {once: true})) : null"
    )
    media.evaluate("e => e.scrollIntoView({block: 'center'})")
    box = media.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x * box["width"], box["y"] + y * box["height"])


def answer_spot(page, entry: AttemptItem, intent: Intent, *, js: bool) -> None:
    clip = entry.item.clip
    form = page.locator("form.answer-form")
    asks_time = form.locator("[name=seconds]").count() == 1
    is_video = page.locator("[data-spot-frame] video").count() == 1
    assert is_video == (clip.kind == "video")
    point_toggle = page.get_by_role("button", name="Point at the frame")
    time_button = page.get_by_role("button", name="Use the player's time")
    if not js:
        # The JavaScript-only helpers stay out of the way; regions and typed seconds remain.
        assert not point_toggle.is_visible()
        assert not time_button.is_visible()
        cell = best_cell(clip) if intent == Intent.RIGHT else missed_cell(clip)
        form.locator(f"[name=cell][value='{cell}']").check()
        if asks_time:
            form.locator("[name=seconds]").fill(str(tell_moment(clip)))
        return
    assert intent == Intent.RIGHT, "the JavaScript walk points at the tell"
    tell = boxed_tells(clip)[0]
    x, y = tell.box_x + tell.box_w / 2, tell.box_y + tell.box_h / 2
    if is_video:
        assert point_toggle.get_attribute("aria-pressed") == "false"
        point_toggle.click()
        assert point_toggle.get_attribute("aria-pressed") == "true"
    click_frame_at(page, x, y)
    # The click picked the region it fell in and recorded the point.
    assert form.locator(f"[name=cell][value='{cell_of(x, y)}']").is_checked()
    assert float(form.locator("[name=x]").input_value()) == pytest.approx(x, abs=0.01)
    assert float(form.locator("[name=y]").input_value()) == pytest.approx(y, abs=0.01)
    marker = page.locator(".spot-pick .overlay-you").first
    assert float(marker.get_attribute("cx")) == pytest.approx(x, abs=0.01)
    if asks_time:
        moment = tell_moment(clip)
        page.wait_for_function("() => document.getElementById('item-player-1').readyState >= 1")
        page.evaluate(f"document.getElementById('item-player-1').currentTime = {moment}")
        page.wait_for_function(
            "() => { const p = document.getElementById('item-player-1');"
            f" return !p.seeking && Math.abs(p.currentTime - {moment}) < 0.05; }}"
        )
        time_button.click()
        assert form.locator("[name=seconds]").input_value() == f"{moment:.1f}"


def answer(page, entry: AttemptItem, intent: Intent, *, js: bool) -> int | None:
    """Fill the form with the control its item type calls for; returns the confidence set."""
    kind = form_kind(page)
    assert kind == entry.item.kind, f"item {entry.position}: form for {kind}"
    form = page.locator("form.answer-form")
    item = entry.item
    if kind == ItemKind.VERDICT:
        truth = item.clip.verdict
        said = truth if intent == Intent.RIGHT else next(v for v in Verdict if v != truth)
        form.get_by_role("radio", name=Verdict(said).label, exact=True).check()
    elif kind == ItemKind.PAIR:
        fake = next(slot for slot, clip in entry.slots() if clip.is_manipulated)
        said = fake if intent == Intent.RIGHT else next(s for s in Slot if s != fake)
        form.get_by_role("radio", name=Slot(said).label, exact=True).check()
    elif kind == ItemKind.TECHNIQUE:
        truth = item.correct_technique
        said = truth if intent == Intent.RIGHT else next(t for t in Technique if t != truth)
        form.get_by_role("radio", name=Technique(said).label, exact=True).check()
    else:
        answer_spot(page, entry, intent, js=js)
    if kind.asks_confidence:
        return move_confidence(page, js=js)
    assert form.locator("[name=confidence]").count() == 0
    return None


def check_reveal(page, uid: str, entry: AttemptItem, intent: Intent, confidence) -> None:
    reveal = page.locator("#stage .reveal")
    assert page.url.endswith(item_path(uid, entry.position)), page.url
    assert reveal.locator("#stage-question").inner_text().strip() == intent.value
    facts = reveal.locator(".reveal-facts")
    assert facts.locator("div", has_text="The answer").locator("dd").inner_text() == truth_label(
        entry
    )
    if confidence is not None:
        assert f"{confidence} %" in facts.inner_text()
    # The crowd: the demo class's students have answered some demo items; the page sets this
    # learner beside everyone else and must say exactly what their stored answers say.
    crowd = entry.item.crowd(excluding=Answer.objects.get(entry=entry))
    if crowd.answers:
        assert f"{crowd.percent} % of {crowd.answers} answers were right." in facts.inner_text()
    else:
        assert "You are the first to answer this one." in facts.inner_text()
    clips = [clip for _slot, clip in entry.slots()]
    fakes = [clip for clip in clips if clip.is_manipulated]
    assert reveal.locator(".media-label-text", has_text="Manipulated media").count() == len(fakes)
    assert reveal.locator(".revealed-clip").count() == len(clips)
    for index, (slot, clip) in enumerate(entry.slots()):
        # In slot order, each under its own title (a fake's original has a title of its own).
        shown = reveal.locator(".revealed-clip").nth(index)
        assert shown.locator(":scope > .clip-title").inner_text() == clip.title
        if len(clips) > 1:
            assert shown.locator(".slot-label").inner_text() == slot.label
        assert shown.locator(".badge-verdict").inner_text() == clip.get_verdict_display()
        assert "No analysis yet" in shown.locator(".detector-panel").inner_text()
        assert shown.locator(".tell-reveal").count() == clip.tells.count()
        if clip.is_manipulated and clip.original_id:
            original = shown.locator("details.original")
            toggle = shown.get_by_role("button", name="The original", exact=True)
            if toggle.is_visible():  # a card too narrow for both shows one at a time
                toggle.press("Enter")
            assert original.is_visible(), f"{clip.title} has no original beside it"
            assert clip.original.title in original.inner_text()
            assert original.locator("img, video").count() == 1


def check_tell_seek(page, clip: Clip) -> None:
    """A tell's "Watch at" link seeks the reveal's player there instead of leaving the page."""
    tell = clip.tells.order_by("start_seconds").first()
    link = page.locator(".reveal .seek-link").first
    player = page.locator(".reveal video.reveal-player").first
    player.evaluate("p => { p.currentTime = p.duration ? p.duration - 0.1 : 3; }")
    url = page.url
    link.click()
    page.wait_for_function(
        "([p, t]) => !p.seeking && Math.abs(p.currentTime - t) < 0.1",
        arg=[player.element_handle(), tell.start_seconds],
    )
    assert page.url == url
    assert page.evaluate("() => document.activeElement.classList.contains('reveal-player')")


def check_boxes_follow_the_player(page, clip: Clip) -> None:
    """A spot item's reveal shows each tell's box only while the player is inside that tell's
    time range: the demo swap's tells are marked over the last second, so at the start they
    must not sit on the frame."""
    tells = [tell for tell in clip.tells.order_by("start_seconds", "pk") if tell.has_box]
    boxes = page.locator(".reveal .spot-overlay .overlay-tell")
    assert boxes.count() == len(tells)
    player = page.locator(".reveal video.reveal-player").first
    for moment in (0.2, tells[0].start_seconds + 0.1, clip.duration_seconds - 0.1):
        player.evaluate("(p, t) => { p.currentTime = t; }", moment)
        page.wait_for_function(
            "([p, t]) => !p.seeking && Math.abs(p.currentTime - t) < 0.1",
            arg=[player.element_handle(), moment],
        )
        shown = [boxes.nth(i).get_attribute("visibility") != "hidden" for i in range(len(tells))]
        assert shown == [tell.covers(moment) for tell in tells], (moment, shown)
    assert not all(tell.covers(0.2) for tell in tells), "no tell starts after 0:00"


def check_results(page, uid: str, total: int, right: int, *, js: bool = True) -> None:
    assert page.url.endswith(f"/attempts/{uid}/results/"), page.url
    assert page.locator(".big-score").inner_text() == f"{right} of {total} right"
    assert page.locator(".plain-words li").count() >= 1
    charts = page.locator(".results-grid svg.chart-svg")
    assert charts.count() == 3
    for chart in charts.all():
        assert chart.get_attribute("role") == "img"
        assert chart.locator("title").text_content().strip()
    assert page.locator(".item-review li").count() == total
    if js:  # axe-core runs in the page: the walks without JavaScript leave it to the others
        assert_accessible(page)


def check_by_tell_on_a_phone(page, name: str) -> None:
    """On a 360-px phone the "By tell" table stacks, and each number says what it is."""
    table = page.locator("table.by-tell")
    assert table.count() == 1
    page.set_viewport_size(PHONE)
    assert unlabelled_stacked_cells(page, "table.by-tell") == []
    first = table.locator("tbody tr").first
    assert first.locator("th").is_visible()
    assert first.locator("td").first.evaluate(CELL_LABEL) == '"Right: "'
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
    assert_accessible(page, f"the {name} page on a phone")
    page.set_viewport_size(DESKTOP)


def check_share(page, *, js: bool = True) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name="Share your score").click()
    assert re.search(r"/shared/[0-9a-f-]{36}/$", page.url), page.url
    if js:
        assert_accessible(page)
    card_url = page.locator("meta[property='og:image']").get_attribute("content")
    assert card_url, "the share page has no og:image"
    assert card_url.startswith("http"), card_url
    card = page.request.get(card_url)
    assert card.status == 200
    assert card.headers["content-type"] == "image/png"
    assert card.body().startswith(PNG_SIGNATURE)


def submit_without_js(page, uid: str, next_path: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Lock in my answer").click()
    assert page.url.endswith(next_path), page.url


# --- the journeys ----------------------------------------------------------------------------


def test_it_walks_the_practice_quiz_in_place_with_javascript(page) -> None:
    uid = start(page, PRACTICE)
    total = AttemptItem.objects.filter(attempt__uid=uid).count()
    assert total == 11
    page.evaluate("window.__marker = 1")
    wrong_at = {2, 10}
    seen_kinds, rights_seen = set(), 0
    for position in range(1, total + 1):
        entry = entry_at(uid, position)
        assert page.url.endswith(item_path(uid, position)), page.url
        page.locator("form.answer-form").wait_for()
        assert_nothing_given_away(page.content(), f"item {position}")
        assert_accessible(page, f"item {position} of the practice quiz")
        intent = Intent.WRONG if position in wrong_at else Intent.RIGHT
        confidence = answer(page, entry, intent, js=True)
        seen_kinds.add((entry.item.kind, entry.item.clip.kind))
        page.get_by_role("button", name="Lock in my answer").click()
        page.locator("#stage .reveal").wait_for()
        # Swapped in place: no page load, the item's URL, and focus on the new heading.
        assert page.evaluate("window.__marker") == 1, f"item {position} reloaded the page"
        page.wait_for_function(HEADING_FOCUSED)
        check_reveal(page, uid, entry, intent, confidence)
        assert_accessible(page, f"the reveal of item {position}")
        headings = page.locator("#stage-question").inner_text().strip()
        rights_seen += headings == Intent.RIGHT.value
        if entry.item.clip.kind == "video":
            check_tell_seek(page, entry.item.clip)
            if entry.item.kind == ItemKind.SPOT_TELL:
                check_boxes_follow_the_player(page, entry.item.clip)
        if position < total:
            page.get_by_role("link", name="Next item").click()
            page.wait_for_url(f"**{item_path(uid, position + 1)}")
            page.locator("form.answer-form").wait_for()
            assert page.evaluate("window.__marker") == 1
            page.wait_for_function(HEADING_FOCUSED)
    assert seen_kinds >= {
        (ItemKind.VERDICT, "image"),
        (ItemKind.PAIR, "image"),
        (ItemKind.SPOT_TELL, "image"),
        (ItemKind.SPOT_TELL, "video"),
        (ItemKind.TECHNIQUE, "image"),
    }, seen_kinds
    assert rights_seen == total - len(wrong_at)
    with page.expect_navigation():
        page.get_by_role("link", name="See your results").click()
    check_results(page, uid, total, right=rights_seen)
    check_by_tell_on_a_phone(page, "results")
    check_share(page)


def test_it_walks_the_practice_quiz_with_plain_forms_without_javascript(
    page_without_js,
) -> None:
    page = page_without_js
    uid = start(page, PRACTICE, js=False)
    total = AttemptItem.objects.filter(attempt__uid=uid).count()
    rights_seen, partly_seen = 0, 0
    for position in range(1, total + 1):
        entry = entry_at(uid, position)
        assert_nothing_given_away(page.content(), f"item {position}")
        clip = entry.item.clip
        if entry.item.kind == ItemKind.SPOT_TELL and clip.kind == "video":
            # The right moment typed in, the wrong region picked: half marks.
            intent = Intent.PARTLY
        elif position in {1, 5}:
            intent = Intent.WRONG
        else:
            intent = Intent.RIGHT
        confidence = answer(page, entry, intent, js=False)
        submit_without_js(page, uid, item_path(uid, position))
        check_reveal(page, uid, entry, intent, confidence)
        heading = page.locator("#stage-question").inner_text().strip()
        rights_seen += heading == Intent.RIGHT.value
        partly_seen += heading == Intent.PARTLY.value
        if position < total:
            # Without htmx the link goes through the attempt, which redirects to the next item.
            with page.expect_navigation():
                page.get_by_role("link", name="Next item").click()
            assert page.url.endswith(item_path(uid, position + 1)), page.url
    assert partly_seen == 1
    assert rights_seen == total - 3
    with page.expect_navigation():
        page.get_by_role("link", name="See your results").click()
    check_results(page, uid, total, right=rights_seen, js=False)
    check_share(page, js=False)


def tab_to(page, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def pick_with_keys(page, name: str, value: str) -> None:
    """Tab into a radio group, Space to pick its first choice, arrows on to `value`."""
    tab_to(page, f"form.answer-form input[name={name}]")
    page.keyboard.press("Space")
    for _ in range(10):
        if page.evaluate("() => document.activeElement.value") == value:
            break
        page.keyboard.press("ArrowRight")
    assert page.locator(f"form.answer-form input[name={name}][value='{value}']").is_checked()


def answer_with_keys(page, entry: AttemptItem) -> int | None:
    """The right answer for any type of item, from the keyboard alone; returns the confidence."""
    kind = form_kind(page)
    assert kind == entry.item.kind, f"item {entry.position}: form for {kind}"
    item = entry.item
    if kind == ItemKind.VERDICT:
        pick_with_keys(page, "verdict", item.clip.verdict)
    elif kind == ItemKind.PAIR:
        fake = next(slot for slot, clip in entry.slots() if clip.is_manipulated)
        pick_with_keys(page, "slot", fake)
    elif kind == ItemKind.TECHNIQUE:
        pick_with_keys(page, "technique", item.correct_technique)
    else:
        pick_with_keys(page, "cell", str(best_cell(item.clip)))
        if page.locator("form.answer-form [name=seconds]").count():
            tab_to(page, "form.answer-form input[name=seconds]")
            page.keyboard.type(str(tell_moment(item.clip)))
    if not kind.asks_confidence:
        return None
    tab_to(page, "input[name=confidence]")
    page.keyboard.press("ArrowRight")
    value = DEFAULT_CONFIDENCE + SLIDER_STEP
    assert page.locator("output.confidence-value").inner_text() == f"{value} %"
    return value


def test_it_answers_with_the_keyboard_alone(page) -> None:
    """From the quiz's page to the results with Tab, Space, arrows, digits and Enter: no clicks."""
    page.goto(f"/quizzes/{PRACTICE}/")
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    uid = re.search(r"/attempts/([0-9a-f-]{36})/items/1/$", page.url).group(1)
    total = AttemptItem.objects.filter(attempt__uid=uid).count()
    page.evaluate("window.__marker = 1")
    kinds = set()
    for position in range(1, total + 1):
        entry = entry_at(uid, position)
        kinds.add(entry.item.kind)
        confidence = answer_with_keys(page, entry)
        tab_to(page, "form.answer-form button[type=submit]")
        page.keyboard.press("Enter")
        page.locator("#stage .reveal").wait_for()
        page.wait_for_function(HEADING_FOCUSED)
        check_reveal(page, uid, entry, Intent.RIGHT, confidence)
        if position == total:
            break
        tab_to(page, ".stage-next a")
        assert page.evaluate("() => document.activeElement.textContent.trim()") == "Next item"
        page.keyboard.press("Enter")
        page.wait_for_url(f"**{item_path(uid, position + 1)}")
        page.locator("form.answer-form").wait_for()
        page.wait_for_function(HEADING_FOCUSED)
    assert kinds == set(ItemKind), kinds
    assert page.evaluate("window.__marker") == 1
    tab_to(page, ".stage-next a")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "See your results"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_results(page, uid, total, right=total)


def test_it_keeps_every_reveal_until_the_end_of_an_assessment(page) -> None:
    uid = start(page, ASSESSMENT)
    entries = AttemptItem.objects.filter(attempt__uid=uid).select_related("item__clip")
    total = entries.count()
    # The demo clips kept for tests (the rocket and Hubble pictures and their fakes): an
    # assessment deals no clip whose truth a lesson shows.
    assert total == 4
    assert not any(entry.item.clip.teaching_example for entry in entries)
    page.evaluate("window.__marker = 1")
    for position in range(1, total + 1):
        entry = entry_at(uid, position)
        page.locator("form.answer-form").wait_for()
        assert page.locator(".reveal").count() == 0
        assert_nothing_given_away(page.content(), f"assessment item {position}")
        answer(page, entry, Intent.RIGHT, js=True)
        page.get_by_role("button", name="Lock in my answer").click()
        if position < total:
            page.wait_for_url(f"**{item_path(uid, position + 1)}")
            page.locator(f"form.answer-form[action$='/items/{position + 1}/answer/']").wait_for()
            assert page.evaluate("window.__marker") == 1
            assert page.locator(".reveal").count() == 0
            # An answered item opened by its URL mid-assessment still keeps the truth back.
            early = page.request.get(item_path(uid, position)).text()
            assert "Answer saved" in early
            assert 'class="reveal' not in early
            assert_nothing_given_away(early, f"answered assessment item {position}")
    page.wait_for_url(f"**/attempts/{uid}/results/")
    check_results(page, uid, total, right=total)
    links = page.get_by_role("link", name=re.compile(r"^Item \d+: see the reveal$"))
    assert links.count() == total
    for position in range(1, total + 1):
        entry = entry_at(uid, position)
        with page.expect_navigation():
            page.get_by_role("link", name=f"Item {position}: see the reveal").click()
        check_reveal(page, uid, entry, Intent.RIGHT, None)
        page.go_back()


def start_feed(page) -> str:
    """Open the demo feed and press Start; returns the attempt's uid."""
    page.goto(f"/quizzes/{FEED}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Start").click()
    match = re.search(r"/attempts/([0-9a-f-]{36})/feed/$", page.url)
    assert match, page.url
    return match.group(1)


def feed_entries(uid: str) -> list[AttemptItem]:
    return list(
        AttemptItem.objects.filter(attempt__uid=uid)
        .select_related("item__clip")
        .order_by("position")
    )


def test_it_scrolls_a_feed_on_a_phone_judging_two_posts_and_passing_the_rest(page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    uid = start_feed(page)
    entries = feed_entries(uid)
    assert len(entries) == 5
    assert sum(entry.item.clip.is_manipulated for entry in entries) == 1
    posts = page.locator("ol.feed > li.feed-post")
    assert posts.count() == 5
    assert_nothing_given_away(page.content(), "the feed")
    # One phone-width column: nothing sticks out sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Only the first post's media loads at once.
    for position, post in enumerate(posts.all(), start=1):
        media = post.locator(".post-media video, .post-media img")
        assert media.count() == 1
        assert media.get_attribute("src").endswith(f"/items/{position}/a/feed/")
        lazy = media.get_attribute("preload") == "none" or media.get_attribute("loading") == "lazy"
        assert lazy == (position > 1), f"post {position}"
    reals = [entry for entry in entries if not entry.item.clip.is_manipulated]
    fake = next(entry for entry in entries if entry.item.clip.is_manipulated)
    # Two real posts judged (one rightly, one not); the fake and the rest scrolled past.
    for entry, button, heading in (
        (reals[0], "Looks real", "Right"),
        (reals[2], "Looks fake", "Wrong"),
    ):
        post = page.locator(f"#post-{entry.position}")
        while not post.is_visible() or post.bounding_box()["y"] > 740:
            page.mouse.wheel(0, 500)
            page.wait_for_timeout(50)
        post.get_by_role("button", name=button, exact=True).click()
        result = page.locator(f"#post-{entry.position} .post-result")
        result.wait_for()
        assert result.inner_text() == heading
        # The post turned into its reveal in place: the page did not move on.
        assert page.url.endswith(f"/attempts/{uid}/feed/"), page.url
        page.wait_for_function("() => document.activeElement?.matches('[data-post-result]')")
        revealed = page.locator(f"#post-{entry.position}")
        assert revealed.locator(".clip-title").inner_text() == entry.item.clip.title
    assert Answer.objects.filter(attempt__uid=uid).count() == 2
    page.mouse.wheel(0, 5000)
    with page.expect_navigation():
        page.get_by_role("button", name="Finish the feed").click()
    assert page.url.endswith(f"/attempts/{uid}/results/"), page.url
    assert page.locator(".big-score").inner_text() == "1 of 2 right"
    passed = page.locator(".passed-over")
    assert "You scrolled past 3 posts without judging them" in passed.inner_text()
    assert "1 of them was a fake you let through" in passed.inner_text()
    assert fake.item.clip.title in passed.locator(".passed-fakes").inner_text()
    assert Answer.objects.filter(attempt__uid=uid).count() == 2
    assert AttemptItem.objects.filter(attempt__uid=uid, passed_at__isnull=False).count() == 3


def test_a_feed_post_says_why_a_judgement_too_fast_is_refused(page, page_problems) -> None:
    page_problems.expected = ("status of 429", "Error Code 429")
    uid = start_feed(page)
    with override_settings(QUIZ_ANSWERS_PER_MINUTE=1):
        page.locator("#post-1").get_by_role("button", name="Looks real").click()
        page.locator("#post-1 .post-result").wait_for()
        page.locator("#post-2").get_by_role("button", name="Looks real").click()
        refusal = page.locator("#post-2 .post-error")
        refusal.wait_for()
    assert "faster than anyone can watch a clip" in refusal.inner_text()
    assert refusal.get_attribute("role") == "alert"
    assert Answer.objects.filter(attempt__uid=uid).count() == 1


def test_without_javascript_a_feed_post_is_judged_on_its_item_page(page_without_js) -> None:
    page = page_without_js
    uid = start_feed(page)
    first = feed_entries(uid)[0]
    said = "Looks fake" if first.item.clip.is_manipulated else "Looks real"
    with page.expect_navigation():
        page.locator("#post-1").get_by_role("button", name=said, exact=True).click()
    assert page.url.endswith(item_path(uid, 1)), page.url
    assert page.locator(".reveal .reveal-heading").inner_text() == "Right"
    with page.expect_navigation():
        page.get_by_role("link", name="Next item").click()
    assert page.url.endswith(f"/attempts/{uid}/feed/#post-2"), page.url
    assert page.locator("#post-1 .post-result").inner_text() == "Right"
    with page.expect_navigation():
        page.get_by_role("button", name="Finish the feed").click()
    assert page.locator(".big-score").inner_text() == "1 of 1 right"
    assert "You scrolled past 4 posts" in page.locator(".passed-over").inner_text()


def test_it_gives_nothing_away_before_the_answer(page) -> None:
    uid = start(page, PRACTICE)
    total = AttemptItem.objects.filter(attempt__uid=uid).count()
    for position in range(1, total + 1):
        path = item_path(uid, position)
        page.goto(path)
        page.locator("form.answer-form").wait_for()
        assert_nothing_given_away(page.content(), f"item {position}")
        assert_nothing_given_away(page.title(), f"the title of item {position}")
        # The fragment htmx swaps in is held to the same rule.
        fragment = page.request.get(path, headers={"HX-Request": "true"}).text()
        assert 'id="stage"' in fragment
        assert "<html" not in fragment
        assert_nothing_given_away(fragment, f"the fragment of item {position}")
        # Media URLs are opaque: the attempt and the position, never the clip.
        entry = entry_at(uid, position)
        for source in page.locator(".item-media img, .item-media video").all():
            src = source.get_attribute("src")
            assert src.startswith(f"{path}a/") or src.startswith(f"{path}b/"), src
            for _slot, clip in entry.slots():
                assert clip.slug not in src
                assert str(clip.uid) not in src
    assert not AttemptItem.objects.filter(attempt__uid=uid, answer__isnull=False).exists()


def test_the_demo_library_and_progress_pass_axe(page, log_in) -> None:
    """The demo's full pages: a library of many clips (where badges failed contrast) and a
    learner's progress with a "By tell" table, on a desktop and on a phone."""
    log_in("curator", "curator-demo")
    page.goto("/curate/")
    assert page.locator(".clip-row").count() > 10
    assert_accessible(page, "the demo library")
    with page.expect_navigation():
        page.locator(".clip-row a").first.click()
    assert_accessible(page, "a demo clip's page")
    page.context.clear_cookies()
    log_in("student", "student-demo")
    page.goto("/me/progress/")
    assert_accessible(page, "the demo student's progress")
    check_by_tell_on_a_phone(page, "progress")
