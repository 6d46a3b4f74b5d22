"""Lessons and the glossary in English, Spanish and Chinese: the shipped translations loaded by
load_lessons, the pages in each language, the note where a translation is missing, glossary
links in Chinese and Spanish text, and the editor's per-language fields."""

from __future__ import annotations

import re
import shutil
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase

from lessons.content_files import (
    CONTENT_DIR,
    TRANSLATION_FOLDERS,
    glossary_files,
    lesson_files,
    translated_glossary_files,
    translated_lesson_files,
)
from lessons.markdown import TermLink, link_terms, render_markdown
from lessons.models import GlossaryTerm, Lesson, LessonKind
from tests.base import BaseTestCase
from tests.factories import make_user

LANGUAGES = list(TRANSLATION_FOLDERS)  # es, zh-hans
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# An explainer is short in the unit its language is counted in: words where words are spaced,
# characters in Chinese (about two to an English word). Spanish runs longer than English.
LENGTHS = {"en": (150, 350), "es": (150, 400), "zh-hans": (250, 750)}
# The issue asks the labelling-laws lesson to name the laws that apply to each language's
# readers, so its translations say more than the English and may run half as long again.
SAYS_MORE = {"labelling-laws"}


def load(*args: str, **options) -> str:
    out = StringIO()
    call_command("load_lessons", *args, stdout=out, **options)
    return out.getvalue()


def length(text: str, language: str) -> int:
    """Words, with each Chinese character counted as one (Latin words in Chinese text too)."""
    if language != "zh-hans":
        return len(text.split())
    return len(HAN.findall(text)) + len(HAN.sub(" ", text).split())


class TranslatedFilesTestCase(TestCase):
    def test_every_language_has_the_english_slugs_and_no_others(self):
        lessons = {file.text("slug") for file in lesson_files()}
        terms = {file.text("slug") for file in glossary_files()}
        for language in LANGUAGES:
            self.assertEqual(
                {file.text("slug") for file in translated_lesson_files(language)}, lessons
            )
            self.assertEqual(
                {file.text("slug") for file in translated_glossary_files(language)}, terms
            )

    def test_every_translated_file_has_its_title_text_and_sources(self):
        for language in LANGUAGES:
            for file in translated_lesson_files(language):
                self.assertTrue(file.text("title") and file.text("summary"), file.name)
                self.assertTrue(file.lines("sources"), file.name)
            for file in translated_glossary_files(language):
                self.assertTrue(file.text("term") and file.body.strip(), file.name)

    def test_it_keeps_explainers_short_in_every_language(self):
        files = [("en", file) for file in lesson_files()] + [
            (language, file) for language in LANGUAGES for file in translated_lesson_files(language)
        ]
        for language, file in files:
            low, high = LENGTHS[language]
            if language != "en" and file.text("slug") in SAYS_MORE:
                high = high * 3 // 2
            size = length(file.body, language)
            self.assertTrue(low <= size <= high, f"{file.name}: {size} ({low} to {high})")

    def test_it_counts_chinese_by_the_character(self):
        self.assertEqual(length("眨眼正常 GAN 什么", "zh-hans"), 7)
        self.assertEqual(length("眨眼正常 GAN 什么", "es"), 3)


class LoadTranslationsTestCase(TestCase):
    def test_it_loads_every_language_and_a_second_run_changes_nothing(self):
        output = load()
        self.assertIn("es 20 lessons and 12 terms; zh-hans 20 lessons and 12 terms", output)
        blinking = Lesson.objects.get(slug="blinking")
        self.assertEqual(
            (blinking.title_en, blinking.title_es, blinking.title_zh_hans),
            ("Blinking", "El parpadeo", "眨眼"),
        )
        self.assertIn("Li, Chang y Lyu", blinking.body_es)
        term = GlossaryTerm.objects.get(slug="deepfake")
        self.assertEqual(term.term_zh_hans, "深度伪造")
        self.assertIn("深伪", term.aliases_zh_hans)
        # The legal lesson cites the laws of each language's readers.
        laws = Lesson.objects.get(slug="labelling-laws")
        self.assertIn("《人工智能生成合成内容标识办法》", laws.sources_zh_hans)
        self.assertIn("Tribunal Superior Eleitoral", laws.sources_es)
        self.assertNotIn("Tribunal Superior Eleitoral", laws.sources_en)

        stamps = dict(Lesson.objects.values_list("slug", "updated_at"))
        output = load()
        self.assertIn("20 lessons unchanged, 12 terms unchanged", output)
        self.assertNotIn("updated", output)
        self.assertEqual(dict(Lesson.objects.values_list("slug", "updated_at")), stamps)

    def test_it_restores_a_changed_translation_and_says_which(self):
        load()
        Lesson.objects.filter(slug="blinking").update(title_es="Otro", body_zh_hans=None)
        output = load()
        self.assertIn("lesson blinking: updated title_es, body_zh_hans", output)
        self.assertIn("1 lesson updated", output)
        blinking = Lesson.objects.get(slug="blinking")
        self.assertEqual(blinking.title_es, "El parpadeo")
        self.assertTrue(blinking.body_zh_hans.startswith("## 看什么"))

    def test_it_keeps_a_lesson_edited_in_the_site_in_every_language(self):
        load()
        Lesson.objects.filter(slug="blinking").update(title_es="Nuestro", edited_in_site=True)
        output = load()
        self.assertIn("blinking: edited in the site, left alone", output)
        self.assertEqual(Lesson.objects.get(slug="blinking").title_es, "Nuestro")


