"""The clip library in three languages: curators write a clip's title, transcript, captions and
tell explanations per language and see what is left to translate; learners read them in the
page's language, with a note and `lang="en"` where the English shows instead; players get a
captions track per language without any new way to learn a clip's truth before answering."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import translation

from lessons.models import Lesson, LessonKind
from media_library.models import Clip, TellCategory, Verdict
from tests.base import BaseTestCase
from tests.factories import (
    add_tell,
    answer_key,
    make_item,
    make_quiz,
    quizzable_clip,
    ready_clip,
    start,
)

VTT = {
    "en": "WEBVTT\n\n00:00.000 --> 00:02.000\nThe mayor speaks.",
    "es": "WEBVTT\n\n00:00.000 --> 00:02.000\nHabla la alcaldesa.",
    "zh-hans": "WEBVTT\n\n00:00.000 --> 00:02.000\n市长在讲话。",
}


def translated_clip(**fields) -> Clip:
    return quizzable_clip(
        "Mayor face swap",
        Verdict.DEEPFAKE,
        title_es="Cambio de cara de la alcaldesa",
        title_zh_hans="市长换脸",
        transcript="I never said that.",
        transcript_es="Nunca dije eso.",
        transcript_zh_hans="我从没说过那句话。",
        captions_vtt=VTT["en"],
        captions_vtt_es=VTT["es"],
        captions_vtt_zh_hans=VTT["zh-hans"],
        **fields,
    )


def tracks(page: str) -> list[dict]:
    """The <track> elements of a page, as dicts of their attributes."""
    found = []
    for tag in re.findall(r"<track [^>]*>", page):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        attrs["default"] = bool(re.search(r"\sdefault[\s>]", tag))
        found.append(attrs)
    return found


class EnglishFirstTestCase(BaseTestCase):
    """Each test starts in English: the test client's requests run in this thread, so the last
    page's language would otherwise still be active, and `reverse` would add its prefix."""

    def setUp(self) -> None:
        super().setUp()
        translation.activate("en")
        self.addCleanup(translation.activate, "en")


