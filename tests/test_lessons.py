from __future__ import annotations

from django.core.management import call_command
from django.test import TestCase

from lessons.markdown import TermLink, link_terms, render_markdown
from lessons.models import GlossaryTerm, Lesson, LessonKind
from media_library.models import PublicationState, Technique, TellCategory, Verdict
from quiz.models import Attempt, ItemKind
from tests.base import BaseTestCase
from tests.factories import add_tell, make_item, make_user, quizzable_clip


def make_lesson(slug: str = "blinking", **fields) -> Lesson:
    fields.setdefault("title", slug.replace("-", " ").title())
    fields.setdefault("kind", LessonKind.TELL)
    fields.setdefault("body", "Look at the eyes.")
    fields.setdefault("sources", "Li, Chang & Lyu (2018)")
    return Lesson.objects.create(slug=slug, **fields)


class RenderingTestCase(TestCase):
    def test_it_strips_scripts_event_handlers_and_javascript_links(self):
        html = render_markdown(
            "Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
            '[click](javascript:alert(1)) <a href="javascript:alert(2)" onclick="x()">b</a>'
        )
        self.assertNotIn("<script", html)
        self.assertNotIn("onerror", html)
        self.assertNotIn("onclick", html)
        self.assertNotIn("javascript:", html)
        self.assertNotIn("<img", html)

    def test_it_keeps_ordinary_markdown(self):
        html = render_markdown("## Look\n\n- **one**\n- [two](https://example.org/)")
        self.assertIn("<h2>Look</h2>", html)
        self.assertIn("<strong>one</strong>", html)
        self.assertIn('href="https://example.org/"', html)

    def test_it_links_a_glossary_term_once_and_not_in_headings_or_links(self):
        terms = [
            TermLink("deepfake", "/glossary/#deepfake", ("deepfake",)),
            TermLink("shallowfake", "/glossary/#shallowfake", ("shallowfake", "cheap fake")),
        ]
        html = link_terms(
            render_markdown(
                "## Deepfakes\n\n[a deepfake](https://example.org/) here.\n\n"
                "Deepfakes and cheap fakes. Another deepfake."
            ),
            terms,
        )
        self.assertIn("<h2>Deepfakes</h2>", html)
        self.assertIn(
            '<a href="https://example.org/" rel="noopener noreferrer">a deepfake</a>', html
        )
        self.assertEqual(html.count("#deepfake"), 1)
        self.assertIn('<a class="glossary-link" href="/glossary/#deepfake">Deepfakes</a> and', html)
        self.assertIn('href="/glossary/#shallowfake">cheap fakes</a>', html)

    def test_it_links_glossary_terms_in_a_lesson_body(self):
        GlossaryTerm.objects.create(term="liar's dividend", slug="liars-dividend", definition="x")
        lesson = make_lesson(body="The liar's dividend pays. The liar's dividend again.")
        html = lesson.rendered_body()
        self.assertEqual(html.count('href="/glossary/#liars-dividend"'), 1)


class LessonPageTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.lesson = make_lesson("face-edges", tell_category=TellCategory.FACE_EDGES)
        cls.fake = quizzable_clip(
            "Swapped face", Verdict.DEEPFAKE, technique=Technique.FACE_SWAP, teaching_example=True
        )
        add_tell(cls.fake, TellCategory.FACE_EDGES, explanation="The jaw line smears.")
        cls.other = quizzable_clip("Slowed speech", Verdict.SHALLOWFAKE, teaching_example=True)
        add_tell(cls.other, TellCategory.SPEED_CHANGE, explanation="Everything drags.")
        cls.draft = quizzable_clip("Unpublished swap", Verdict.DEEPFAKE)
        add_tell(cls.draft, TellCategory.FACE_EDGES, explanation="Draft tell.")
        make_item(cls.draft, ItemKind.VERDICT)
        cls.draft.publication_state = PublicationState.DRAFT
        cls.draft.save(update_fields=["publication_state"])
        cls.item = make_item(cls.fake, ItemKind.VERDICT)
        cls.other_item = make_item(cls.other, ItemKind.VERDICT)

    def test_it_lists_published_examples_of_its_tell_and_not_drafts(self):
        response = self.client.get("/lessons/face-edges/")
        self.assertContains(response, "Swapped face")
        self.assertContains(response, "The jaw line smears.")
        self.assertContains(response, "Manipulated media")
        self.assertNotContains(response, "Unpublished swap")
        self.assertNotContains(response, "Slowed speech")

    def test_it_draws_practice_items_of_its_tell_only(self):
        quiz = self.lesson.practice_quiz()
        self.assertEqual(list(quiz.pool()), [self.item])
        self.assertEqual(quiz.pool_tell_category, TellCategory.FACE_EDGES)
        self.assertTrue(quiz.is_published)
        self.assertEqual(self.lesson.practice_quiz(), quiz)  # made once

    def test_it_lets_a_learner_start_the_practice_quiz(self):
        response = self.client.get("/lessons/face-edges/")
        quiz = response.context["practice_quiz"]
        self.assertContains(response, f"/quizzes/{quiz.slug}/start/")
        response = self.client.post(f"/quizzes/{quiz.slug}/start/")
        attempt = Attempt.objects.get()
        self.assertRedirects(response, f"/attempts/{attempt.uid}/items/1/")
        self.assertEqual([e.item for e in attempt.entries.all()], [self.item])

    def test_it_shows_a_technique_lesson_its_technique(self):
        make_lesson("speed", kind=LessonKind.TECHNIQUE, technique=Technique.SPEED_CHANGE)
        self.other.technique = Technique.SPEED_CHANGE
        self.other.save()
        response = self.client.get("/lessons/speed/")
        self.assertContains(response, "Slowed speech")
        self.assertNotContains(response, "Swapped face")
        self.assertEqual(list(response.context["practice_quiz"].pool()), [self.other_item])

    def test_it_says_so_when_the_library_has_nothing(self):
        make_lesson("blinking", tell_category=TellCategory.BLINKING)
        response = self.client.get("/lessons/blinking/")
        self.assertContains(response, "The library has no published examples of this yet.")
        self.assertContains(response, "No practice yet")
        self.assertIsNone(response.context["practice_quiz"])

    def test_it_shows_sources_and_the_list_grouped_by_kind(self):
        make_lesson("lateral", kind=LessonKind.HABIT, title="Lateral reading")
        response = self.client.get("/lessons/face-edges/")
        self.assertContains(response, "Li, Chang &amp; Lyu (2018)")
        response = self.client.get("/lessons/")
        self.assertContains(response, "Habits of careful checkers")
        self.assertContains(response, "Lateral reading")

    def test_it_hides_a_draft_lesson_from_learners(self):
        make_lesson("secret", is_published=False)
        self.assertEqual(self.client.get("/lessons/secret/").status_code, 404)
        self.client.force_login(self.curator)
        self.assertEqual(self.client.get("/lessons/secret/").status_code, 200)

    def test_it_renders_the_glossary_with_anchors(self):
        GlossaryTerm.objects.create(term="GAN", slug="gan", definition="Two *networks*.")
        response = self.client.get("/glossary/")
        self.assertContains(response, '<dt id="gan">')
        self.assertContains(response, "<em>networks</em>")


class LessonEditingTestCase(BaseTestCase):
    form = {
        "title_en": "Background tells",
        "slug": "background-tells",
        "kind": "tell",
        "tell_category": "background",
        "technique": "",
        "summary_en": "Warped walls.",
        "body_en": "Look **behind** the person.",
        "sources_en": "Someone (2020)",
        "position": "100",
        "is_published": "on",
    }

    def test_it_lets_a_curator_add_a_lesson(self):
        self.client.force_login(self.curator)
        response = self.client.post("/lessons/new/", self.form)
        self.assertRedirects(response, "/lessons/background-tells/")
        self.assertTrue(Lesson.objects.get(slug="background-tells").edited_in_site)

    def test_it_lets_staff_edit_and_marks_the_lesson_edited_in_site(self):
        call_command("load_lessons", stdout=None, verbosity=0)
        staff = make_user("staffer", is_staff=True)
        self.client.force_login(staff)
        self.assertEqual(self.client.get("/lessons/blinking/edit/").status_code, 200)
        form = {**self.form, "slug": "blinking", "tell_category": "blinking"}
        self.client.post("/lessons/blinking/edit/", form)
        lesson = Lesson.objects.get(slug="blinking")
        self.assertTrue(lesson.edited_in_site)
        self.assertEqual(lesson.title, "Background tells")
        call_command("load_lessons", verbosity=0)
        self.assertEqual(Lesson.objects.get(slug="blinking").title, "Background tells")

    def test_it_refuses_a_student(self):
        make_lesson()
        self.client.force_login(self.student)
        self.assertEqual(self.client.get("/lessons/new/").status_code, 403)
        self.assertEqual(self.client.post("/lessons/blinking/edit/", self.form).status_code, 403)

    def test_it_sends_anonymous_visitors_to_log_in(self):
        make_lesson()
        response = self.client.get("/lessons/blinking/edit/")
        self.assertRedirects(response, "/accounts/login/?next=/lessons/blinking/edit/")
