"""Choosing a language: the switcher without JavaScript, the account's language, the first
visit's Accept-Language, and the /es/ and /zh-hans/ addresses of public pages
(languages/middleware.py, languages/views.py)."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client

from languages.models import LanguagePreference
from lessons.models import GlossaryTerm, Lesson, LessonKind
from quiz.models import ItemKind
from tests.base import BaseTestCase
from tests.factories import make_campaign, make_item, make_quiz, quizzable_clip

COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, "the page has no <html lang>"
    return match[1]


class LanguagesTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        clip = quizzable_clip("Ruido de fondo")
        cls.quiz = make_quiz([make_item(clip, kind=ItemKind.VERDICT)], title="Prueba corta")
        cls.campaign = make_campaign(
            cls.quiz,
            cls.organizer,
            texts={
                "en": ("Vote smart", "Can you tell?", "How sure are you?"),
                "es": ("Vota con cabeza", "¿Lo distingues?", "¿Cuánto confías?"),
                "zh-hans": ("明智投票", "你能分辨吗", "你有多确定"),
            },
        )
        Lesson.objects.create(
            slug="parpadeo",
            title="Parpadeo",
            kind=LessonKind.TELL,
            body="Mira los ojos.",
            sources="Li, Chang & Lyu (2018)",
        )
        GlossaryTerm.objects.create(slug="deepfake", term="Deepfake", definition="Vídeo falso.")


class SwitcherTest(LanguagesTestCase):
    def test_it_switches_without_javascript_to_the_translated_address(self):
        response = self.client.post(
            "/language/", {"language": "es", "next": f"/quizzes/{self.quiz.slug}/"}
        )
        self.assertRedirects(
            response, f"/es/quizzes/{self.quiz.slug}/", fetch_redirect_response=False
        )
        self.assertEqual(response.cookies[COOKIE].value, "es")
        # From a Spanish page to Chinese: the prefix is swapped, not stacked.
        response = self.client.post("/language/", {"language": "zh-hans", "next": "/es/lessons/"})
        self.assertRedirects(response, "/zh-hans/lessons/", fetch_redirect_response=False)
        self.assertEqual(response.cookies[COOKIE].value, "zh-hans")

    def test_it_goes_back_to_english_unprefixed(self):
        response = self.client.post("/language/", {"language": "en", "next": "/es/glossary/"})
        self.assertRedirects(response, "/glossary/", fetch_redirect_response=False)
        self.assertEqual(response.cookies[COOKIE].value, "en")
        # The cookie now says English: an unprefixed page answers in English, no redirect.
        response = self.client.get("/glossary/", HTTP_ACCEPT_LANGUAGE="es")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(html_lang(response), "en")

    def test_it_refuses_an_unknown_language_with_a_message(self):
        response = self.client.post("/language/", {"language": "fr", "next": "/"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("not one this site offers", response.content.decode())
        self.assertNotIn(COOKIE, response.cookies)
        response = self.client.post("/language/", {"next": "/"})
        self.assertEqual(response.status_code, 400)

    def test_it_needs_no_csrf_token_for_an_anonymous_visitor(self):
        # Anonymous pages are cached for everyone and carry no token.
        client = Client(enforce_csrf_checks=True)
        response = client.post("/language/", {"language": "es", "next": "/lessons/"})
        self.assertRedirects(response, "/es/lessons/", fetch_redirect_response=False)

    def test_it_needs_the_csrf_token_for_a_signed_in_switch(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.student)
        response = client.post("/language/", {"language": "es", "next": "/lessons/"})
        self.assertEqual(response.status_code, 403)
        self.assertIsNone(LanguagePreference.of(self.student))
        # With the token the switcher's form carries, it goes through.
        page = client.get("/lessons/")
        token = re.search(
            r'class="language-switcher".*?name="csrfmiddlewaretoken" value="([^"]+)"',
            page.content.decode(),
            re.S,
        )
        self.assertIsNotNone(token, "the signed-in switcher has no CSRF token")
        response = client.post(
            "/language/",
            {"language": "es", "next": "/lessons/", "csrfmiddlewaretoken": token[1]},
        )
        self.assertRedirects(response, "/es/lessons/", fetch_redirect_response=False)
        self.assertEqual(LanguagePreference.of(self.student), "es")


class AccountLanguageTest(LanguagesTestCase):
    def test_it_keeps_a_learners_choice_on_the_account_for_another_browser(self):
        self.client.force_login(self.student)
        self.client.post("/language/", {"language": "zh-hans", "next": "/lessons/"})
        self.assertEqual(LanguagePreference.of(self.student), "zh-hans")

        # Another browser: no cookie, an English-speaking Accept-Language.
        other = Client(HTTP_ACCEPT_LANGUAGE="en-US")
        self.assertEqual(other.get("/lessons/").status_code, 200)  # English before signing in
        response = other.post("/accounts/login/", {"username": "student", "password": "password"})
        self.assertEqual(response.status_code, 302)
        response = other.get("/lessons/")
        self.assertRedirects(response, "/zh-hans/lessons/", fetch_redirect_response=False)
        self.assertEqual(html_lang(other.get("/zh-hans/lessons/")), "zh-hans")

    def test_it_keeps_nothing_for_an_anonymous_visitor(self):
        self.client.post("/language/", {"language": "es", "next": "/"})
        self.assertFalse(LanguagePreference.objects.exists())


class FirstVisitTest(LanguagesTestCase):
    def test_it_sends_a_spanish_browser_to_the_spanish_home(self):
        response = self.client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
        self.assertRedirects(response, "/es/", fetch_redirect_response=False)
        self.assertIn("Accept-Language", response["Vary"])
        self.assertEqual(html_lang(self.client.get("/es/")), "es")

    def test_it_sends_a_chinese_browser_to_the_simplified_chinese_home(self):
        response = self.client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
        self.assertRedirects(response, "/zh-hans/", fetch_redirect_response=False)

    def test_it_answers_a_french_or_german_browser_in_english(self):
        for header in ("fr-FR,fr;q=0.9", "de"):
            with self.subTest(header=header):
                response = self.client.get("/", HTTP_ACCEPT_LANGUAGE=header)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(html_lang(response), "en")
                # The same address answers others in another language: caches must know.
                self.assertIn("Accept-Language", response["Vary"])

    def test_it_keeps_the_query_string_on_the_redirect(self):
        response = self.client.get("/quizzes/?page=2", HTTP_ACCEPT_LANGUAGE="es")
        self.assertRedirects(response, "/es/quizzes/?page=2", fetch_redirect_response=False)

    def test_a_cookie_choice_beats_accept_language(self):
        self.client.cookies[COOKIE] = "zh-hans"
        response = self.client.get("/lessons/", HTTP_ACCEPT_LANGUAGE="es")
        self.assertRedirects(response, "/zh-hans/lessons/", fetch_redirect_response=False)
        self.client.cookies[COOKIE] = "en"
        response = self.client.get("/lessons/", HTTP_ACCEPT_LANGUAGE="es")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(html_lang(response), "en")

    def test_an_english_prefix_goes_to_the_unprefixed_address(self):
        response = self.client.get("/en/glossary/", HTTP_ACCEPT_LANGUAGE="es")
        self.assertRedirects(response, "/glossary/", fetch_redirect_response=False)
        # And is remembered: the next visit stays in English despite the browser.
        self.assertEqual(response.cookies[COOKIE].value, "en")

    def test_a_form_post_to_an_unprefixed_page_is_not_redirected(self):
        # A redirect would turn the POST into a GET and lose the answer.
        response = self.client.post(f"/quizzes/{self.quiz.slug}/start/", HTTP_ACCEPT_LANGUAGE="es")
        self.assertEqual(response.status_code, 302)
        self.assertRegex(response["Location"], r"^/attempts/")


class PrefixedPagesTest(LanguagesTestCase):
    def test_public_pages_are_in_the_language_of_their_address(self):
        pages = [
            "/",
            "/lessons/",
            "/lessons/parpadeo/",
            "/glossary/",
            "/quizzes/",
            f"/quizzes/{self.quiz.slug}/",
            f"/c/{self.campaign.slug}/",
            f"/c/{self.campaign.slug}/privacy/",
        ]
        for prefix, language in (("/es", "es"), ("/zh-hans", "zh-hans"), ("", "en")):
            for page in pages:
                with self.subTest(page=prefix + page):
                    # The browser asks for English: the address wins.
                    response = self.client.get(prefix + page, HTTP_ACCEPT_LANGUAGE="en")
                    self.assertEqual(response.status_code, 200)
                    self.assertEqual(html_lang(response), language)
                    self.assertEqual(response["Content-Language"], language)

    def test_a_prefixed_page_sets_no_language_cookie(self):
        # A Set-Cookie would keep the public pages out of shared caches.
        response = self.client.get("/es/lessons/")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(COOKIE, response.cookies)

    def test_links_on_a_prefixed_page_keep_the_prefix(self):
        html = self.client.get("/es/").content.decode()
        self.assertIn('href="/es/lessons/"', html)
        self.assertNotIn('href="/lessons/"', html)

    def test_an_unknown_prefix_is_not_a_page(self):
        self.assertEqual(self.client.get("/fr/lessons/").status_code, 404)
