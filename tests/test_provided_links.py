"""Links a lower app's page shows to a higher app's pages (media_library/links.py): the lessons
app provides them, and without a provider the page shows nothing and still renders."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import SimpleTestCase

from lessons.models import Lesson, LessonKind
from media_library import links
from tests.base import BaseTestCase


def without(name: str, test) -> None:
    """Unregister a provider for the rest of test, putting it back afterwards."""
    provider = links.unregister(name)
    test.addCleanup(links.register, name, provider)


class RegistryTests(SimpleTestCase):
    def test_it_resolves_a_registered_provider_with_its_arguments(self):
        calls = []

        def provider(*args):
            calls.append(args)
            return links.Link("/somewhere/", "Somewhere")

        without("test-link", self)
        links.register("test-link", provider)
        self.assertEqual(links.resolve("test-link", "a", 2), links.Link("/somewhere/", "Somewhere"))
        self.assertEqual(calls, [("a", 2)])

    def test_it_resolves_nothing_without_a_provider(self):
        self.assertIsNone(links.resolve("no-such-link", "a"))


def summary(reason_category: str = "face_edges") -> str:
    """The detector summary for one abstaining family with one reason naming a tell."""
    family = {
        "name": "face",
        "label": "Face manipulation",
        "abstained": True,
        "why": "too few frames",
        "reasons": [
            {
                "text": "The face edge flickers",
                "start": None,
                "tell": "Face edges & flicker",
                "category": reason_category,
            },
        ],
    }
    return render_to_string(
        "media_library/detector/summary.html",
        {"analysis": {"calibrated": True}, "families": [family], "player_id": ""},
    )


class DetectorSummaryLessonLinkTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.lesson = Lesson.objects.create(
            slug="face-edges",
            title="Face edges and flicker",
            kind=LessonKind.TELL,
            tell_category="face_edges",
            body="Look at the edge of the face.",
        )

    def test_a_reason_links_the_lesson_for_its_tell(self):
        html = summary()
        self.assertIn(f'class="badge lesson-link" href="{self.lesson.get_absolute_url()}"', html)
        self.assertIn("Lesson: Face edges &amp; flicker", html)

    def test_a_reason_with_no_lesson_names_its_tell_without_a_link(self):
        html = summary("lighting")
        self.assertNotIn("lesson-link", html)
        self.assertIn('<span class="badge">Face edges &amp; flicker</span>', html)

    def test_without_the_lessons_provider_it_shows_the_tell_and_no_link(self):
        without(links.LESSON_FOR_TELL, self)
        html = summary()
        self.assertIn("The face edge flickers", html)
        self.assertNotIn("lesson-link", html)
        self.assertNotIn(self.lesson.get_absolute_url(), html)
        self.assertIn('<span class="badge">Face edges &amp; flicker</span>', html)
