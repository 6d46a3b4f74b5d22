"""Quizzes in three languages: the learner's pages in the address's language (English, with a
note, where a text is not translated yet), the builder's per-language fields and its list of
what is missing, and numbers written as each language writes them."""

from __future__ import annotations

import re

from django.test import Client

from media_library.models import Technique, Verdict
from quiz.models import Item, ItemKind, Mode, Quiz
from tests.base import BaseTestCase
from tests.factories import answer_key, make_item, make_quiz, quizzable_clip, start

FALLBACK_NOTE = 'class="fallback-note"'


def take(client: Client, quiz: Quiz, answers: list[tuple[str, int]]):
    attempt = start(client, quiz)
    for position, (verdict, confidence) in enumerate(answers, start=1):
        client.post(
            f"/attempts/{attempt.uid}/items/{position}/answer/",
            {
                "key": answer_key(client, attempt, position),
                "verdict": verdict,
                "confidence": confidence,
            },
        )
    attempt.refresh_from_db()
    assert attempt.is_finished
    return attempt


class TranslatedQuizPagesTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.fake = quizzable_clip(
            "Mayor face swap", Verdict.DEEPFAKE, technique=Technique.FACE_SWAP
        )
        cls.item = make_item(
            cls.fake,
            kind=ItemKind.TECHNIQUE,
            prompt_en="What was done to the mayor?",
            prompt_es="¿Qué le hicieron al alcalde?",
            prompt_zh_hans="市长的视频用了什么手法",
        )
        cls.quiz = make_quiz(
            [cls.item],
            title="Harbour fakes",
            title_es="Falsificaciones del puerto",
            title_zh_hans="港口的伪造视频",
            description_en="Which of these were manipulated?",
            description_es="¿Cuáles fueron manipulados?",
            description_zh_hans="找出被篡改过的视频",
        )
        # Written in English only: every other language falls back to it.
        cls.english_only = make_quiz(
            [cls.item], title="Ferry fakes", description_en="Only in English so far."
        )

    def test_it_shows_the_quiz_in_the_addresss_language(self):
        cases = [
            ("es", "Falsificaciones del puerto", "¿Cuáles fueron manipulados?"),
            ("zh-hans", "港口的伪造视频", "找出被篡改过的视频"),
            ("en", "Harbour fakes", "Which of these were manipulated?"),
        ]
        for language, title, description in cases:
            prefix = "" if language == "en" else f"/{language}"
            with self.subTest(language=language):
                listing = self.client.get(f"{prefix}/quizzes/").content.decode()
                self.assertIn(title, listing)
                self.assertIn(description, listing)
                detail = self.client.get(f"{prefix}/quizzes/{self.quiz.slug}/").content.decode()
                self.assertIn(f'<h1 lang="{language}">{title}</h1>', detail)
                self.assertIn(f'class="lede" lang="{language}">{description}', detail)
                self.assertNotIn(FALLBACK_NOTE, detail)
                if language != "en":
                    self.assertNotIn("Harbour fakes", detail)

    def test_it_asks_the_items_question_in_the_addresss_language(self):
        attempt = start(self.client, self.quiz)
        for language, prompt in (("es", "¿Qué le hicieron al alcalde?"), ("zh-hans", "市长")):
            with self.subTest(language=language):
                page = self.client.get(f"/{language}/attempts/{attempt.uid}/items/1/")
                html = page.content.decode()
                self.assertRegex(
                    html, rf'class="question" lang="{language}">[^<]*{re.escape(prompt)}'
                )
                self.assertNotIn("What was done to the mayor?", html)
                self.assertNotIn(FALLBACK_NOTE, html)

    def test_an_untranslated_text_shows_in_english_with_a_note(self):
        for language, name in (("es", "Español"), ("zh-hans", "简体中文")):
            with self.subTest(language=language):
                url = f"/{language}/quizzes/{self.english_only.slug}/"
                html = self.client.get(url).content.decode()
                # The English text, marked as English for screen readers, and said to be.
                self.assertIn('<h1 lang="en">Ferry fakes</h1>', html)
                self.assertIn('lang="en">Only in English so far.', html)
                self.assertIn(FALLBACK_NOTE, html)
                self.assertIn(name, html)
        # In English nothing is missing, so nothing is said.
        html = self.client.get(f"/quizzes/{self.english_only.slug}/").content.decode()
        self.assertNotIn(FALLBACK_NOTE, html)

    def test_an_untranslated_question_shows_in_english_with_a_note(self):
        item = make_item(self.fake, kind=ItemKind.TECHNIQUE, prompt_en="Which trick?")
        quiz = make_quiz([item], title="One question")
        attempt = start(self.client, quiz)
        html = self.client.get(f"/es/attempts/{attempt.uid}/items/1/").content.decode()
        self.assertRegex(html, r'class="question" lang="en">\s*Which trick\?')
        self.assertIn(FALLBACK_NOTE, html)


class BuilderLanguagesTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.fake = quizzable_clip(
            "Mayor face swap", Verdict.DEEPFAKE, technique=Technique.FACE_SWAP
        )

    def quiz_data(self, **texts) -> dict:
        data = {
            "title_en": "Harbour fakes",
            "description_en": "Which of these were manipulated?",
            "mode": Mode.PRACTICE,
            "selection": "fixed",
            "order": "ordered",
            "pool_size": "10",
            "feed_fake_percent": "20",
        }
        return data | texts

    def test_it_saves_the_title_and_description_per_language(self):
        self.client.force_login(self.teacher)
        form = self.client.get("/build/quizzes/new/").content.decode()
        # One field per language, marked with its language.
        for name, language in (("title_es", "es"), ("description_zh_hans", "zh-hans")):
            self.assertRegex(
                form, rf'name="{name}"[^>]*lang="{language}"|lang="{language}"[^>]*name="{name}"'
            )
        response = self.client.post(
            "/build/quizzes/new/", self.quiz_data(title_es="Falsificaciones del puerto")
        )
        quiz = Quiz.objects.get()
        self.assertRedirects(response, f"/build/quizzes/{quiz.slug}/")
        self.assertEqual(quiz.title_en, "Harbour fakes")
        self.assertEqual(quiz.title_es, "Falsificaciones del puerto")
        # Left empty: not translated (so learners get the English with a note), not "".
        self.assertIsNone(quiz.title_zh_hans)
        self.assertIsNone(quiz.description_es)

    def test_a_quiz_built_in_chinese_gets_its_address_from_the_english_title(self):
        self.client.force_login(self.teacher)
        self.client.post(
            "/zh-hans/build/quizzes/new/", self.quiz_data(title_zh_hans="港口的伪造视频")
        )
        self.assertEqual(Quiz.objects.get().slug, "harbour-fakes")

    def test_the_english_title_is_required_and_the_others_are_not(self):
        self.client.force_login(self.teacher)
        response = self.client.post(
            "/build/quizzes/new/", self.quiz_data(title_en="", title_es="Solo en español")
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("title_en", response.context["form"].errors)
        self.assertFalse(Quiz.objects.exists())

    def test_it_lists_the_missing_translations(self):
        self.client.force_login(self.teacher)
        self.client.post(
            "/build/quizzes/new/",
            self.quiz_data(title_es="Falsificaciones del puerto", title_zh_hans="港口的伪造视频"),
        )
        quiz = Quiz.objects.get()
        edit = self.client.get(f"/build/quizzes/{quiz.slug}/").content.decode()
        missing = re.search(r'<div class="missing-translations".*?</div>', edit, re.S).group()
        # Both languages lack the description; neither lacks the title.
        self.assertIn('<li><span lang="es">Español</span>: description</li>', missing)
        self.assertIn('<li><span lang="zh-hans">简体中文</span>: description</li>', missing)
        self.assertNotIn("title", missing)
        listing = self.client.get("/build/quizzes/").content.decode()
        self.assertIn("missing-translations-badge", listing)

        data = self.quiz_data(
            title_es="Falsificaciones del puerto",
            title_zh_hans="港口的伪造视频",
            description_es="¿Cuáles fueron manipulados?",
            description_zh_hans="找出被篡改过的视频",
        )
        self.client.post(f"/build/quizzes/{quiz.slug}/", data)
        edit = self.client.get(f"/build/quizzes/{quiz.slug}/").content.decode()
        self.assertNotIn('class="missing-translations"', edit)
        self.assertIn("Written in every language.", edit)
        self.assertNotIn(
            "missing-translations-badge", self.client.get("/build/quizzes/").content.decode()
        )

    def test_it_saves_an_items_question_per_language(self):
        self.client.force_login(self.teacher)
        data = {
            "kind": "technique",
            "clip": self.fake.pk,
            "difficulty": "medium",
            "spot_target": "region",
            "prompt_en": "What was done here?",
            "prompt_es": "¿Qué se hizo aquí?",
            "prompt_zh_hans": "",
        }
        self.assertRedirects(self.client.post("/build/items/new/", data), "/build/items/")
        item = Item.objects.get()
        self.assertEqual(
            (item.prompt_en, item.prompt_es, item.prompt_zh_hans),
            ("What was done here?", "¿Qué se hizo aquí?", None),
        )
        # The same questions in every language: the bank's item is reused.
        self.client.post("/build/items/new/", data)
        self.assertEqual(Item.objects.count(), 1)
        # Another translation is another item, with its own statistics.
        self.client.post("/build/items/new/", data | {"prompt_zh_hans": "这里用了什么手法"})
        self.assertEqual(Item.objects.count(), 2)

    def test_a_copy_keeps_every_language(self):
        quiz = make_quiz(
            [make_item(self.fake)],
            title="Harbour fakes",
            title_es="Falsificaciones del puerto",
            description_en="Which?",
            description_zh_hans="找出来",
        )
        self.client.force_login(self.other_teacher)
        self.client.post(f"/build/quizzes/{quiz.slug}/copy/")
        copy = Quiz.objects.exclude(pk=quiz.pk).get()
        self.assertEqual(copy.title_en, "Harbour fakes (copy)")
        self.assertTrue(copy.title_es.startswith("Falsificaciones del puerto"))
        self.assertIsNone(copy.title_zh_hans)
        self.assertEqual((copy.description_en, copy.description_zh_hans), ("Which?", "找出来"))


class NumbersPerLanguageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        fakes = [
            quizzable_clip(f"Fake {n}", Verdict.DEEPFAKE, technique=Technique.FACE_SWAP)
            for n in range(4)
        ]
        reals = [quizzable_clip(f"Real {n}") for n in range(5)]
        cls.items = [make_item(clip) for clip in fakes + reals]

    def results(self, items, answers, language: str) -> str:
        quiz = make_quiz(items, mode=Mode.ASSESSMENT)
        attempt = take(self.client, quiz, answers)
        prefix = "" if language == "en" else f"/{language}"
        return self.client.get(f"{prefix}/attempts/{attempt.uid}/results/").content.decode()

    def test_decimals_take_the_languages_decimal_mark(self):
        # The fixture of tests/test_quiz_results.py: hit rate 3 of 4 (0.75), d-prime 0.93, c -0.21,
        # ROC area 0.65, Brier 0.299.
        answers = [
            ("deepfake", 80),
            ("shallowfake", 70),
            ("deepfake", 60),
            ("real", 90),
            ("deepfake", 90),
            ("shallowfake", 50),
            ("real", 70),
            ("real", 80),
            ("real", 100),
        ]
        es = self.results(self.items, answers, "es")
        self.assertIn("<strong>0,65</strong>", es)
        self.assertIn("<strong>0,299</strong>", es)
        self.assertIn("0,93", es)
        self.assertIn("\u22120,21", es)
        self.assertNotIn("0.93", es)
        zh = self.results(self.items, answers, "zh-hans")
        self.assertIn("<strong>0.65</strong>", zh)
        self.assertIn("0.93", zh)

    def test_a_percentage_is_written_as_the_language_writes_it(self):
        # 5 of 7 right: 71 %. Spanish (and this site's English) put a space before the sign,
        # Chinese does not.
        items = self.items[:4] + self.items[4:7]
        answers = [("deepfake", 100)] * 3 + [("real", 100)] + [("real", 100)] * 2
        answers += [("deepfake", 100)]
        expected = {"es": "71 %", "zh-hans": "71%", "en": "71 %"}
        for language, text in expected.items():
            with self.subTest(language=language):
                html = self.results(items, answers, language)
                # The comparison chart's bar and its table of numbers.
                self.assertIn(f'font-weight="600">{text}</text>', html)
                self.assertIn(f"<td>{text}</td>", html)
        # The chart's text alternative says it the same way.
        zh = self.results(items, answers, "zh-hans")
        self.assertNotIn("71 %", zh)
