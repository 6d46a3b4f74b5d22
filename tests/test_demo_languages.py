"""The demo `make run` builds, in each language: after seed_demo the quiz list, a quiz page, a
clip's reveal and the demo campaign's landing speak Spanish under /es/ and Chinese under
/zh-hans/; a second run adds no rows but writes in what an earlier run left untranslated; and a
command run from a terminal answers in the terminal's language.

seed_demo builds the real pack (OpenCV, ffmpeg: tens of seconds), so it runs once per class, as
in test_seed_demo."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from unittest import mock

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, SimpleTestCase, override_settings
from django.utils import translation

from campaigns.models import Campaign, CampaignText, PartnerLink
from languages.commands import environment_language
from lessons.models import Assignment, Classroom
from media_library.models import Clip, Tell
from quiz.models import Attempt, Item, ItemKind, Quiz, QuizItem
from tests.factories import answer_key, start
from tests.test_seed_demo import TempMediaTestCase, run_seed

SWAP_KEY = "deepfake/hopper-face-on-collins"
SWAP_TITLE = {
    "en": "Face swap: Grace Hopper's face on Eileen Collins's portrait",
    "es": "Intercambio de caras: la cara de Grace Hopper en el retrato de Eileen Collins",
    "zh-hans": "换脸：格蕾丝·霍珀的脸换到了艾琳·柯林斯的肖像上",
}
# The start of the swap's "face edges" tell in each language.
SWAP_TELL = {
    "en": "The face is Grace Hopper's, pasted inside an oval",
    "es": "La cara es la de Grace Hopper, pegada dentro de un óvalo",
    "zh-hans": "这张脸是格蕾丝·霍珀的，被贴在一个边缘渐隐的椭圆里",
}
PRACTICE = {
    "en": ("Demo: real or fake? (practice)", "Eleven items of every kind"),
    "es": ("Demo: ¿real o falso? (práctica)", "Once preguntas de todos los tipos"),
    "zh-hans": ("演示：真实还是伪造？（练习）", "十一道题，各种题型都有"),
}
FEED_TITLE = {
    "en": "Demo: scroll the feed",
    "es": "Demo: recorre el muro",
    "zh-hans": "演示：刷一刷信息流",
}
CAMPAIGN = {
    "en": ("Before you vote: real or fake?", "How Telltale's quizzes work"),
    "es": ("Antes de votar: ¿real o falso?", "Cómo funcionan los cuestionarios de Telltale"),
    "zh-hans": ("投票之前：是真是假？", "Telltale 的测验是怎么回事"),
}
PREFIX = {"en": "", "es": "/es", "zh-hans": "/zh-hans"}
LANGUAGES = ("en", "es", "zh-hans")


class DemoInEachLanguageTests(TempMediaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        run_seed()

    def page(self, language: str, path: str, client: Client | None = None) -> str:
        response = (client or self.client).get(PREFIX[language] + path)
        self.assertEqual(response.status_code, 200, path)
        page = response.content.decode()
        self.assertIn(f'<html lang="{language}"', page)
        return html.unescape(page)

    def test_the_quiz_list_names_the_demo_quizzes_in_each_language(self) -> None:
        for language in LANGUAGES:
            with self.subTest(language=language):
                page = self.page(language, "/quizzes/")
                self.assertIn(PRACTICE[language][0], page)
                self.assertIn(FEED_TITLE[language], page)
                for other in set(LANGUAGES) - {language}:
                    self.assertNotIn(PRACTICE[other][0], page)

    def test_a_quiz_page_has_its_title_and_description_in_each_language(self) -> None:
        for language in LANGUAGES:
            with self.subTest(language=language):
                page = self.page(language, "/quizzes/demo-practice/")
                title, description = PRACTICE[language]
                self.assertIn(title, page)
                self.assertIn(description, page)

    def test_a_clips_reveal_has_its_title_and_tells_in_each_language(self) -> None:
        quiz = Quiz.objects.get(slug="demo-practice")
        for language in LANGUAGES:
            with self.subTest(language=language):
                client = Client()
                attempt = start(client, quiz)
                entry = attempt.entries.get(
                    item__kind=ItemKind.VERDICT, item__clip__import_key=SWAP_KEY
                )
                data = {
                    "key": answer_key(client, attempt, entry.position),
                    "verdict": "real",
                    "confidence": "70",
                }
                answered = client.post(
                    f"/attempts/{attempt.uid}/items/{entry.position}/answer/", data
                )
                self.assertEqual(answered.status_code, 302)
                page = self.page(
                    language, f"/attempts/{attempt.uid}/items/{entry.position}/", client
                )
                self.assertIn(SWAP_TITLE[language], page)
                self.assertIn(SWAP_TELL[language], page)
                for other in set(LANGUAGES) - {language}:
                    self.assertNotIn(SWAP_TELL[other], page)

    def test_the_demo_campaign_landing_speaks_each_language(self) -> None:
        campaign = Campaign.objects.get(slug="demo-election")
        self.assertEqual(campaign.languages, ["en", "es", "zh-hans"])
        for language in LANGUAGES:
            with self.subTest(language=language):
                page = self.page(language, "/c/demo-election/")
                title, link = CAMPAIGN[language]
                self.assertIn(title, page)
                self.assertIn(link, page)

    def test_every_demo_clip_tell_and_quiz_is_written_in_all_three(self) -> None:
        for clip in Clip.objects.filter(import_source="demo"):
            self.assertTrue(clip.title_es and clip.title_zh_hans, clip.title_en)
            self.assertNotEqual(clip.title_es, clip.title_en)
        for tell in Tell.objects.filter(clip__import_source="demo"):
            self.assertTrue(tell.explanation_es and tell.explanation_zh_hans, tell.explanation_en)
        for quiz in Quiz.objects.filter(slug__startswith="demo-"):
            for column in ("title_es", "title_zh_hans", "description_es", "description_zh_hans"):
                self.assertTrue(getattr(quiz, column), (quiz.slug, column))
        # The demo teacher names the assignment in English, the class's one language.
        assignment = Assignment.objects.get(classroom__name="Demo class")
        self.assertEqual(assignment.title, PRACTICE["en"][0])

    def test_a_second_run_adds_nothing_and_fills_in_missing_translations(self) -> None:
        swap = Clip.objects.get(import_source="demo", import_key=SWAP_KEY)
        tell = swap.tells.get(explanation_en__startswith=SWAP_TELL["en"])
        # A demo seeded before the translations were written: English only, two languages
        # in the campaign. A curator's own Spanish quiz description must survive the re-run.
        Clip.objects.filter(pk=swap.pk).update(title_es="", title_zh_hans=None)
        Tell.objects.filter(pk=tell.pk).update(explanation_es="", explanation_zh_hans="")
        Quiz.objects.filter(slug="demo-feed").update(title_zh_hans="", description_es="Mío.")
        campaign = Campaign.objects.get(slug="demo-election")
        Campaign.objects.filter(pk=campaign.pk).update(languages=["en", "es"])
        CampaignText.objects.filter(campaign=campaign, language="zh-hans").delete()
        PartnerLink.objects.filter(campaign=campaign, language="zh-hans").delete()

        def counts() -> dict[str, int]:
            return {
                model.__name__: model.objects.count()
                for model in (
                    Clip,
                    Tell,
                    Item,
                    Quiz,
                    QuizItem,
                    User,
                    Classroom,
                    Assignment,
                    Attempt,
                    Campaign,
                )
            } | {"texts": CampaignText.objects.count(), "links": PartnerLink.objects.count()}

        before = counts()
        output = run_seed()
        self.assertIn("0 made now", output)
        # Only the campaign's Chinese text and link come back.
        self.assertEqual(
            counts(), before | {"texts": before["texts"] + 1, "links": before["links"] + 1}
        )
        swap.refresh_from_db()
        tell.refresh_from_db()
        self.assertEqual(swap.title_es, SWAP_TITLE["es"])
        self.assertEqual(swap.title_zh_hans, SWAP_TITLE["zh-hans"])
        self.assertTrue(tell.explanation_es.startswith(SWAP_TELL["es"]))
        self.assertTrue(tell.explanation_zh_hans.startswith(SWAP_TELL["zh-hans"]))
        feed = Quiz.objects.get(slug="demo-feed")
        self.assertEqual(feed.title_zh_hans, FEED_TITLE["zh-hans"])
        self.assertEqual(feed.description_es, "Mío.")
        campaign.refresh_from_db()
        self.assertEqual(campaign.languages, ["en", "es", "zh-hans"])
        self.assertEqual(
            set(campaign.texts.values_list("language", flat=True)), {"en", "es", "zh-hans"}
        )
        # A third run finds everything there: nothing changes.
        again = counts()
        run_seed()
        self.assertEqual(counts(), again)


@override_settings(DEBUG=True)
class CommandLanguageTests(SimpleTestCase):
    """seed_demo --dry-run reads no database: a quick command to run from a real terminal."""

    def run_manage(self, locale: dict[str, str], *args: str) -> subprocess.CompletedProcess:
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
        }
        env |= {"DEBUG": "1", **locale}
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def expected(self, language: str, title: str) -> str:
        # The frame is the catalogue's; the title is the demo's own text in that language.
        with translation.override(language):
            return translation.gettext("Would make %(verdict)s %(title)s") % {
                "verdict": f"{'deepfake':11}",
                "title": title,
            }

    def test_a_command_speaks_the_terminals_language(self) -> None:
        for locale, language in (
            ({"LANG": "es_ES.UTF-8"}, "es"),
            ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_GB.UTF-8"}, "zh-hans"),
            ({"LANG": "C.UTF-8"}, "en"),
        ):
            with self.subTest(locale=locale):
                done = self.run_manage(locale, "seed_demo", "--dry-run")
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertIn(self.expected(language, SWAP_TITLE[language]), done.stdout)
                for other in set(LANGUAGES) - {language}:
                    self.assertNotIn(SWAP_TITLE[other], done.stdout)

    def test_its_help_is_in_the_terminals_language(self) -> None:
        done = self.run_manage({"LANG": "es_ES.UTF-8", "COLUMNS": "200"}, "seed_demo", "--help")
        self.assertEqual(done.returncode, 0, done.stderr)
        with translation.override("es"):
            for message in (
                "Create the demo accounts and the demo library (idempotent).",
                "Say what would be made and check the source photos exist; change nothing.",
            ):
                self.assertIn(translation.gettext(message), done.stdout)

    def test_it_reads_the_locale_variables_in_gettexts_order(self) -> None:
        # Each of these starts Django in a subprocess above; the order is checked here alone.
        cases = (
            ({"LANGUAGE": "fr:es", "LANG": "C.UTF-8"}, "es"),
            ({"LANGUAGE": "", "LC_MESSAGES": "zh_CN.UTF-8@pinyin", "LANG": "es_MX"}, "zh-hans"),
            ({"LC_ALL": "es_AR.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "es"),
            ({"LANG": "pt_BR.UTF-8"}, "en"),
            ({"LC_ALL": "C", "LANG": "es_ES.UTF-8"}, "en"),
            ({}, "en"),
        )
        for environ, language in cases:
            with self.subTest(environ=environ):
                self.assertEqual(environment_language(environ), language)

    def test_a_command_run_from_code_speaks_english(self) -> None:
        # call_command is not a terminal: English, whatever the environment says or the
        # language a request left active.
        with (
            mock.patch.dict(os.environ, {"LANG": "es_ES.UTF-8"}),
            translation.override("zh-hans"),
        ):
            output = run_seed("--dry-run")
        self.assertIn(SWAP_TITLE["en"], output)
        self.assertNotIn(SWAP_TITLE["es"], output)
