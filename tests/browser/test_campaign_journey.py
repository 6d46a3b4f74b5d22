"""A campaign's public journey in a real browser, on a phone, inside a partner's page.

The partner's page is served by a small http.server of the test's own, on another site than the
app (the app on `localhost`, the partner on `127.0.0.1`, or the other way round): the browser
then treats the frame's cookies as third-party ones, as it would on a newspaper's homepage, so
the visit must live in its address (campaigns/embedding.py). The same embed in a page of a site
the campaign does not list must be refused by the browser (CSP frame-ancestors). Every request
of the journey is recorded: none may leave the app's and the partner's origins. Every page of
the journey inside the frame is checked with axe-core and for sideways overflow, some at 320 px.

The clips are real pictures (and, in the feed, a real video) written into a temporary
MEDIA_ROOT, with the truth known from the database, never from the page. After the visitor's
round, the campaign's organizer signs in and finds the participant on the dashboard, hidden as
one of fewer than 10.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.models import Campaign, CampaignText, Participation
from media_library.models import Verdict
from media_library.roles import Role
from quiz.models import Answer, AttemptItem, Mode
from tests.browser.axe import assert_accessible
from tests.browser.conftest import ARTIFACTS, CSP_LISTENER, PageProblems
from tests.browser.layout import PHONE
from tests.factories import (
    make_campaign,
    make_image,
    make_item,
    make_quiz,
    make_user,
    make_video,
    quizzable_clip,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "vote-smart"
TITLE = "Vote smart: spot the fake"
QUESTION = "How sure are you that you could spot a fake video?"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What chromium logs, on the partner's page, when it refuses to frame a page.
REFUSED_FRAME = "frame-ancestors"


# --- the partner's site: another host name than the app's, so another site ------------------


class PartnerSite:
    """A tiny web server holding the partner's pages (path → HTML), in a thread."""

    def __init__(self, host: str) -> None:
        pages: dict[str, str] = {}
        self.pages = pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.origin = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def other_host(app_url: str) -> str:
    """The loopback name the app is not served under: a different site for the browser."""
    return "127.0.0.1" if urlsplit(app_url).hostname == "localhost" else "localhost"


def partner_page(embed_url: str) -> str:
    """A partner's article holding the campaign's snippet, as an organizer copies it."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>The Daily Partner: before you vote</title></head>
<body><main><h1>Before you vote</h1><p>Try the quiz below.</p>
<iframe src="{embed_url}" title="{TITLE}" width="100%" height="640"
        style="border:0;width:100%;max-width:100%" loading="eager"
        referrerpolicy="strict-origin-when-cross-origin"></iframe>
</main></body></html>"""


@pytest.fixture
def partner(live_server) -> Iterator[PartnerSite]:
    site = PartnerSite(other_host(live_server.url))
    yield site
    site.close()


@pytest.fixture
def stranger(live_server) -> Iterator[PartnerSite]:
    """A site the campaign does not list: same host name as the partner, another port (an
    origin of its own, which is what frame-ancestors compares)."""
    site = PartnerSite(other_host(live_server.url))
    yield site
    site.close()


# --- the phone, its problems and its requests -------------------------------------------------