class LearnerPagesTestCase(EnglishFirstTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.clip = translated_clip()
        add_tell(
            cls.clip,
            TellCategory.FACE_EDGES,
            explanation="The jaw line smears.",
            explanation_es="La línea de la mandíbula se emborrona.",
            explanation_zh_hans="下颌线模糊。",
        )
        cls.english_only = quizzable_clip("Harbour at dawn", transcript="Gulls call.")
        add_tell(cls.english_only, TellCategory.FACE_EDGES, explanation="Nothing is wrong here.")
        cls.quiz = make_quiz([make_item(cls.clip)])
        cls.english_quiz = make_quiz([make_item(cls.english_only)], title="Harbour")

    def answer(self, quiz) -> str:
        attempt = start(self.client, quiz)
        self.client.post(
            f"/attempts/{attempt.uid}/items/1/answer/",
            {
                "key": answer_key(self.client, attempt, 1),
                "verdict": "deepfake",
                "confidence": "70",
            },
        )
        return str(attempt.uid)

    def test_it_shows_the_reveal_in_spanish_and_in_chinese(self) -> None:
        uid = self.answer(self.quiz)
        for prefix, title, explanation in (
            ("/es", "Cambio de cara de la alcaldesa", "La línea de la mandíbula se emborrona."),
            ("/zh-hans", "市长换脸", "下颌线模糊。"),
        ):
            with self.subTest(prefix):
                page = self.client.get(f"{prefix}/attempts/{uid}/items/1/").content.decode()
                self.assertIn(title, page)
                self.assertIn(explanation, page)
                self.assertNotIn("Mayor face swap", page)
                self.assertNotIn("The jaw line smears.", page)
                # Every text is written in the page's language: no note.
                self.assertNotIn('class="fallback-note"', page)

    def test_the_reveal_has_a_captions_track_per_language_the_pages_on(self) -> None:
        uid = self.answer(self.quiz)
        for prefix, language in (("", "en"), ("/es", "es"), ("/zh-hans", "zh-hans")):
            with self.subTest(language):
                page = self.client.get(f"{prefix}/attempts/{uid}/items/1/").content.decode()
                found = tracks(page)
                self.assertEqual([t["srclang"] for t in found], ["en", "es", "zh-hans"])
                self.assertEqual([t["label"] for t in found], ["English", "Español", "简体中文"])
                self.assertEqual([t["srclang"] for t in found if t["default"]], [language])
                # Each track serves its own language's captions, through the attempt's URL.
                for track in found:
                    src = track["src"].replace("&amp;", "&")
                    self.assertIn(f"/attempts/{uid}/", src)
                    body = self.client.get(src).content.decode()
                    self.assertEqual(body, VTT[track["srclang"]])

    def test_the_question_serves_captions_per_language_without_naming_the_clip(self) -> None:
        attempt = start(self.client, self.quiz)
        page = self.client.get(f"/es/attempts/{attempt.uid}/items/1/").content.decode()
        found = tracks(page)
        self.assertEqual([t["srclang"] for t in found if t["default"]], ["es"])
        for track in found:
            # The attempt's own address, nothing of the clip's: no uid, no ?v= (a hash of the
            # captions would be the same in every attempt and so tie the URL to the clip).
            self.assertNotIn(str(self.clip.uid), track["src"])
            self.assertNotIn("?v=", track["src"])
            response = self.client.get(track["src"])
            self.assertEqual(response.content.decode(), VTT[track["srclang"]])
            self.assertEqual(response["Cache-Control"], "private, no-store")
        # The transcript is in the page's language; the title (not shown before) stays out.
        self.assertIn("Nunca dije eso.", page)
        self.assertNotIn("Cambio de cara", page)
        self.assertNotIn("Mayor face swap", page)
        base = f"/attempts/{attempt.uid}/items/1/a/"
        self.assertEqual(self.client.get(base + "captions-fr/").status_code, 404)

    def test_a_missing_translation_shows_the_english_with_a_note_and_its_lang(self) -> None:
        attempt = start(self.client, self.english_quiz)
        question = self.client.get(f"/es/attempts/{attempt.uid}/items/1/").content.decode()
        self.assertIn('class="fallback-note"', question)
        self.assertIn('<p lang="en">Gulls call.</p>', question)
        # Only English captions or none: never a track labelled with a language it is not in.
        self.assertEqual(tracks(question), [])
        uid = self.answer(self.english_quiz)
        reveal = self.client.get(f"/zh-hans/attempts/{uid}/items/1/").content.decode()
        self.assertIn('<h2 class="clip-title" lang="en">Harbour at dawn</h2>', reveal)
        self.assertIn('<p lang="en">Nothing is wrong here.</p>', reveal)
        self.assertEqual(reveal.count('class="fallback-note"'), 2)  # the title, the tell
        # In English nothing falls back.
        english = self.client.get(f"/attempts/{uid}/items/1/").content.decode()
        self.assertNotIn('class="fallback-note"', english)

    def test_a_lessons_examples_show_in_the_pages_language(self) -> None:
        self.clip.teaching_example = True
        self.clip.save(update_fields=["teaching_example"])
        Lesson.objects.create(
            slug="face-edges",
            title="Face edges",
            kind=LessonKind.TELL,
            tell_category=TellCategory.FACE_EDGES,
            body="Look at the edge of the face.",
        )
        page = self.client.get("/zh-hans/lessons/face-edges/").content.decode()
        self.assertIn("市长换脸", page)
        self.assertIn("下颌线模糊。", page)
        self.assertNotIn("The jaw line smears.", page)

    def test_the_library_captions_route_serves_each_language_and_keeps_its_access_rule(
        self,
    ) -> None:
        url = reverse("media_library:clip-captions-language", args=[self.clip.uid, "es"])
        # Published but kept for tests: no public file, in any language.
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.student)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.teacher)
        self.assertEqual(self.client.get(url).content.decode(), VTT["es"])
        other = reverse("media_library:clip-captions-language", args=[self.clip.uid, "fr"])
        self.assertEqual(self.client.get(other).status_code, 404)
        # A language without captions has no file rather than the English one.
        missing = reverse(
            "media_library:clip-captions-language", args=[self.english_only.uid, "es"]
        )
        self.assertEqual(self.client.get(missing).status_code, 404)


