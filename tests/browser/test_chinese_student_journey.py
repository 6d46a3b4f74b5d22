"""A student's journey in Chinese, in a real browser on a 360-px phone whose browser asks for
Chinese (zh-CN): the lesson list, a lesson written in Chinese (its columns set from the Chinese
lesson file in lessons/content/zh-Hans/), its practice quiz item by item with the reveal, then
the results. Every page is `<html lang="zh-hans">`, shows the catalogue's Chinese for the
interface, passes axe-core, has nothing wider than the phone (Chinese text has no spaces to
break at: a long run of it must still wrap) and is photographed.

The Chinese expected is looked up in the compiled catalogue (gettext under
translation.override), never copied into the test, and each lookup must differ from its English
msgid: a page that fell back to English cannot pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from lessons.content_files import CONTENT_DIR, parse
from lessons.models import Classroom, Lesson, LessonKind, Membership
from media_library.models import Verdict
from quiz.models import Attempt
from quiz.models.choices import Outcome
from tests.browser.axe import assert_accessible
from tests.browser.conftest import ARTIFACTS, CSP_LISTENER, PageProblems
from tests.browser.layout import PHONE
from tests.browser.test_campaign_journey import picture_clip
from tests.factories import add_tell, make_item, make_teacher, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZH = "zh-hans"
# The lesson as the English and Chinese content files have it.
ENGLISH = parse(CONTENT_DIR / "04-face-edges.md")
CHINESE = parse(CONTENT_DIR / "zh-Hans" / "04-face-edges.md")
EXPLANATION_ZH = "下巴线在帧与帧之间闪烁。"


def zh(msgid: str) -> str:
    """The catalogue's Chinese for `msgid`; fails if the catalogue has none."""
    with translation.override(ZH):
        text = translation.gettext(msgid)
    assert text != msgid, f"no Chinese in the catalogue for {msgid!r}"
    return text


# --- the class, the lesson and its practice clips ----------------------------------------------


@pytest.fixture
def student():
    classroom = Classroom.objects.create(name="三年级二班", owner=make_teacher("teacher"))
    student = make_user("xiaoming")
    Membership.objects.create(classroom=classroom, student=student)
    return student


@pytest.fixture
def lesson(media_root: Path) -> Lesson:
    assert ENGLISH.text("slug") == CHINESE.text("slug")
    lesson = Lesson.objects.create(
        slug=ENGLISH.text("slug"),
        kind=LessonKind.TELL,
        tell_category=ENGLISH.text("tell_category"),
        title_en=ENGLISH.text("title"),
        summary_en=ENGLISH.text("summary"),
        body_en=ENGLISH.body,
        title_zh_hans=CHINESE.text("title"),
        summary_zh_hans=CHINESE.text("summary"),
        body_zh_hans=CHINESE.body,
        sources="\n".join(ENGLISH.lines("sources")),
    )
    # Two fakes with the lesson's tell, their explanation written in Chinese too: the practice
    # quiz draws them, and the reveal shows the Chinese.
    for number in (1, 2):
        clip = picture_clip(media_root, f"Swapped face {number}", Verdict.DEEPFAKE, number)
        clip.title_zh_hans = f"换脸照片 {number}"
        clip.save()
        add_tell(
            clip,
            lesson.tell_category,
            explanation_en="The jaw line flickers; the face's edge and the neck differ in colour.",
            explanation_zh_hans=EXPLANATION_ZH,
        )
        make_item(clip)
    return lesson


# --- the phone -------------------------------------------------------------------------------