def watch(page, page_problems: PageProblems, who: str = "") -> None:
    """Console errors and uncaught exceptions of the page go to page_problems."""

    def on_console(message) -> None:
        if message.type == "error":
            where = message.location.get("url")
            page_problems.append(f"{who}console: {message.text} ({where})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_problems.append(f"{who}uncaught: {error}"))


@pytest.fixture
def requests_seen() -> list[str]:
    return []


@pytest.fixture
def phone(browser, page_problems: PageProblems, requests_seen: list[str]) -> Iterator:
    """A 360 by 740 phone with touch, watched like conftest's `page` (console errors, uncaught
    exceptions, CSP violations), every request's URL recorded. No base URL: the journey starts
    on the partner's site."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-GB"
    )
    context.set_default_timeout(20_000)
    context.add_init_script(CSP_LISTENER)
    # Every page of the context, the share page's tab too.
    context.on("page", lambda page: watch(page, page_problems))
    context.on("request", lambda request: requests_seen.append(request.url))
    page = context.new_page()
    yield page
    context.close()
    assert not page_problems.unexpected(), page_problems.unexpected()


# --- the campaign ----------------------------------------------------------------------------


def picture_clip(root: Path, title: str, verdict: str, number: int):
    """A quizzable clip whose files exist: the library picture and its blind renditions."""
    names = {
        "media_file": f"clips/{title.lower().replace(' ', '-')}/clip.jpg",
        "quiz_media": f"quiz/{number}-quiz.jpg",
        "feed_media": f"quiz/{number}-feed.jpg",
    }
    for name in names.values():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        make_image(path, size=(640, 480))
    return quizzable_clip(title, verdict, kind="image", width=640, height=480, **names)


def video_clip(root: Path, title: str, verdict: str):
    """A quizzable video whose files exist, as processing leaves them: a real two-second H.264
    clip (the library's and both blind renditions) and its posters."""
    folder = root / "clips" / "video"
    folder.mkdir(parents=True, exist_ok=True)
    source = make_video(folder / "clip.mp4", seconds=2.0, width=320, height=240)
    make_image(folder / "poster.jpg", size=(320, 240))
    (root / "quiz").mkdir(exist_ok=True)
    make_image(root / "quiz" / "video-poster.jpg", size=(320, 240))
    names = {
        "media_file": "clips/video/clip.mp4",
        "poster": "clips/video/poster.jpg",
        "quiz_poster": "quiz/video-poster.jpg",
    }
    for field in ("quiz_media", "feed_media"):
        names[field] = f"quiz/video-{field}.mp4"
        (root / names[field]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, root / names[field])
    return quizzable_clip(
        title, verdict, kind="video", width=320, height=240, duration_seconds=2.0, **names
    )


TEXTS = {"en": (TITLE, "Four pictures from the campaign trail. Which ones were made up?", QUESTION)}


def open_campaign(quiz, organizer, origins: list[str], slug: str = SLUG) -> Campaign:
    return make_campaign(quiz, organizer, texts=TEXTS, slug=slug, embed_origins=origins)


@pytest.fixture
def clips(media_root: Path) -> list:
    fakes = [picture_clip(media_root, f"Made-up rally {n}", Verdict.DEEPFAKE, n) for n in (1, 2)]
    reals = [picture_clip(media_root, f"Real rally {n}", Verdict.REAL, n) for n in (3, 4)]
    return fakes + reals


@pytest.fixture
def organizer():
    return make_user("organizer", Role.ORGANIZER)


# --- inside the frame ------------------------------------------------------------------------


def frame_of(page):
    """The campaign's frame as a Frame (for axe and evaluate) and as a FrameLocator."""
    handle = page.locator("iframe").element_handle()
    return handle.content_frame(), page.frame_locator("iframe")


def check_frame(page, where: str) -> None:
    frame, _ = frame_of(page)
    frame.wait_for_load_state()
    # Nothing sticks out sideways: the frame is as wide as the phone's page allows.
    width = frame.evaluate("document.documentElement.clientWidth")
    assert frame.evaluate("document.documentElement.scrollWidth") <= width, where
    assert_accessible(frame, where)


def shoot(page, name: str) -> None:
    """A screenshot of the whole frame for a person to look at: the partner's iframe is grown to
    its content's height first (the partner page has no CSP of its own to forbid that), and the
    window with it (a full-page shot leaves a cross-site frame's lower part unpainted)."""
    frame, _ = frame_of(page)
    iframe = page.locator("iframe")
    height = frame.evaluate("document.documentElement.scrollHeight")
    iframe.evaluate("(e, h) => { e.style.height = h + 'px'; }", height)
    bottom = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": PHONE["width"], "height": bottom})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # caret="initial": hiding the caret takes a style Playwright injects, which the frame's CSP
    # (rightly) refuses.
    page.screenshot(path=str(ARTIFACTS / f"campaign-{name}-phone.png"), caret="initial")
    page.set_viewport_size(PHONE)
    iframe.evaluate("e => { e.style.height = ''; }")


PASS = re.compile(r"^/v/[a-z0-9]{32}/")
# What answers under a visit's pass: the attempt's pages and the campaign's (embedding.PASS_ROUTES).
VISIT_PATHS = re.compile(r"^/v/[a-z0-9]{32}/(attempts|c)/")


def check_links(page, live_server, where: str) -> None:
    """Every link of the app's in the frame leads somewhere: one that stays in the frame is a
    page of the visit, one that opens a new tab carries no pass and answers without cookies.
    (js/embed.js opens any other link of the app's in a new tab, without the pass.)"""
    frame, _ = frame_of(page)
    links = frame.evaluate(
        "() => [...document.querySelectorAll('a[href]')].map(a => [a.href, a.target])"
    )
    for href, target in links:
        url = urlsplit(href)
        if f"{url.scheme}://{url.netloc}" != live_server.url or not url.path:
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if not target and VISIT_PATHS.match(url.path):
            if url.fragment and url.path == urlsplit(frame.url).path:
                continue  # the skip link
            assert page.request.get(href).status == 200, (where, href)
            continue
        assert target == "_blank" or not PASS.match(url.path), (where, href, "stays in the frame")
        assert not PASS.match(url.path), (where, href, "gives the visit's pass to a new tab")
        opened = page.request.get(f"{live_server.url}{path}")
        assert opened.status == 200, (where, href, opened.status)


def visit_path(page) -> str:
    frame, _ = frame_of(page)
    return urlsplit(frame.url).path


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Tab, from wherever focus is on the partner's page, until the frame's focus matches."""
    frame, _ = frame_of(page)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if frame.evaluate(
            "s => document.hasFocus() && !!document.activeElement?.matches(s)", selector
        ):
            return
    pytest.fail(f"Tab never reached {selector} in the frame")


def pick_with_keys(page, selector: str, value: str) -> None:
    """Tab into a radio group, Space for its first choice, arrows on to `value`."""
    frame, _ = frame_of(page)
    tab_to(page, selector)
    page.keyboard.press("Space")
    for _ in range(10):
        if frame.evaluate("() => document.activeElement.value") == value:
            break
        page.keyboard.press("ArrowRight")
    assert frame.locator(f"{selector}[value='{value}']").is_checked()


def start_in_frame(page, live_server, partner: PartnerSite, *, keys: bool = False) -> str:
    """Open the partner's article, answer the survey, press Start (with the keyboard alone if
    `keys`, tabbing in from the partner's page); returns the attempt's uid."""
    partner.pages["/article/"] = partner_page(f"{live_server.url}/c/{SLUG}/embed/")
    with page.expect_response(f"{live_server.url}/c/{SLUG}/embed/") as embed:
        page.goto(f"{partner.origin}/article/")
    assert (
        f"frame-ancestors 'self' {partner.origin}" in embed.value.headers["content-security-policy"]
    )
    frame, inside = frame_of(page)
    inside.get_by_role("heading", name=TITLE, level=1).wait_for()
    check_frame(page, "the embedded landing")
    # The narrowest phone the campaign serves: still nothing wider than the frame.
    page.set_viewport_size({"width": 320, "height": 640})
    check_frame(page, "the embedded landing at 320 px")
    page.set_viewport_size(PHONE)
    shoot(page, "landing")
    survey = inside.get_by_role("group", name=re.compile(re.escape(QUESTION)))
    choices = survey.get_by_role("radio")
    assert choices.count() >= 2
    if keys:
        pick_with_keys(page, "input[name=answer]", choices.nth(1).get_attribute("value"))
        tab_to(page, "form.campaign-start button[type=submit]")
        with frame.expect_navigation():
            page.keyboard.press("Enter")
    else:
        choices.nth(1).check()
        with frame.expect_navigation():
            inside.get_by_role("button", name="Start the quiz").click()
    match = re.search(r"^/v/[a-z0-9]{32}/attempts/([0-9a-f-]{36})/", visit_path(page))
    assert match, frame_of(page)[0].url
    return match.group(1)


def entries(uid: str) -> list[AttemptItem]:
    return list(
        AttemptItem.objects.filter(attempt__uid=uid)
        .select_related("item__clip")
        .order_by("position")
    )


def judge_assessment(page, live_server, uid: str, wrong: set[int]) -> None:
    """Every item of the assessment, judged from the database's truth (wrong where asked)."""
    dealt = entries(uid)
    for entry in dealt:
        frame, inside = frame_of(page)
        form = inside.locator(f"form.answer-form[action$='/items/{entry.position}/answer/']")
        form.wait_for()
        image = inside.locator(".item-media img").first
        image.evaluate(
            "e => (e.complete && e.naturalWidth > 0) || new Promise(ok =>"
            " e.addEventListener('load', ok, {once: true}))"
        )
        check_frame(page, f"item {entry.position} in the frame")
        check_links(page, live_server, f"item {entry.position}")
        if entry.position == 1:
            shoot(page, "item")
        truth = entry.item.clip.verdict
        said = truth if entry.position not in wrong else next(v for v in Verdict if v != truth)
        # With the keyboard alone, inside the frame.
        pick_with_keys(page, "form.answer-form input[name=verdict]", said)
        tab_to(page, "form.answer-form button[type=submit]")
        page.keyboard.press("Enter")
        if entry.position < len(dealt):
            inside.locator(
                f"form.answer-form[action$='/items/{entry.position + 1}/answer/']"
            ).wait_for()
    frame, _ = frame_of(page)
    frame.wait_for_url(re.compile(rf"/c/{SLUG}/done/{uid}/$"))


def check_result(page, uid: str, live_server) -> str:
    """The campaign's result page in the frame; returns the share page's URL."""
    _, inside = frame_of(page)
    participation = Participation.objects.get(attempt__uid=uid)
    sentence = inside.locator("#discernment-heading").inner_text()
    expected = (
        f"You caught {participation.hits} of {participation.fakes_seen} fakes and trusted "
        f"{participation.correct_rejections} of {participation.reals_seen} real clips."
    )
    assert sentence == expected
    card = inside.locator("img.share-card-preview")
    card.scroll_into_view_if_needed()
    card.evaluate(
        "e => (e.complete && e.naturalWidth > 0) || new Promise(ok =>"
        " e.addEventListener('load', ok, {once: true}))"
    )
    assert card.evaluate("e => e.naturalWidth") > 0
    box = card.bounding_box()
    assert box is not None
    assert box["width"] <= PHONE["width"], box
    check_frame(page, "the result page in the frame")
    page.set_viewport_size({"width": 320, "height": 640})
    check_frame(page, "the result page at 320 px")
    page.set_viewport_size(PHONE)
    check_links(page, live_server, "the result page")
    share_url = inside.locator("#share-url").input_value()
    assert share_url.startswith(live_server.url), share_url
    assert "/v/" not in share_url, "the share link gives the visit's pass away"
    return share_url


def check_share_page(page, share_url: str) -> None:
    """The share page, opened from the frame's link in a tab of its own (first-party, as
    whoever follows the link sees it): the card shows, and its og:image answers a PNG."""
    _, inside = frame_of(page)
    with page.context.expect_page() as opened:
        inside.get_by_role("link", name="Open the share page").click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == share_url
    assert_accessible(tab, "the share page")
    card = tab.locator("img.share-card-preview")
    card.evaluate(
        "e => (e.complete && e.naturalWidth > 0) || new Promise(ok =>"
        " e.addEventListener('load', ok, {once: true}))"
    )
    assert card.evaluate("e => e.naturalWidth") > 0
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card_url = tab.locator("meta[property='og:image']").get_attribute("content")
    assert card_url, "the share page has no og:image"
    response = tab.request.get(card_url)
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    assert response.body().startswith(PNG_SIGNATURE)
    tab.close()


def answer_survey_after(page, uid: str) -> None:
    """The survey question again, after the round: a form posted inside the frame, with no
    cookie, on the visit's own CSRF secret."""
    frame, inside = frame_of(page)
    survey = inside.locator("form#survey").get_by_role("group", name=QUESTION)
    survey.get_by_role("radio").nth(3).check()
    with frame.expect_navigation():
        inside.get_by_role("button", name="Send my answer").click()
    inside.get_by_text("Thank you for answering the survey question.").wait_for()
    check_frame(page, "the result page after the survey")
    participation = Participation.objects.get(attempt__uid=uid)
    assert participation.survey_after is not None
    assert participation.survey_after != participation.survey_before


def check_dashboard(browser, live_server, page_problems: PageProblems, embed_url: str) -> None:
    """The organizer, signed in through the log-in form in a browser of their own (a new
    top-level page, their own cookies), finds the snippet the partner pasted on the campaign's
    page, then opens its dashboard: the one participant is shown as "fewer than 10", never as
    a count (k-anonymity)."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-GB")
    context.set_default_timeout(20_000)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    watch(page, page_problems, "organizer: ")
    page.goto("/accounts/login/")
    page.fill("#id_username", "organizer")
    page.fill("#id_password", "password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/accounts/login/" not in page.url, "the organizer could not log in"
    page.goto(f"/campaigns/manage/{SLUG}/")
    assert f'<iframe src="{embed_url}"' in page.locator("#embed-snippet").inner_text()
    page.goto("/campaigns/manage/")
    assert_accessible(page, "the organizer's campaigns")
    with page.expect_navigation():
        page.locator(f"a[href='/campaigns/manage/{SLUG}/dashboard/']").first.click()
    assert page.url.endswith(f"/campaigns/manage/{SLUG}/dashboard/"), page.url
    assert_accessible(page, "the organizer's dashboard")
    overall = page.locator("table.dashboard-table").first.locator("tbody tr").first
    participants = overall.locator("td[data-label='Participants']")
    assert participants.inner_text().strip() == "fewer than 10"
    assert participants.locator(".hidden-cell").count() == 1
    # The CSV of the same cells hides them too.
    csv = page.request.get(f"/campaigns/manage/{SLUG}/dashboard.csv")
    assert csv.status == 200
    assert "fewer than 10" in csv.text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "campaign-dashboard-phone.png"), full_page=True)
    context.close()


def only_our_origins(requests_seen: list[str], *origins: str) -> list[str]:
    """The requests that went anywhere but the given origins (data: and blob: are local)."""
    allowed = tuple(f"{origin}/" for origin in origins)
    return [
        url
        for url in requests_seen
        if not url.startswith(allowed) and not url.startswith(("data:", "blob:"))
    ]


# --- the journeys ----------------------------------------------------------------------------


def test_an_assessment_in_a_partners_frame_on_a_phone_then_the_organizers_dashboard(
    browser, phone, live_server, partner, clips, organizer, requests_seen, page_problems
) -> None:
    quiz = make_quiz([make_item(clip) for clip in clips], title="Rally", mode=Mode.ASSESSMENT)
    campaign = open_campaign(quiz, organizer, [partner.origin])
    page = phone

    uid = start_in_frame(page, live_server, partner, keys=True)
    participation = Participation.objects.get(attempt__uid=uid)
    assert participation.campaign == campaign
    assert participation.survey_before is not None
    # No cookie of the app's in the browser: the frame's visit lives in its address.
    assert not [c for c in page.context.cookies() if c["domain"] in live_server.url]
    judge_assessment(page, live_server, uid, wrong={2})
    assert Answer.objects.filter(attempt__uid=uid).count() == len(clips)
    share_url = check_result(page, uid, live_server)
    check_share_page(page, share_url)
    shoot(page, "result")
    answer_survey_after(page, uid)
    assert only_our_origins(requests_seen, live_server.url, partner.origin) == []
    # Afterwards, the organizer's dashboard: one participant, too few to show.
    assert Participation.objects.filter(campaign=campaign).count() == 1
    check_dashboard(browser, live_server, page_problems, f"{live_server.url}/c/{SLUG}/embed/")


def test_a_site_the_campaign_does_not_list_gets_an_empty_frame(
    phone, live_server, partner, stranger, clips, organizer, page_problems, requests_seen
) -> None:
    quiz = make_quiz([make_item(clip) for clip in clips], title="Rally", mode=Mode.ASSESSMENT)
    open_campaign(quiz, organizer, [partner.origin])
    page_problems.expected = (REFUSED_FRAME,)
    stranger.pages["/copied/"] = partner_page(f"{live_server.url}/c/{SLUG}/embed/")
    page = phone
    with page.expect_response(f"{live_server.url}/c/{SLUG}/embed/") as embed:
        page.goto(f"{stranger.origin}/copied/")
    # The app answered; the browser refused to show it in this site's page.
    assert embed.value.status == 200
    assert stranger.origin not in embed.value.headers["content-security-policy"]
    page.wait_for_load_state("load")
    frame, _ = frame_of(page)
    content = frame.evaluate("() => document.documentElement.outerHTML")
    assert TITLE not in content
    assert "Start the quiz" not in content
    # Chromium puts its own error page in the refused frame.
    assert not frame.url.startswith(live_server.url), frame.url
    assert any(REFUSED_FRAME in problem for problem in page_problems), page_problems
    assert not Participation.objects.exists()
    # Nor may it frame a visit's own pages (one started in the partner's frame, its address
    # copied): they may be framed by the campaign's sites alone.
    started = page.request.post(
        f"{live_server.url}/c/{SLUG}/start/",
        form={"language": "en", "embedded": "1"},
        max_redirects=0,
    )
    assert started.status == 302
    visit = started.headers["location"]
    assert VISIT_PATHS.match(visit), visit
    stranger.pages["/visit/"] = partner_page(f"{live_server.url}{visit}")
    with page.expect_response(f"{live_server.url}{visit}") as item:
        page.goto(f"{stranger.origin}/visit/")
    assert item.value.status == 200
    assert partner.origin in item.value.headers["content-security-policy"]
    assert stranger.origin not in item.value.headers["content-security-policy"]
    page.wait_for_load_state("load")
    frame, _ = frame_of(page)
    assert not frame.url.startswith(live_server.url), frame.url
    assert "Lock in my answer" not in frame.evaluate("() => document.documentElement.outerHTML")
    assert only_our_origins(requests_seen, live_server.url, stranger.origin) == []


def judge_feed(page, live_server, uid: str, wrong: set[int]) -> None:
    """Every post of the feed, scrolled to and judged in place; each picture fits the phone."""
    _, inside = frame_of(page)
    posts = inside.locator("ol.feed > li.feed-post")
    dealt = entries(uid)
    assert posts.count() == len(dealt)
    check_frame(page, "the feed in the frame")
    frame, _ = frame_of(page)
    width = frame.evaluate("document.documentElement.clientWidth")
    for entry in dealt:
        post = inside.locator(f"#post-{entry.position}")
        post.scroll_into_view_if_needed()
        media = post.locator(".post-media img, .post-media video")
        if entry.item.clip.kind == "video":
            # Played as a scroller would (muted, as feeds start): the clip streams into the
            # cross-site frame through the visit's address.
            media.evaluate("v => { v.muted = true; return v.play(); }")
            frame.wait_for_function(
                "v => v.currentTime > 0 && v.videoWidth > 0", arg=media.element_handle()
            )
            media.evaluate("v => v.pause()")
        else:
            media.evaluate(
                "e => (e.complete && e.naturalWidth > 0) || new Promise(ok =>"
                " e.addEventListener('load', ok, {once: true}))"
            )
        box = media.bounding_box()
        assert box is not None
        assert 0 < box["width"] <= width, (entry.position, box, width)
        fake = entry.item.clip.is_manipulated
        says_fake = fake != (entry.position in wrong)
        post.get_by_role("button", name="Looks fake" if says_fake else "Looks real").click()
        result = inside.locator(f"#post-{entry.position} .post-result")
        result.wait_for()
        assert result.inner_text() == ("Wrong" if entry.position in wrong else "Right")
    check_frame(page, "the judged feed in the frame")
    check_links(page, live_server, "the judged feed")
    shoot(page, "feed")
    finish = inside.get_by_role("button", name="Finish the feed")
    if finish.count():
        finish.click()
    else:
        inside.get_by_role("link", name="See your results").click()
    frame, _ = frame_of(page)
    frame.wait_for_url(re.compile(rf"/c/{SLUG}/done/{uid}/$"))


def test_a_feed_in_a_partners_frame_fits_the_phone_and_ends_on_the_share_card(
    phone, live_server, partner, media_root, clips, organizer, requests_seen
) -> None:
    clips = [*clips, video_clip(media_root, "Real speech", Verdict.REAL)]
    quiz = make_quiz([make_item(clip) for clip in clips], title="Rally feed", mode=Mode.FEED)
    open_campaign(quiz, organizer, [partner.origin])
    page = phone
    uid = start_in_frame(page, live_server, partner)
    assert re.search(rf"/attempts/{uid}/feed/$", visit_path(page)), visit_path(page)
    judge_feed(page, live_server, uid, wrong={1})
    assert Answer.objects.filter(attempt__uid=uid).count() == len(clips)
    share_url = check_result(page, uid, live_server)
    check_share_page(page, share_url)
    shoot(page, "feed-result")
    assert only_our_origins(requests_seen, live_server.url, partner.origin) == []


def play_through_the_client(slug: str) -> Participation:
    """A visitor's whole first round through Django's test client (the same database as the
    live server), every clip judged rightly."""
    client = Client()
    response = client.post(f"/c/{slug}/start/", {"language": "en"})
    assert response.status_code == 302, response.content[:300]
    participation = Participation.objects.latest("pk")
    attempt = participation.attempt
    for entry in attempt.entries.select_related("item__clip").order_by("position"):
        page = client.get(f"/attempts/{attempt.uid}/items/{entry.position}/")
        answered = client.post(
            f"/attempts/{attempt.uid}/items/{entry.position}/answer/",
            {
                "key": page.context["form"]["key"].value(),
                "verdict": entry.item.clip.verdict,
                "confidence": "70",
            },
        )
        assert answered.status_code == 302
    assert client.get(f"/c/{slug}/done/{attempt.uid}/").status_code == 200
    participation.refresh_from_db()
    return participation


def test_the_public_pages_fit_a_320_px_phone_and_pass_axe(
    phone, live_server, media_root, clips, organizer, requests_seen
) -> None:
    """The campaign's own pages, opened first-party on the narrowest phone: with a logo, two
    languages and a dark accent of the organizer's, open, not yet open and ended."""
    quiz = make_quiz([make_item(clip) for clip in clips], title="Rally", mode=Mode.ASSESSMENT)
    campaign = open_campaign(quiz, organizer, [])
    (media_root / "campaigns" / "logos").mkdir(parents=True)
    make_image(media_root / "campaigns" / "logos" / "logo.png", size=(96, 96), fmt="PNG")
    campaign.logo = "campaigns/logos/logo.png"
    campaign.accent_colour = "#7a2e8c"
    campaign.languages = ["en", "es"]
    campaign.save()
    CampaignText.objects.create(
        campaign=campaign,
        language="es",
        title="Vota informado: descubre el falso",
        intro="Cuatro imágenes de la campaña. ¿Cuáles son inventadas?",
        survey_question="¿Qué tan seguro estás de poder detectar un vídeo falso?",
    )
    played = play_through_the_client(SLUG)
    now = timezone.now()
    upcoming = open_campaign(quiz, organizer, [], slug="vote-later")
    Campaign.objects.filter(pk=upcoming.pk).update(
        starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=10)
    )
    ended = open_campaign(quiz, organizer, [], slug="vote-past")
    Campaign.objects.filter(pk=ended.pk).update(
        starts_at=now - timedelta(days=10), ends_at=now - timedelta(days=1)
    )
    page = phone
    page.set_viewport_size({"width": 320, "height": 640})
    pages = {
        "landing": (f"/c/{SLUG}/", "Start the quiz"),
        "landing-es": (f"/es/c/{SLUG}/", "Vota informado"),
        "privacy": (f"/c/{SLUG}/privacy/", "What this quiz stores"),
        "share": (f"/c/{SLUG}/shared/{played.share_key}/", "Take the quiz"),
        "booster": (f"/c/{SLUG}/again/{played.booster_key}/", "Your second round"),
        "upcoming": ("/c/vote-later/", "Not open yet"),
        "ended": ("/c/vote-past/", "This quiz has ended"),
    }
    for name, (path, words) in pages.items():
        page.goto(f"{live_server.url}{path}")
        assert words in page.locator("main").inner_text(), name
        logo = page.locator("img.campaign-logo")
        if name not in ("upcoming", "ended"):
            assert logo.evaluate("e => e.complete && e.naturalWidth > 0"), name
        width = page.evaluate("document.documentElement.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        assert_accessible(page, f"the campaign's {name} page at 320 px")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"campaign-{name}-320.png"), full_page=True)
    assert only_our_origins(requests_seen, live_server.url) == []


@pytest.fixture
def phone_without_js(browser, page_problems: PageProblems) -> Iterator:
    """The same phone with JavaScript off: plain forms, full page loads."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB", java_script_enabled=False
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    watch(page, page_problems)
    yield page
    context.close()
    assert not page_problems.unexpected(), page_problems.unexpected()


def test_without_javascript_the_frame_plays_with_plain_forms(
    phone_without_js, live_server, partner, clips, organizer
) -> None:
    """No script in the frame: each answer is a form posted inside the partner's frame, on the
    visit's own CSRF secret, and the round still ends on the campaign's result."""
    quiz = make_quiz([make_item(clip) for clip in clips], title="Rally", mode=Mode.ASSESSMENT)
    open_campaign(quiz, organizer, [partner.origin])
    page = phone_without_js
    partner.pages["/article/"] = partner_page(f"{live_server.url}/c/{SLUG}/embed/")
    page.goto(f"{partner.origin}/article/")
    frame, inside = frame_of(page)
    inside.get_by_role("heading", name=TITLE, level=1).wait_for()
    with frame.expect_navigation():
        inside.get_by_role("button", name="Start the quiz").click()
    match = re.search(r"^/v/[a-z0-9]{32}/attempts/([0-9a-f-]{36})/items/1/$", visit_path(page))
    assert match, frame.url
    uid = match.group(1)
    dealt = entries(uid)
    for entry in dealt:
        frame, inside = frame_of(page)
        form = inside.locator(f"form.answer-form[action$='/items/{entry.position}/answer/']")
        form.get_by_role("radio", name=Verdict(entry.item.clip.verdict).label, exact=True).check()
        with frame.expect_navigation():
            form.get_by_role("button", name="Lock in my answer").click()
    frame, inside = frame_of(page)
    if not re.search(rf"/c/{SLUG}/done/{uid}/$", frame.url):
        # Without htmx the last answer's page offers the results link.
        with frame.expect_navigation():
            inside.get_by_role("link", name="See your results").click()
    frame, inside = frame_of(page)
    assert re.search(rf"^/v/[a-z0-9]{{32}}/c/{SLUG}/done/{uid}/$", visit_path(page)), frame.url
    assert inside.locator("#discernment-heading").inner_text() == (
        "You caught 2 of 2 fakes and trusted 2 of 2 real clips."
    )
    assert Answer.objects.filter(attempt__uid=uid).count() == len(dealt)
    assert not [c for c in page.context.cookies() if c["domain"] in live_server.url]