class CuratorTestCase(EnglishFirstTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.curator)
        self.clip = ready_clip("Old title")
        self.url = reverse("media_library:clip-edit", args=[self.clip.slug])

    def data(self, **overrides) -> dict:
        data = {
            "title": "Harbour interview",
            "title_es": "Entrevista en el puerto",
            "title_zh_hans": "港口采访",
            "verdict": Verdict.REAL,
            "technique": "none",
            "original": "",
            "source_url": "",
            "licence": "CC0",
            "attribution": "",
            "depicts_people": "false",
            "depicts_public_figure": "unknown",
            "consent_on_file": "",
            "consent_notes": "",
            "content_notes": "",
            "language": "en",
            "transcript": "Welcome.",
            "transcript_es": "Bienvenidos.",
            "transcript_zh_hans": "",
            "captions_vtt": VTT["en"],
            "captions_vtt_es": VTT["es"],
            "captions_vtt_zh_hans": "",
        }
        data.update(overrides)
        return data

    def test_the_edit_form_saves_each_languages_texts(self) -> None:
        # From the Spanish pages: the plain fields are still the English text.
        response = self.client.post(f"/es{self.url}", self.data())
        self.assertEqual(response.status_code, 302)
        clip = Clip.objects.get(pk=self.clip.pk)
        self.assertEqual(
            (clip.title_en, clip.title_es, clip.title_zh_hans),
            ("Harbour interview", "Entrevista en el puerto", "港口采访"),
        )
        self.assertEqual((clip.transcript_en, clip.transcript_es), ("Welcome.", "Bienvenidos."))
        self.assertEqual((clip.captions_vtt_es, clip.captions_vtt_zh_hans), (VTT["es"], ""))
        # Left empty, a translation is empty: not a copy of the English.
        self.assertEqual(clip.transcript_zh_hans, "")

    def test_the_edit_form_shows_every_language_and_english_only_is_required(self) -> None:
        page = self.client.get(self.clip.get_absolute_url()).content.decode()
        for name in ("title_es", "title_zh_hans", "transcript_es", "captions_vtt_zh_hans"):
            self.assertIn(f'name="{name}"', page)
        self.assertRegex(page, r'<input type="text" name="title"[^>]*lang="en"[^>]*required')
        self.assertRegex(page, r'<input type="text" name="title_es"[^>]*lang="es"')
        self.assertNotRegex(page, r'name="title_es"[^>]*required')
        response = self.client.post(self.url, self.data(title="", title_es="Solo en español"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Clip.objects.get(pk=self.clip.pk).title_en, "Old title")

    def test_each_languages_captions_must_be_webvtt(self) -> None:
        for name in ("captions_vtt_es", "captions_vtt_zh_hans"):
            with self.subTest(name):
                data = self.data(**{name: "1\n00:00:00,000 --> 00:00:01,000\nHola"})
                response = self.client.post(self.url, data)
                self.assertContains(response, "Captions must be WebVTT")
                self.assertFalse(getattr(Clip.objects.get(pk=self.clip.pk), name))

    def test_the_clip_page_lists_the_missing_translations(self) -> None:
        self.client.post(self.url, self.data())
        add_tell(self.clip, explanation="The jaw smears.", explanation_es="La mandíbula.")
        page = self.client.get(self.clip.get_absolute_url()).content.decode()
        # The clip lacks its Chinese transcript and captions, the tell its Chinese explanation;
        # Spanish has everything.
        self.assertIn("简体中文</span>: transcript, captions (WebVTT)", page)
        self.assertIn("简体中文</span>: explanation", page)
        self.assertNotIn("Español</span>:", page)
        # Where the translations are all written, the page says so.
        self.client.post(
            self.url, self.data(transcript_zh_hans="欢迎。", captions_vtt_zh_hans=VTT["zh-hans"])
        )
        page = self.client.get(self.clip.get_absolute_url()).content.decode()
        self.assertNotIn("简体中文</span>: transcript", page)
        self.assertIn("Written in every language.", page)

    def test_the_clip_list_marks_and_filters_clips_missing_translations(self) -> None:
        done = ready_clip(
            "All done", title_es="Todo hecho", title_zh_hans="全部完成", transcript=""
        )
        tell_only = ready_clip("Tell to translate", title_es="Pista", title_zh_hans="线索")
        add_tell(tell_only, explanation="The eyes.", explanation_es="Los ojos.")
        list_url = reverse("media_library:clip-list")
        page = self.client.get(list_url).content.decode()
        self.assertEqual(page.count('class="badge badge-untranslated"'), 2)
        self.assertIn("Not yet in Español, 简体中文", page)
        for choice, expected in (
            ("missing", {"Old title", "Tell to translate"}),
            ("es", {"Old title"}),
            ("zh-hans", {"Old title", "Tell to translate"}),
            ("", {"Old title", "Tell to translate", "All done"}),
        ):
            with self.subTest(choice):
                response = self.client.get(list_url, {"translation": choice})
                titles = {clip.title for clip in response.context["clips"]}
                self.assertEqual(titles, expected)
        self.assertIsNotNone(done)

    def test_the_tell_form_saves_each_languages_explanation(self) -> None:
        url = reverse("media_library:tell-create", args=[self.clip.slug])
        data = {
            "category": TellCategory.BLINKING,
            "start_seconds": "1",
            "end_seconds": "2",
            "explanation": "The eyes never close.",
            "explanation_es": "Los ojos nunca se cierran.",
            "explanation_zh_hans": "眼睛从不闭合。",
        }
        self.client.post(f"/zh-hans{url}", data)
        tell = self.clip.tells.get()
        self.assertEqual(
            (tell.explanation_en, tell.explanation_es, tell.explanation_zh_hans),
            ("The eyes never close.", "Los ojos nunca se cierran.", "眼睛从不闭合。"),
        )
        edit = self.client.get(reverse("media_library:tell-edit", args=[tell.pk]))
        self.assertContains(edit, "Los ojos nunca se cierran.")
        self.assertContains(edit, 'name="explanation_zh_hans"')

    def test_erasing_for_withdrawn_consent_clears_every_language(self) -> None:
        self.client.post(self.url, self.data())
        clip = Clip.objects.get(pk=self.clip.pk)
        clip.erase_for_withdrawn_consent(self.curator)
        clip = Clip.objects.get(pk=self.clip.pk)
        for code in ("en", "es", "zh_hans"):
            with self.subTest(code):
                self.assertNotIn("Harbour", getattr(clip, f"title_{code}"))
                self.assertNotIn("puerto", getattr(clip, f"title_{code}"))
                self.assertEqual(getattr(clip, f"transcript_{code}"), "")
                self.assertEqual(getattr(clip, f"captions_vtt_{code}"), "")