@pytest.fixture
def phone(browser, live_server, page_problems: PageProblems) -> Iterator:
    """A 360 by 740 phone whose browser asks for Chinese, watched like conftest's `page`."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    context.set_default_timeout(20_000)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()

    def on_console(message) -> None:
        if message.type == "error":
            where = message.location.get("url")
            page_problems.append(f"console: {message.text} ({where}) on {page.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_problems.append(f"uncaught: {error}"))
    yield page
    context.close()
    assert not page_problems.unexpected(), page_problems.unexpected()


def check_page(page, name: str) -> str:
    """The page is Chinese, fits the 360-px phone, passes axe and is photographed; returns the
    text of its main."""
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == ZH, (name, page.url)
    overflow = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], (name, overflow)
    assert_accessible(page, f"the Chinese {name}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # caret="initial": hiding the caret takes a style Playwright injects, which the CSP refuses.
    page.screenshot(
        path=str(ARTIFACTS / f"student-zh-{name}-phone.png"), full_page=True, caret="initial"
    )
    return page.locator("main").inner_text()


def log_in(page, student) -> None:
    """Through the real log-in form, found at the Chinese address the browser is sent to."""
    page.goto("/accounts/login/")
    assert page.url.endswith(f"/{ZH}/accounts/login/"), page.url
    check_page(page, "login")
    page.fill("#id_username", student.username)
    page.fill("#id_password", "password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/accounts/login/" not in page.url, "the student could not log in"


# --- the journey -----------------------------------------------------------------------------


def test_a_student_reads_a_lesson_and_practises_it_in_chinese_on_a_phone(
    phone, live_server, student, lesson
) -> None:
    page = phone
    log_in(page, student)

    page.goto("/lessons/")
    assert page.url == f"{live_server.url}/{ZH}/lessons/", page.url
    main = check_page(page, "lesson-list")
    assert page.get_by_role("heading", name=zh("Lessons"), level=1).is_visible()
    assert zh("Tells: what gives a deepfake away") in main
    link = page.get_by_role("link", name=CHINESE.text("title"))
    assert link.get_attribute("href") == f"/{ZH}/lessons/{lesson.slug}/"
    with page.expect_navigation():
        link.click()

    main = check_page(page, "lesson")
    assert page.get_by_role("heading", name=CHINESE.text("title"), level=1).is_visible()
    # The body's Markdown, rendered: its Chinese headings and its text.
    assert page.get_by_role("heading", name="看什么", level=2).is_visible()
    assert "下颌线" in main
    assert ENGLISH.text("title") not in main
    # Shown in Chinese, so no note saying it is shown in English.
    assert page.locator(".fallback-note").count() == 0
    assert zh("Practise it") in main
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Practice this tell")).click()

    match = re.search(rf"/{ZH}/attempts/([0-9a-f-]{{36}})/items/1/$", page.url)
    assert match, page.url
    attempt = Attempt.objects.get(uid=match.group(1))
    total = attempt.entries.count()
    assert total == 2
    outcomes = {zh(str(Outcome.RIGHT.label)), zh(str(Outcome.WRONG.label))}
    for position in range(1, total + 1):
        form = page.locator(f"form.answer-form[action$='/items/{position}/answer/']")
        form.wait_for()
        page.locator(".item-media img").first.evaluate(
            "e => (e.complete && e.naturalWidth > 0) || new Promise(ok =>"
            " e.addEventListener('load', ok, {once: true}))"
        )
        main = check_page(page, f"item-{position}")
        with translation.override(ZH):
            count = translation.gettext("Item %(n)s of %(total)s") % {"n": position, "total": total}
        assert count != f"Item {position} of {total}", "no Chinese for the item count"
        assert count in main
        # The first judged wrongly, the second rightly: both reveals are seen.
        said = Verdict.REAL if position == 1 else Verdict.DEEPFAKE
        with translation.override(ZH):
            label = str(Verdict(said).label)
        form.get_by_role("radio", name=label, exact=True).check()
        form.get_by_role("button", name=zh("Lock in my answer")).click()
        heading = page.locator(".reveal-heading")
        heading.wait_for()
        assert heading.inner_text() in outcomes
        assert heading.inner_text() == zh("Wrong" if position == 1 else "Right")
        main = check_page(page, f"reveal-{position}")
        assert EXPLANATION_ZH in main
        assert zh("The tells") in main
        if position < total:
            page.get_by_role("link", name=zh("Next item")).click()
        else:
            with page.expect_navigation():
                page.get_by_role("link", name=zh("See your results")).click()

    assert page.url == f"{live_server.url}/{ZH}/attempts/{attempt.uid}/results/", page.url
    main = check_page(page, "results")
    assert page.get_by_role("heading", name=zh("Your results"), level=1).is_visible()
    with translation.override(ZH):
        score = translation.gettext("%(right)s of %(n)s right") % {"right": 1, "n": 2}
    assert score in main, main