class ContentFolderTestCase(TestCase):
    """A copy of lessons/content/ to change: the loader reads it with --content-dir."""

    def setUp(self) -> None:
        self.root = Path(tempfile.mkdtemp()) / "content"
        shutil.copytree(CONTENT_DIR, self.root)
        self.addCleanup(shutil.rmtree, self.root.parent)

    def test_it_names_the_file_whose_slug_has_no_english_lesson(self):
        (self.root / "zh-Hans" / "99-stray.md").write_text(
            "---\nslug: no-such-lesson\ntitle: 无\n---\n正文\n", encoding="utf-8"
        )
        with self.assertRaisesMessage(
            CommandError, "zh-Hans/99-stray.md: no English lesson has the slug 'no-such-lesson'"
        ):
            load(content_dir=self.root)
        self.assertFalse(Lesson.objects.exists())

    def test_it_refuses_a_translation_that_sets_what_english_sets(self):
        path = self.root / "es" / "01-blinking.md"
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                "slug: blinking", "slug: blinking\nposition: 3"
            ),
            encoding="utf-8",
        )
        with self.assertRaisesMessage(CommandError, "es/01-blinking.md: position is set in"):
            load(content_dir=self.root)

    def test_a_removed_translation_falls_back_to_english(self):
        load(content_dir=self.root)
        (self.root / "es" / "01-blinking.md").unlink()
        self.assertIn("lesson blinking: updated title_es, summary_es", load(content_dir=self.root))
        blinking = Lesson.objects.get(slug="blinking")
        self.assertIsNone(blinking.title_es)
        self.assertIsNone(blinking.sources_es)
        response = self.client.get("/es/lessons/blinking/")
        self.assertContains(response, 'class="fallback-note"')
        self.assertContains(response, '<h1 lang="en">Blinking</h1>', html=False)


class TranslatedPagesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("load_lessons", verbosity=0)

    def test_it_shows_a_lesson_in_spanish_and_in_chinese(self):
        response = self.client.get("/es/lessons/blinking/")
        self.assertContains(response, '<h1 lang="es">El parpadeo</h1>')
        self.assertContains(response, 'class="card lesson-body" lang="es"')
        self.assertContains(response, "Li, Chang y Lyu")
        self.assertNotContains(response, 'class="fallback-note"')
        response = self.client.get("/zh-hans/lessons/blinking/")
        self.assertContains(response, '<h1 lang="zh-hans">眨眼</h1>')
        self.assertContains(response, "盯着眼睛看一会儿")
        self.assertNotContains(response, "Watch the eyes")
        self.assertNotContains(response, 'class="fallback-note"')

    def test_the_legal_lesson_lists_the_sources_of_its_language(self):
        response = self.client.get("/es/lessons/labelling-laws/")
        self.assertContains(response, "Tribunal Superior Eleitoral (Brasil)")
        english = self.client.get("/lessons/labelling-laws/")
        self.assertNotContains(english, "Tribunal Superior Eleitoral")

    def test_it_lists_the_lessons_in_the_page_language(self):
        response = self.client.get("/es/lessons/")
        self.assertContains(response, ">El parpadeo</a>")
        self.assertNotContains(response, ">Blinking</a>")
        self.assertContains(self.client.get("/zh-hans/lessons/"), ">眨眼</a>")

    def test_it_shows_the_glossary_in_spanish_and_in_chinese(self):
        response = self.client.get("/es/glossary/")
        self.assertContains(response, '<span lang="es">síntesis profunda</span>')
        self.assertContains(response, "Contenido manipulado sin IA")
        response = self.client.get("/zh-hans/glossary/")
        self.assertContains(response, '<span lang="zh-hans">深度伪造</span>')
        self.assertContains(response, 'id="deepfake"')

    def test_it_links_chinese_terms_inside_chinese_text(self):
        response = self.client.get("/zh-hans/lessons/blinking/")
        # "换脸类的深度伪造是从…": no spaces around either term.
        self.assertContains(
            response, '<a class="glossary-link" href="/zh-hans/glossary/#face-swap">换脸</a>'
        )
        self.assertContains(
            response, '<a class="glossary-link" href="/zh-hans/glossary/#deepfake">深度伪造</a>'
        )

    def test_it_links_spanish_terms_with_accents(self):
        response = self.client.get("/es/lessons/blinking/")
        self.assertContains(
            response,
            '<a class="glossary-link" href="/es/glossary/#face-swap">intercambio de rostros</a>',
        )

    def test_english_pages_stay_english(self):
        response = self.client.get("/lessons/blinking/")
        self.assertContains(response, '<h1 lang="en">Blinking</h1>')
        self.assertContains(response, '<a class="glossary-link" href="/glossary/#face-swap">')
        self.assertNotContains(response, 'class="fallback-note"')


class FallbackTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.lesson = Lesson.objects.create(
            slug="only-english",
            title="Only English",
            kind=LessonKind.HABIT,
            summary="Written in one language.",
            body="A deepfake, in English.",
            sources="Someone (2024)",
        )
        GlossaryTerm.objects.create(
            slug="deepfake",
            term_en="deepfake",
            term_zh_hans="深度伪造",
            definition_en="Media made with deep learning.",
        )

    def test_it_shows_the_english_with_a_note_and_its_language(self):
        for prefix in ("/es", "/zh-hans"):
            response = self.client.get(f"{prefix}/lessons/only-english/")
            self.assertContains(response, 'class="fallback-note"', count=1)
            self.assertContains(response, '<h1 lang="en">Only English</h1>')
            self.assertContains(response, 'class="card lesson-body" lang="en"')
            self.assertContains(response, '<p class="lede" lang="en">Written in one language.</p>')
            listing = self.client.get(f"{prefix}/lessons/")
            self.assertContains(listing, '<h3 lang="en">')
            self.assertContains(listing, 'class="fallback-note"')
        self.assertNotContains(self.client.get("/lessons/only-english/"), 'class="fallback-note"')

    def test_english_text_shown_in_chinese_is_linked_on_its_english_words(self):
        response = self.client.get("/zh-hans/lessons/only-english/")
        self.assertContains(
            response, '<a class="glossary-link" href="/zh-hans/glossary/#deepfake">deepfake</a>'
        )

    def test_the_glossary_notes_an_untranslated_definition(self):
        response = self.client.get("/zh-hans/glossary/")
        # The term is written in Chinese, its definition is not.
        self.assertContains(response, '<span lang="zh-hans">深度伪造</span>')
        self.assertContains(response, '<div lang="en"><p>Media made with deep learning.</p>')
        self.assertContains(response, 'class="fallback-note"', count=1)
        self.assertContains(self.client.get("/es/glossary/"), '<span lang="en">deepfake</span>')


class GlossaryLinkTestCase(TestCase):
    def link(self, text: str, *terms: TermLink) -> str:
        return link_terms(render_markdown(text), terms)

    def test_it_links_a_chinese_term_with_no_spaces_around_it(self):
        html = self.link("早期的深度伪造很少眨眼。", TermLink("d", "/g#d", ("深度伪造",)))
        self.assertIn('早期的<a class="glossary-link" href="/g#d">深度伪造</a>很少', html)

    def test_it_links_a_latin_spelling_inside_chinese_text_but_not_inside_a_word(self):
        term = TermLink("gan", "/g#gan", ("GAN",))
        self.assertIn(
            '用<a class="glossary-link" href="/g#gan">GAN</a>生成', self.link("用GAN生成", term)
        )
        self.assertNotIn("glossary-link", self.link("Degan and organic.", term))

    def test_of_two_terms_at_one_place_it_links_the_longer(self):
        html = self.link(
            "深度合成技术很常见。",
            TermLink("short", "/g#short", ("深度",)),
            TermLink("long", "/g#long", ("深度合成技术",)),
        )
        self.assertIn('href="/g#long">深度合成技术</a>', html)
        self.assertNotIn("/g#short", html)

    def test_it_links_spanish_accents_and_plurals(self):
        term = TermLink("s", "/g#s", ("edición engañosa",))
        # The accents typed as a letter plus a combining mark still match.
        html = self.link("Una edicio\u0301n engan\u0303osa.", term)
        self.assertIn('<a class="glossary-link" href="/g#s">edición engañosa</a>', html)
        voice = TermLink("v", "/g#v", ("clon de voz",))
        self.assertIn('href="/g#v">clones de voz</a>', self.link("Los clones de voz.", voice))


