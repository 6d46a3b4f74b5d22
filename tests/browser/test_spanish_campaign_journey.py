"""A campaign's public journey in Spanish, in a real browser on a phone whose browser asks for
Spanish (es-ES): the first visit to the English address lands on the Spanish one, and every page
after it (landing, each item, the result, the share page and its card) is Spanish: `<html
lang="es">`, the catalogue's own Spanish for the interface, the campaign's Spanish texts. Each
page is checked with axe-core and for sideways overflow, and photographed. The language switcher
is a plain form: it works with JavaScript on and, in a context of its own, with it off.

The Spanish expected is looked up in the compiled catalogue (gettext under
translation.override), never copied into the test, and each lookup must differ from its English
msgid: a page that fell back to English cannot pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from campaigns.models import Participation
from campaigns.results import discernment
from media_library.models import Verdict
from media_library.roles import Role
from quiz.models import AttemptItem, Mode
from tests.browser.axe import assert_accessible
from tests.browser.conftest import ARTIFACTS, CSP_LISTENER, PageProblems
from tests.browser.layout import PHONE
from tests.browser.test_campaign_journey import picture_clip
from tests.factories import make_campaign, make_item, make_quiz, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "vota-informado"
TEXTS = {
    "es": (
        "Vota informado: descubre el falso",
        "Cuatro imágenes de la campaña. ¿Cuáles son inventadas?",
        "¿Qué tan seguro estás de poder detectar un vídeo falso?",
    ),
    "en": (
        "Vote smart: spot the fake",
        "Four pictures from the campaign trail. Which ones were made up?",
        "How sure are you that you could spot a fake video?",
    ),
}
TITLE_ES, INTRO_ES, QUESTION_ES = TEXTS["es"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def es(msgid: str) -> str:
    """The catalogue's Spanish for `msgid`; fails if the catalogue has none."""
    with translation.override("es"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no Spanish in the catalogue for {msgid!r}"
    return text


def es_switch() -> str:
    """The Spanish of the switcher's button ("Change", in the context of switching language)."""
    with translation.override("es"):
        text = translation.pgettext("switch to the chosen language", "Change")
    assert text != "Change", "no Spanish in the catalogue for the switcher's button"
    return text


# --- the campaign ----------------------------------------------------------------------------


@pytest.fixture
def campaign(media_root: Path):
    fakes = [picture_clip(media_root, f"Made-up rally {n}", Verdict.DEEPFAKE, n) for n in (1, 2)]
    reals = [picture_clip(media_root, f"Real rally {n}", Verdict.REAL, n) for n in (3, 4)]
    quiz = make_quiz(
        [make_item(clip) for clip in fakes + reals], title="Rally", mode=Mode.ASSESSMENT
    )
    quiz.title_es = "Mitin"
    quiz.save()
    organizer = make_user("organizer", Role.ORGANIZER)
    # Spanish first: the campaign is a Spanish one, with an English version beside it.
    return make_campaign(quiz, organizer, texts=TEXTS, slug=SLUG)


# --- the phone -------------------------------------------------------------------------------


def phone_context(browser, live_server, page_problems: PageProblems, *, javascript: bool):
    """A 360 by 740 phone whose browser asks for Spanish, watched like conftest's `page`."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="es-ES",
        java_script_enabled=javascript,
    )
    context.set_default_timeout(20_000)
    if javascript:
        context.add_init_script(CSP_LISTENER)

    def watch(page) -> None:
        def on_console(message) -> None:
            if message.type == "error":
                where = message.location.get("url")
                page_problems.append(f"console: {message.text} ({where}) on {page.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: page_problems.append(f"uncaught: {error}"))

    # Every page of the context: the share page's tab too.
    context.on("page", watch)
    return context


@pytest.fixture
def phone(browser, live_server, page_problems: PageProblems) -> Iterator:
    context = phone_context(browser, live_server, page_problems, javascript=True)
    page = context.new_page()
    yield page
    context.close()
    assert not page_problems.unexpected(), page_problems.unexpected()


@pytest.fixture
def phone_without_js(browser, live_server, page_problems: PageProblems) -> Iterator:
    context = phone_context(browser, live_server, page_problems, javascript=False)
    page = context.new_page()
    yield page
    context.close()
    assert not page_problems.unexpected(), page_problems.unexpected()


def check_page(page, name: str, *, javascript: bool = True) -> str:
    """The page is Spanish, fits the phone, passes axe (with JavaScript on) and is photographed;
    returns the text of its main."""
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es", (name, page.url)
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    if javascript:
        assert_accessible(page, f"the Spanish {name}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # caret="initial": hiding the caret takes a style Playwright injects, which the CSP refuses.
    page.screenshot(
        path=str(ARTIFACTS / f"campaign-es-{name}-phone.png"), full_page=True, caret="initial"
    )
    return page.locator("main").inner_text()


def check_switcher(page) -> None:
    """The campaign's switcher, labelled in Spanish, offers its two languages, Spanish chosen."""
    switcher = page.locator("form.language-switcher")
    assert switcher.count() == 1
    select = switcher.get_by_label(es("Language"))
    assert select.input_value() == "es"
    assert sorted(select.locator("option").evaluate_all("os => os.map(o => o.value)")) == [
        "en",
        "es",
    ]
    assert switcher.get_by_role("button", name=es_switch()).is_visible()


def switch_to(page, language: str, label: str) -> None:
    """Choose `language` in the switcher and press its button (a plain form post)."""
    switcher = page.locator("form.language-switcher")
    switcher.locator("select").select_option(language)
    with page.expect_navigation():
        switcher.get_by_role("button", name=label).click()


def entries(uid: str) -> list[AttemptItem]:
    return list(
        AttemptItem.objects.filter(attempt__uid=uid)
        .select_related("item__clip")
        .order_by("position")
    )


# --- the journeys ----------------------------------------------------------------------------


def test_a_spanish_visitor_plays_the_campaign_in_spanish_from_landing_to_share_card(
    phone, live_server, campaign
) -> None:
    page = phone
    # The English address, as a partner might have linked it: the browser asks for Spanish.
    page.goto(f"/c/{SLUG}/")
    assert page.url == f"{live_server.url}/es/c/{SLUG}/", page.url
    main = check_page(page, "landing")
    assert page.get_by_role("heading", name=TITLE_ES, level=1).is_visible()
    assert INTRO_ES in main
    assert es("What we store") in main
    assert page.get_by_role("group", name=re.compile(re.escape(QUESTION_ES))).is_visible()
    check_switcher(page)

    page.get_by_role("group", name=re.compile(re.escape(QUESTION_ES))).get_by_role("radio").nth(
        1
    ).check()
    with page.expect_navigation():
        page.get_by_role("button", name=es("Start the quiz")).click()
    match = re.search(r"/es/attempts/([0-9a-f-]{36})/items/1/$", page.url)
    assert match, page.url
    uid = match.group(1)

    dealt = entries(uid)
    wrong = {2}
    for entry in dealt:
        form = page.locator(f"form.answer-form[action$='/items/{entry.position}/answer/']")
        form.wait_for()
        page.locator(".item-media img").first.evaluate(
            "e => (e.complete && e.naturalWidth > 0) || new Promise(ok =>"
            " e.addEventListener('load', ok, {once: true}))"
        )
        main = check_page(page, f"item-{entry.position}")
        with translation.override("es"):
            count = translation.gettext("Item %(n)s of %(total)s") % {
                "n": entry.position,
                "total": len(dealt),
            }
        assert count != f"Item {entry.position} of {len(dealt)}", "no Spanish for the count"
        assert count in main
        truth = entry.item.clip.verdict
        said = truth if entry.position not in wrong else next(v for v in Verdict if v != truth)
        with translation.override("es"):
            verdict_label = str(Verdict(said).label)
        form.get_by_role("radio", name=verdict_label, exact=True).check()
        form.get_by_role("button", name=es("Lock in my answer")).click()
        if entry.position < len(dealt):
            page.locator(
                f"form.answer-form[action$='/items/{entry.position + 1}/answer/']"
            ).wait_for()
    page.wait_for_url(re.compile(rf"/es/c/{SLUG}/done/{uid}/$"))

    main = check_page(page, "result")
    assert page.get_by_role("heading", name=es("Your result"), level=1).is_visible()
    participation = Participation.objects.get(attempt__uid=uid)
    with translation.override("es"):
        said = discernment(participation)
        sentence, share_line = said.sentence, said.share_line
    # This round saw fakes and real clips: its sentences are these whole ones (results.py),
    # which must be Spanish, not English around Spanish counts.
    assert said.fakes
    assert said.reals
    es("You caught %(fakes)s and trusted %(reals)s.")
    es("I caught %(fakes)s and trusted %(reals)s. Can you?")
    assert page.locator("#discernment-heading").inner_text() == sentence
    assert es("Share your result") in main
    share_url = page.locator("#share-url").input_value()
    assert f"/es/c/{SLUG}/shared/" in share_url, share_url

    with page.context.expect_page() as opened:
        page.get_by_role("link", name=es("Open the share page")).click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == share_url
    main = check_page(tab, "share")
    assert tab.get_by_role("heading", name=share_line, level=1).is_visible()
    assert TITLE_ES in main
    assert tab.get_by_role("link", name=es("Take the quiz")).get_attribute("href") == (
        f"/es/c/{SLUG}/"
    )
    meta = {
        name: tab.locator(f"meta[property='{name}']").get_attribute("content")
        for name in ("og:title", "og:description", "og:image", "og:image:alt", "og:locale")
    }
    assert meta["og:title"] == share_line
    assert meta["og:image:alt"] == share_line
    assert meta["og:description"] == TITLE_ES
    assert meta["og:locale"] == "es"
    card = tab.request.get(meta["og:image"])
    assert card.status == 200
    assert card.headers["content-type"] == "image/png"
    assert card.body().startswith(PNG_SIGNATURE)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "campaign-es-share-card.png").write_bytes(card.body())
    tab.close()

    # The switcher, with JavaScript on: to English and back, each on its own address.
    page.goto(f"/es/c/{SLUG}/")
    switch_to(page, "en", es_switch())
    assert page.url == f"{live_server.url}/c/{SLUG}/", page.url
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Start the quiz").is_visible()
    switch_to(page, "es", "Change")
    assert page.url == f"{live_server.url}/es/c/{SLUG}/", page.url
    check_page(page, "landing-after-switch")


def test_without_javascript_the_switcher_changes_the_campaigns_language(
    phone_without_js, live_server, campaign
) -> None:
    page = phone_without_js
    page.goto(f"/c/{SLUG}/")
    assert page.url == f"{live_server.url}/es/c/{SLUG}/", page.url
    main = check_page(page, "landing-no-js", javascript=False)
    assert INTRO_ES in main
    check_switcher(page)
    switch_to(page, "en", es_switch())
    assert page.url == f"{live_server.url}/c/{SLUG}/", page.url
    assert page.locator("html").get_attribute("lang") == "en"
    assert TEXTS["en"][1] in page.locator("main").inner_text()
    # The choice is remembered over the browser's Accept-Language: the English address stays
    # English on the next visit.
    page.goto(f"/c/{SLUG}/")
    assert page.url == f"{live_server.url}/c/{SLUG}/", page.url
    switch_to(page, "es", "Change")
    assert page.url == f"{live_server.url}/es/c/{SLUG}/", page.url
    assert page.locator("html").get_attribute("lang") == "es"
