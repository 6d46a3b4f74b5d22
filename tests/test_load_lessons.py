from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.utils.html import escape

from lessons.content_files import glossary_files, lesson_files
from lessons.models import GlossaryTerm, Lesson, LessonKind
from media_library.models import TellCategory

GLOSSARY = {
    "deepfake", "deep synthesis", "shallowfake", "GAN", "face swap", "reenactment", "lip sync",
    "voice clone", "provenance", "watermark", "C2PA", "liar's dividend",
}  # fmt: skip


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_lessons", *args, stdout=out)
    return out.getvalue()


class LoadLessonsTestCase(TestCase):
    def test_it_creates_every_lesson_and_glossary_term(self):
        output = load()
        self.assertEqual(Lesson.objects.count(), len(lesson_files()))
        self.assertGreaterEqual(Lesson.objects.count(), 20)
        self.assertEqual(set(GlossaryTerm.objects.values_list("term", flat=True)), GLOSSARY)
        self.assertIn("20 lessons created", output)
        self.assertTrue(Lesson.objects.filter(kind=LessonKind.HABIT).exists())

    def test_it_is_idempotent(self):
        load()
        stamps = dict(Lesson.objects.values_list("slug", "updated_at"))
        output = load()
        self.assertIn("20 lessons unchanged", output)
        self.assertEqual(dict(Lesson.objects.values_list("slug", "updated_at")), stamps)

    def test_it_updates_a_lesson_whose_file_changed(self):
        load()
        Lesson.objects.filter(slug="blinking").update(body="old text")
        self.assertIn("1 lesson updated", load())
        self.assertIn("Li, Chang and Lyu", Lesson.objects.get(slug="blinking").body)

    def test_it_keeps_a_lesson_edited_in_the_site(self):
        load()
        Lesson.objects.filter(slug="blinking").update(body="Our own words.", edited_in_site=True)
        output = load()
        self.assertIn("blinking: edited in the site, left alone", output)
        self.assertEqual(Lesson.objects.get(slug="blinking").body, "Our own words.")

    def test_it_writes_nothing_on_a_dry_run(self):
        output = load("--dry-run")
        self.assertIn("Dry run", output)
        self.assertFalse(Lesson.objects.exists())
        self.assertFalse(GlossaryTerm.objects.exists())

    def test_it_gives_every_tell_category_with_a_lesson_a_tell_lesson(self):
        load()
        for category in TellCategory:
            if category == TellCategory.BACKGROUND:
                continue  # no lesson yet (see docs/lessons.md)
            lesson = Lesson.objects.for_tell(category)
            self.assertIsNotNone(lesson, category)
        self.assertEqual(Lesson.objects.for_tell(TellCategory.BLINKING).slug, "blinking")
        self.assertEqual(Lesson.objects.for_tell(TellCategory.SPEED_CHANGE).slug, "speed-changes")
        self.assertIsNone(Lesson.objects.for_tell(""))


class ContentFilesTestCase(TestCase):
    def test_it_finds_at_least_one_source_in_every_lesson_file(self):
        for file in lesson_files():
            self.assertTrue(file.lines("sources"), file.name)

    def test_it_finds_a_source_for_every_glossary_term(self):
        for file in glossary_files():
            self.assertTrue(file.lines("sources"), file.name)

    def test_it_keeps_explainers_short(self):
        for file in lesson_files():
            words = len(file.body.split())
            self.assertTrue(150 <= words <= 350, f"{file.name}: {words} words")


class LoadedPagesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("load_lessons", verbosity=0)

    def test_it_serves_every_loaded_lesson_with_its_sources_and_glossary_links(self):
        for lesson in Lesson.objects.all():
            response = self.client.get(lesson.get_absolute_url())
            self.assertEqual(response.status_code, 200, lesson.slug)
            self.assertContains(response, escape(lesson.source_list[0]))
        response = self.client.get("/lessons/how-deepfakes-are-made/")
        self.assertContains(response, 'class="glossary-link" href="/glossary/#gan"', count=1)
        self.assertContains(self.client.get("/lessons/"), "Why detectors fail")
        self.assertContains(self.client.get("/glossary/"), 'id="liars-dividend"')