class LessonEditorLanguagesTestCase(BaseTestCase):
    form = {
        "title_en": "Background tells",
        "title_es": "Fondos",
        "title_zh_hans": "",
        "slug": "background-tells",
        "kind": "tell",
        "tell_category": "background",
        "technique": "",
        "summary_en": "Warped walls.",
        "summary_es": "",
        "summary_zh_hans": "",
        "body_en": "Look **behind** the person.",
        "body_es": "Mira **detrás** de la persona.",
        "body_zh_hans": "",
        "sources_en": "Someone (2020)",
        "sources_es": "",
        "sources_zh_hans": "",
        "position": "100",
        "is_published": "on",
    }

    def test_it_saves_each_language_and_leaves_empty_ones_untranslated(self):
        self.client.force_login(self.curator)
        page = self.client.get("/lessons/new/")
        self.assertContains(page, 'name="body_zh_hans"')
        self.assertContains(page, '<fieldset class="language-fields" lang="es">')
        # The field's own name as label (the fieldset names the language), its case kept.
        self.assertContains(page, '<label for="id_body_es">Text (Markdown):</label>')
        response = self.client.post("/lessons/new/", self.form)
        self.assertRedirects(response, "/lessons/background-tells/")
        lesson = Lesson.objects.get(slug="background-tells")
        self.assertEqual((lesson.title_en, lesson.title_es), ("Background tells", "Fondos"))
        self.assertIsNone(lesson.title_zh_hans)
        self.assertIsNone(lesson.sources_es)
        self.assertTrue(lesson.edited_in_site)
        spanish = self.client.get("/es/lessons/background-tells/")
        self.assertContains(spanish, '<h1 lang="es">Fondos</h1>')
        self.assertContains(spanish, "<strong>detrás</strong>")
        self.assertContains(spanish, "Someone (2020)")  # the English list, shared

    def test_clearing_a_translation_in_its_own_language_makes_it_fall_back(self):
        self.client.force_login(self.curator)
        self.client.post("/lessons/new/", self.form)
        # Edited from the Spanish site, where the bare field would be the Spanish one.
        response = self.client.post(
            "/es/lessons/background-tells/edit/", {**self.form, "title_es": "", "body_es": ""}
        )
        self.assertRedirects(response, "/es/lessons/background-tells/")
        lesson = Lesson.objects.get(slug="background-tells")
        self.assertEqual((lesson.title_es, lesson.body_es), (None, None))
        self.assertEqual(lesson.title_en, "Background tells")
        page = self.client.get("/es/lessons/background-tells/")
        self.assertContains(page, 'class="fallback-note"')
        self.assertContains(page, '<h1 lang="en">Background tells</h1>')

    def test_it_requires_the_english_text_only(self):
        self.client.force_login(self.curator)
        form = {**self.form, "title_en": "", "body_en": "", "sources_en": ""}
        response = self.client.post("/lessons/new/", form)
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertEqual(set(errors), {"title_en", "body_en", "sources_en"})
        self.assertFalse(Lesson.objects.exists())

    def test_staff_see_which_translations_are_missing(self):
        self.client.force_login(self.curator)
        self.client.post("/lessons/new/", self.form)
        page = self.client.get("/lessons/background-tells/")
        self.assertContains(page, 'class="missing-translations"')
        self.assertContains(page, '<span lang="zh-hans">简体中文</span>')
        self.assertContains(self.client.get("/lessons/"), 'class="missing-translations"')
        # Learners are not shown the curators' list.
        self.client.force_login(make_user("learner"))
        self.assertNotContains(
            self.client.get("/lessons/background-tells/"), 'class="missing-translations"'
        )


class AdminLanguagesTestCase(TestCase):
    def test_the_admin_has_a_field_per_language_and_no_bare_one(self):
        call_command("load_lessons", verbosity=0)
        admin = make_user("root", is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        term = GlossaryTerm.objects.get(slug="deepfake")
        page = self.client.get(f"/admin/lessons/glossaryterm/{term.pk}/change/")
        self.assertContains(page, 'name="term_zh_hans"')
        self.assertNotContains(page, 'name="term"')
        lesson = Lesson.objects.get(slug="blinking")
        page = self.client.get(f"/admin/lessons/lesson/{lesson.pk}/change/")
        self.assertContains(page, 'name="body_es"')
