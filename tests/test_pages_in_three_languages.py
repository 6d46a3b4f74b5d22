"""Every page of every journey, rendered in Spanish and in Chinese, has no English left.

What a reader meets is checked: the visible text and the attribute texts a user reads or
hears (title, aria-label, placeholder, alt, a button's value), without <script>/<style> and
without elements marked lang="en" (content that is shown in English on purpose, as a fallback
with its note, or a language's own name in the switcher). Two signs of English are looked for:
a sentence of the catalogue (four words or more, translated into something else) appearing
verbatim, so an untranslated or unwrapped template string; and English function words ("the",
"and", "your"…) as whole words. The fixtures are written in Spanish and Chinese (names, titles,
explanations) or carry their own translations, so English can only come from the code."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib
from django.conf import settings
from django.test import Client, SimpleTestCase, TestCase
from django.utils import timezone

from campaigns.models import Campaign, CampaignText, Participation
from lessons.models import Classroom, GlossaryTerm, Lesson, LessonKind, PrePost
from media_library.models import (
    AnalysisStatus,
    ClipAnalysis,
    Technique,
    Verdict,
)
from media_library.roles import Role
from quiz.models import Attempt, ItemKind, Mode
from tests.factories import (
    add_tell,
    assign,
    make_item,
    make_quiz,
    make_teacher,
    make_user,
    quizzable_clip,
)

LANGUAGES = {"es": "es", "zh-hans": "zh_Hans"}  # address prefix → catalogue folder

# English words that no Spanish or Chinese sentence uses as a word of its own ("a", "no", "de",
# "has" and "me" are Spanish too, so they are not here).
FUNCTION_WORDS = (
    "the",
    "and",
    "you",
    "your",
    "with",
    "this",
    "that",
    "for",
    "are",
    "not",
    "have",
    "of",
    "to",
    "is",
    "it",
    "from",
    "was",
    "will",
    "yet",
    "an",
    "or",
    "in",
    "on",
    "by",
    "at",
    "as",
    "if",
    "be",
    "we",
    "our",
    "can",
)
# Whole words: not inside a longer Latin word ("así" holds no "as"); lowercase or capitalised
# only, so an abbreviation ("CC BY 4.0") is not a word.
LATIN_LETTER = r"A-Za-z\u00c0-\u024f'\u2019"
ENGLISH_WORD = re.compile(
    rf"(?<![{LATIN_LETTER}])("
    + "|".join(w for word in FUNCTION_WORDS for w in (word, word.capitalize()))
    + rf")(?![{LATIN_LETTER}])"
)
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0\- +]*\d*(?:\.\d+)?[a-zA-Z%]")
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
SKIPPED = {"script", "style", "template"}


class ReaderText(HTMLParser):
    """The texts of a page a reader meets, leaving out elements in English on purpose."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped from here down)

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        skip = self.skipping or tag in SKIPPED or (attrs.get("lang") or "").startswith("en")
        if not skip:
            self.texts += [attrs[a] for a in READ_ATTRIBUTES if attrs.get(a)]
            # An input button shows its value; a <button>'s value is sent, never shown.
            if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
                self.texts += [attrs["value"]] if attrs.get("value") else []
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.texts.append(data)


def reader_texts(html: str) -> list[str]:
    """Each text of `html` a reader meets (an element's text, an attribute), spaces folded."""
    parser = ReaderText()
    parser.feed(html)
    parser.close()
    return [folded for text in parser.texts if (folded := re.sub(r"\s+", " ", text).strip())]


@cache
def english_sentences(folder: str) -> tuple[str, ...]:
    """The catalogue's English texts of four words or more that are translated into something
    else, cut at their placeholders (only the fixed words can be looked for)."""
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / folder / "LC_MESSAGES/django.po"))
    found = set()
    for entry in po.translated_entries():
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for english in filter(None, (entry.msgid, entry.msgid_plural)):
            if english in translations:
                continue
            for piece in PLACEHOLDER.split(english.replace("%%", "%")):
                piece = re.sub(r"\s+", " ", piece).strip(" .,:;()")
                if len(piece.split()) >= 4:
                    found.add(piece)
    return tuple(sorted(found, key=len, reverse=True))


@cache
def english_labels(folder: str) -> frozenset[str]:
    """The catalogue's short English texts (a button, a heading, a label: under four words)
    that are translated into something else: found as the whole text of an element, they
    were left in English."""
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / folder / "LC_MESSAGES/django.po"))
    return frozenset(
        entry.msgid
        for entry in po.translated_entries()
        if not entry.msgid_plural
        and len(entry.msgid.split()) < 4
        and not PLACEHOLDER.search(entry.msgid)
        and entry.msgstr != entry.msgid
    )


def english_left(html: str, folder: str) -> list[str]:
    """What of `html` a reader would meet in English, each with a little context."""
    texts = reader_texts(html)
    text = " ".join(texts)
    found = [f"catalogue sentence “{s}”" for s in english_sentences(folder) if s in text]
    labels = english_labels(folder)
    found += [f"catalogue label “{t}”" for t in texts if t.strip(" .:·") in labels]
    # An account's @handle (a feed post's poster) is a name, like a username: not a sentence.
    words = re.sub(r"@[\w.]+", "@…", text)
    for match in ENGLISH_WORD.finditer(words):
        start, end = max(0, match.start() - 50), match.end() + 50
        found.append(f"“{match[0]}” in …{words[start:end]}…")
    return found


class PagesInThreeLanguagesTest(TestCase):
    """One class, one set of fixtures, every page in both languages (a failure lists every
    page and every English text it found, so one run shows all that is left)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.curator = make_user("lucia_curadora", Role.CURATOR)
        cls.teacher = make_teacher("mateo_profe")
        cls.organizer = make_user("carmen_org", Role.ORGANIZER)
        cls.student = make_user("wang_fang")
        cls.newcomer = make_user("li_wei")

        translated = {"title_es": "Vídeo de la plaza", "title_zh_hans": "广场视频"}
        fake = quizzable_clip(
            "Plaza video",
            Verdict.DEEPFAKE,
            technique=Technique.FACE_SWAP,
            source_url="https://ejemplo.org/plaza",
            **translated,
        )
        add_tell(
            fake,
            explanation="The chin blurs.",
            explanation_es="La barbilla se difumina.",
            explanation_zh_hans="下巴模糊。",
        )
        real = quizzable_clip("Market video", title_es="Mercado", title_zh_hans="市场")
        extra = [
            quizzable_clip(f"Clip {n}", verdict, title_es=f"Vídeo {n}", title_zh_hans=f"视频 {n}")
            for n, verdict in enumerate([Verdict.REAL, Verdict.DEEPFAKE] * 3)
        ]
        for clip in [fake, real, *extra]:
            ClipAnalysis.objects.create(
                clip=clip,
                status=AnalysisStatus.DONE,
                finished_at=timezone.now(),
                seconds_taken=1.5,
                face_probability=0.8,
                face_low=0.6,
                face_high=0.9,
                # Better than chance out of sample, so the reveal shows the percentage and
                # how the score did on clips it had never seen.
                held_out={
                    "face": {
                        "auc": 0.71,
                        "low": 0.62,
                        "high": 0.8,
                        "fakes": 42,
                        "reals": 26,
                        "scheme": "leave-one-dataset-out",
                        "informative": True,
                    }
                },
                editing_abstained=True,
                # The detector's own words, in English as it stores them (marked lang="en"
                # where shown): a reason for the face score, why the other abstained, and a
                # signal it could not measure.
                editing_why="Too little evidence: the signals rest on too few frames to judge.",
                reasons={
                    "face": [
                        {
                            "signal": "boundary_blending",
                            "tell": "face_edges",
                            "contribution": 0.4,
                            "reasons": [
                                {"text": "The edge of the face blurs.", "start": 2.0, "end": 3.0}
                            ],
                        }
                    ]
                },
                measurements=[
                    {
                        "name": "boundary_blending",
                        "family": "face",
                        "tell": "face_edges",
                        "value": 0.7,
                        "unit": "",
                        "feature": 1.2,
                        "strength": 0.8,
                        "reasons": [],
                        "detail": {},
                    },
                    {
                        "name": "blink_rate",
                        "family": "face",
                        "tell": "blinking",
                        "value": None,
                        "unit": "blinks/min",
                        "feature": None,
                        "strength": 0.0,
                        "reasons": [],
                        "detail": {"not_measured": "The eyes were not seen for long enough."},
                    },
                ],
            )
        cls.fake, cls.real = fake, real
        cls.items = [make_item(c, kind=ItemKind.VERDICT) for c in [fake, real, *extra]]
        quiz_texts = {
            "title": "Plaza quiz",
            "title_es": "Prueba de la plaza",
            "title_zh_hans": "广场测验",
            "description": "Look closely.",
            "description_es": "Mira con atención.",
            "description_zh_hans": "仔细看。",
        }
        cls.quiz = make_quiz(cls.items[:2], slug="plaza", created_by=cls.teacher, **quiz_texts)
        cls.assessment = make_quiz(
            cls.items[2:5],
            slug="examen",
            mode=Mode.ASSESSMENT,
            title="Exam",
            title_es="Examen",
            title_zh_hans="考试",
        )

        cls.feed = make_quiz(
            cls.items[2:],
            slug="muro",
            mode=Mode.FEED,
            title="Feed",
            title_es="Muro",
            title_zh_hans="信息流",
        )

        cls.classroom = Classroom.objects.create(name="Clase 8B", owner=cls.teacher)
        cls.classroom.join(cls.student)
        cls.other_class = Classroom.objects.create(name="Clase 9C", owner=cls.teacher)
        cls.assignment = assign(cls.classroom, cls.quiz, title="Tarea: la plaza")
        # A tell lesson (linked from the reveal of the fake's tell) and a glossary term, each
        # written in the three languages.
        cls.lesson = Lesson.objects.create(
            slug="bordes",
            kind=LessonKind.TELL,
            tell_category="face_edges",
            title="Face edges",
            title_es="Bordes de la cara",
            title_zh_hans="面部边缘",
            summary="Where the face meets the head.",
            summary_es="Donde la cara se une a la cabeza.",
            summary_zh_hans="脸和头部相接的地方。",
            body="Look at the edge of the face.",
            body_es="Mira el borde de la cara.",
            body_zh_hans="看看脸的边缘。",
            sources="Li, Chang & Lyu (2018)",
        )
        GlossaryTerm.objects.create(
            slug="deepfake",
            term="Deepfake",
            term_es="Ultrafalso",
            term_zh_hans="深度伪造",
            definition="A video made by a machine.",
            definition_es="Un vídeo hecho por una máquina.",
            definition_zh_hans="由机器生成的视频。",
        )

        now = timezone.now()
        cls.campaign = Campaign.objects.create(
            slug="vota",
            organizer=cls.organizer,
            quiz=cls.assessment,
            languages=["es", "zh-hans", "en"],
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=7),
        )
        for language, (title, intro, question) in {
            "en": ("Vote", "Five clips.", "How sure are you?"),
            "es": ("Vota informado", "Cinco vídeos de campaña.", "¿Cuánto confías en ti?"),
            "zh-hans": ("明智投票", "五段竞选视频", "你有多确定"),
        }.items():
            CampaignText.objects.create(
                campaign=cls.campaign,
                language=language,
                title=title,
                intro=intro,
                survey_question=question,
            )

    # Fetching --------------------------------------------------------------------------------

    def setUp(self) -> None:
        self.failures: list[str] = []

    def client_for(self, user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    def check(self, client: Client, url: str, folder: str, *, status: int = 200, response=None):
        response = response if response is not None else client.get(url)
        if response.status_code != status:
            self.failures.append(f"{url}: status {response.status_code}, not {status}")
            return response
        html = response.content.decode()
        for found in english_left(html, folder):
            self.failures.append(f"{url}: {found}")
        return response

    def report(self) -> None:
        if self.failures:
            self.fail(f"{len(self.failures)} English texts left:\n" + "\n".join(self.failures))

    # Journeys --------------------------------------------------------------------------------

    def anonymous(self, prefix: str, folder: str) -> None:
        client = self.client_for()
        for url in [
            "/",
            "/lessons/",
            f"/lessons/{self.lesson.slug}/",
            "/glossary/",
            "/quizzes/",
            f"/quizzes/{self.quiz.slug}/",
            f"/quizzes/{self.assessment.slug}/",
            "/accounts/login/",
        ]:
            self.check(client, prefix + url, folder)
        self.check(client, f"{prefix}/no-such-page/", folder, status=404)
        # What a form says back: a failed log-in, and a page the visitor may not open.
        url = f"{prefix}/accounts/login/"
        wrong = client.post(url, {"username": "wang_fang", "password": "nada"})
        self.check(client, url, folder, response=wrong)
        self.check(self.client_for(self.newcomer), f"{prefix}/curate/", folder, status=403)
        self.take_quiz(client, prefix, folder, self.quiz)
        # The feed: a stream of posts on one page.
        self.check(client, f"{prefix}/quizzes/{self.feed.slug}/", folder)
        started = client.post(f"{prefix}/quizzes/{self.feed.slug}/start/")
        self.assertEqual(started.status_code, 302, started.content[:500])
        self.check(client, started["Location"], folder)

    def take_quiz(self, client: Client, prefix: str, folder: str, quiz) -> Attempt:
        before = set(Attempt.objects.values_list("pk", flat=True))
        start = client.post(f"{prefix}/quizzes/{quiz.slug}/start/")
        self.assertEqual(start.status_code, 302, start.content[:500])
        attempt = Attempt.objects.exclude(pk__in=before).get()
        for entry in attempt.entries.select_related("item__clip").order_by("position"):
            url = f"{prefix}/attempts/{attempt.uid}/items/{entry.position}/"
            page = self.check(client, url, folder)
            key = page.context["form"]["key"].value()
            answered = client.post(
                url + "answer/", {"key": key, "verdict": "real", "confidence": "70"}
            )
            self.assertEqual(answered.status_code, 302, answered.content[:500])
            self.check(client, answered["Location"], folder)  # the reveal
        self.check(client, f"{prefix}/attempts/{attempt.uid}/results/", folder)
        self.check(client, f"{prefix}/shared/{attempt.uid}/", folder)
        return attempt

    def student_pages(self, prefix: str, folder: str) -> None:
        client = self.client_for(self.student)
        for url in [
            "/join/",
            f"/join/{self.other_class.code}/",
            "/me/classes/",
            f"/me/classes/{self.classroom.code}/",
            "/me/progress/",
            "/me/review/",
        ]:
            self.check(client, prefix + url, folder)
        url = f"{prefix}/join/"
        self.check(client, url, folder, response=client.post(url, {"code": "NOEXISTE"}))
        self.take_quiz(client, prefix, folder, self.quiz)
        self.check(client, f"{prefix}/me/progress/", folder)
        self.check(client, f"{prefix}/me/classes/{self.classroom.code}/", folder)

    def teacher_pages(self, prefix: str, folder: str) -> None:
        client = self.client_for(self.teacher)
        code = self.classroom.code
        for url in [
            "/classes/",
            f"/classes/{code}/",
            f"/classes/{code}/assignments/new/",
            f"/classes/{code}/pre-post/new/",
            f"/classes/{code}/students/{self.student.pk}/delete/",
            "/build/quizzes/",
            "/build/quizzes/new/",
            f"/build/quizzes/{self.quiz.slug}/",
            f"/build/quizzes/{self.quiz.slug}/stats/",
            "/build/items/",
            "/build/items/new/",
        ]:
            self.check(client, prefix + url, folder)
        # Forms sent empty come back with what is wrong.
        for url in [f"/classes/{code}/assignments/new/", f"/classes/{code}/pre-post/new/"]:
            self.check(client, prefix + url, folder, response=client.post(prefix + url, {}))
        # A pre-test and post-test, made through the form as a teacher does.
        PrePost.objects.filter(classroom=self.classroom).delete()
        now = timezone.localtime()
        made = client.post(
            f"{prefix}/classes/{code}/pre-post/new/",
            {
                "title": "Control de primavera",
                "items_per_test": 2,
                "item_kind": "verdict",
                "pre_due": (now + timedelta(hours=-2)).strftime("%Y-%m-%dT%H:%M"),
                "post_opens": (now + timedelta(hours=-1)).strftime("%Y-%m-%dT%H:%M"),
                "post_due": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        self.assertEqual(made.status_code, 302, made.content.decode()[-2000:])
        self.check(client, made["Location"], folder)

    def curator_pages(self, prefix: str, folder: str) -> None:
        client = self.client_for(self.curator)
        for url in [
            "/curate/",
            "/curate/upload/",
            f"/curate/clips/{self.fake.slug}/",
            f"/curate/clips/{self.real.slug}/",
            f"/curate/clips/{self.fake.slug}/edit/",
            f"/curate/clips/{self.real.slug}/workshop/",
            f"/curate/clips/{self.real.slug}/delete/",
            "/lessons/new/",
            f"/lessons/{self.lesson.slug}/edit/",
        ]:
            self.check(client, prefix + url, folder)

    def organizer_pages(self, prefix: str, folder: str) -> None:
        client = self.client_for(self.organizer)
        slug = self.campaign.slug
        for url in [
            "/campaigns/manage/",
            "/campaigns/manage/new/",
            f"/campaigns/manage/{slug}/",
            f"/campaigns/manage/{slug}/dashboard/",
        ]:
            self.check(client, prefix + url, folder)
        url = f"{prefix}/campaigns/manage/new/"
        self.check(client, url, folder, response=client.post(url, {"slug": "Mal Nombre"}))

    def campaign_pages(self, prefix: str, folder: str) -> None:
        client = self.client_for()
        slug = self.campaign.slug
        self.check(client, f"{prefix}/c/{slug}/", folder)
        self.check(client, f"{prefix}/c/{slug}/privacy/", folder)
        self.check(client, f"{prefix}/c/{slug}/embed/", folder)
        language = prefix.strip("/")
        before = set(Attempt.objects.values_list("pk", flat=True))
        started = client.post(f"{prefix}/c/{slug}/start/", {"language": language, "answer": "3"})
        self.assertEqual(started.status_code, 302, started.content[:500])
        attempt = Attempt.objects.exclude(pk__in=before).get()
        for entry in attempt.entries.order_by("position"):
            url = f"{prefix}/attempts/{attempt.uid}/items/{entry.position}/"
            page = self.check(client, url, folder)
            key = page.context["form"]["key"].value()
            client.post(url + "answer/", {"key": key, "verdict": "deepfake", "confidence": "60"})
        self.check(client, f"{prefix}/c/{slug}/done/{attempt.uid}/", folder)
        participation = Participation.objects.get(attempt=attempt)
        self.check(Client(), f"{prefix}/c/{slug}/shared/{participation.share_key}/", folder)
        # The bookmarked second round: too early, then open fifteen days on.
        booster = f"{prefix}/c/{slug}/again/{participation.booster_key}/"
        self.check(Client(), booster, folder)
        Attempt.objects.filter(pk=attempt.pk).update(
            finished_at=timezone.now() - timedelta(days=15)
        )
        self.check(Client(), booster, folder)

    def every_journey(self, prefix: str) -> None:
        folder = LANGUAGES[prefix]
        prefix = f"/{prefix}"
        self.anonymous(prefix, folder)
        self.student_pages(prefix, folder)
        self.teacher_pages(prefix, folder)
        self.curator_pages(prefix, folder)
        self.organizer_pages(prefix, folder)
        self.campaign_pages(prefix, folder)
        self.report()

    def test_every_page_is_in_spanish(self):
        self.every_journey("es")

    def test_every_page_is_in_chinese(self):
        self.every_journey("zh-hans")


class CheckerTest(SimpleTestCase):
    """The checker finds English where a reader would meet it, and only there."""

    def test_it_flags_english_words_and_catalogue_sentences(self):
        html = (
            "<p>Hola, <b>the</b> fin.</p><button aria-label='Send your answer'>x</button>"
            "<p>Choose one of the answers, then send it.</p><button>Save</button>"
        )
        found = english_left(html, "es")
        self.assertTrue(any("“the”" in f for f in found), found)
        self.assertTrue(any("“your”" in f for f in found), found)
        self.assertTrue(any("catalogue sentence" in f for f in found), found)
        self.assertIn("catalogue label “Save”", found)

    def test_it_passes_spanish_chinese_and_what_is_marked_english(self):
        html = (
            "<title>Telltale</title><p>No sé: ¿has visto a Ana? Así es. CC BY 4.0. 你看到了吗</p>"
            "<script>var the = 1;</script><style>.for{}</style>"
            '<p lang="en">Shown in English: the text with <em>its</em> note.</p>'
            '<img src="x.png" alt="Vídeo de la plaza"><input type="hidden" value="the">'
        )
        self.assertEqual(english_left(html, "es"), [])
