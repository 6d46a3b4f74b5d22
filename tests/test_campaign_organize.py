"""The organizer's side of campaigns through the test client: who may reach which campaign, and
the form that makes and edits one (texts and links per language, the colour, the embed sites,
the logo handled as untrusted media)."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from campaigns.models import Campaign, CampaignText, Participation, PartnerLink
from media_library.roles import Role
from quiz.models import Attempt
from tests.base import BaseTestCase, isolated_media
from tests.factories import make_item, make_quiz, make_user, quizzable_clip

CREATE = "/campaigns/manage/new/"
SURVEY_EN = "How sure are you that you could spot a fake video?"


def png_bytes(size=(64, 32), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 1 if mode == "1" else (10, 90, 200)).save(out, "PNG", **save)
    return out.getvalue()


class CampaignOrganizeCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.other_organizer = make_user("other_organizer", Role.ORGANIZER)
        cls.staff = make_user("staff", is_staff=True)
        item = make_item(quizzable_clip("Harbour speech"))
        cls.quiz = make_quiz([item], title="Election fakes")
        cls.draft_quiz = make_quiz([item], title="Unfinished quiz", is_published=False)
        now = timezone.now()
        cls.theirs = Campaign.objects.create(
            slug="their-campaign",
            organizer=cls.other_organizer,
            quiz=cls.quiz,
            languages=["en"],
            starts_at=now,
            ends_at=now + timedelta(days=7),
        )
        CampaignText.objects.create(
            campaign=cls.theirs, language="en", title="Theirs", intro="Their intro."
        )

    def setUp(self) -> None:
        super().setUp()
        (self.media_root,) = isolated_media(self, "media")

    def stored_files(self) -> list[str]:
        root = self.media_root
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    def form_data(self, **overrides) -> dict:
        data = {
            "slug": "vote-smart",
            "quiz": str(self.quiz.pk),
            "starts_at": "2026-12-01T09:00",
            "ends_at": "2026-12-20T18:00",
            "languages": ["en", "es"],
            "default_language": "es",
            "accent_colour": "#1a4fb0",
            "embed_sites": "https://News.Example.org/\nhttps://partner.example",
            "survey_enabled": "on",
            "booster_enabled": "on",
            "booster_size": "6",
            "text-en-title": "Spot the fake before you vote",
            "text-en-intro": "Ten clips, two minutes.",
            "text-en-survey_question": SURVEY_EN,
            "text-es-title": "Detecta el vídeo falso antes de votar",
            "text-es-intro": "Diez vídeos, dos minutos.",
            "text-es-survey_question": "¿Qué tan seguro estás de detectar un vídeo falso?",
            "text-zh_hans-title": "",
            "text-zh_hans-intro": "",
            "text-zh_hans-survey_question": "",
        }
        for slot in ("en", "es", "zh_hans"):
            data |= {
                f"links-{slot}-TOTAL_FORMS": "3",
                f"links-{slot}-INITIAL_FORMS": "0",
                f"links-{slot}-MIN_NUM_FORMS": "0",
                f"links-{slot}-MAX_NUM_FORMS": "20",
            }
        data |= {
            "links-en-0-label": "Election authority fact checks",
            "links-en-0-url": "https://elections.example.gov/facts",
            "links-es-0-label": "Verificaciones",
            "links-es-0-url": "elections.example.gov/es",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}


class AccessTests(CampaignOrganizeCase):
    def urls(self, slug: str) -> list[str]:
        return [
            f"/campaigns/manage/{slug}/",
            f"/campaigns/manage/{slug}/dashboard/",
            f"/campaigns/manage/{slug}/dashboard.csv",
        ]

    def test_it_refuses_students_teachers_and_strangers_with_403(self):
        for user in (self.student, self.teacher, self.curator, self.outsider):
            self.client.force_login(user)
            for url in ["/campaigns/manage/", CREATE, *self.urls(self.theirs.slug)]:
                self.assertEqual(self.client.get(url).status_code, 403, (user, url))
            self.assertEqual(self.client.post(CREATE, self.form_data()).status_code, 403)
        self.assertFalse(Campaign.objects.filter(slug="vote-smart").exists())

    def test_it_sends_visitors_to_log_in(self):
        response = self.client.get("/campaigns/manage/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_an_organizer_cannot_see_edit_or_export_anothers_campaign(self):
        self.client.force_login(self.organizer)
        for url in self.urls(self.theirs.slug):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        response = self.client.post(
            f"/campaigns/manage/{self.theirs.slug}/", self.form_data(slug="taken-over")
        )
        self.assertEqual(response.status_code, 404)
        self.theirs.refresh_from_db()
        self.assertEqual(self.theirs.slug, "their-campaign")
        listing = self.client.get("/campaigns/manage/")
        self.assertNotContains(listing, "/campaigns/manage/their-campaign/")

    def test_the_organizer_who_runs_it_and_staff_can(self):
        for user in (self.other_organizer, self.staff):
            self.client.force_login(user)
            for url in self.urls(self.theirs.slug):
                self.assertEqual(self.client.get(url).status_code, 200, (user, url))
            self.assertContains(
                self.client.get("/campaigns/manage/"), "/campaigns/manage/their-campaign/"
            )

    def test_the_navigation_links_organizers_to_their_campaigns(self):
        self.client.force_login(self.organizer)
        link = '<a href="/campaigns/manage/">'
        self.assertContains(self.client.get("/"), link)
        self.client.force_login(self.student)
        self.assertNotContains(self.client.get("/"), link)


class CreateAndEditTests(CampaignOrganizeCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.organizer)

    def test_the_new_form_offers_published_quizzes_and_the_english_survey_question(self):
        response = self.client.get(CREATE)
        self.assertContains(response, "Election fakes")
        self.assertNotContains(response, "Unfinished quiz")
        form = response.context["editor"]
        texts = {section.language: section.text for section in form.sections}
        self.assertEqual(texts["en"]["survey_question"].value(), SURVEY_EN)
        self.assertFalse(texts["es"]["survey_question"].value())
        self.assertContains(response, 'type="datetime-local"')
        self.assertContains(response, 'type="color"')

    def test_it_creates_then_edits_a_campaign(self):
        response = self.client.post(CREATE, self.form_data())
        self.assertRedirects(response, "/campaigns/manage/vote-smart/")
        campaign = Campaign.objects.get(slug="vote-smart")
        self.assertEqual(campaign.organizer, self.organizer)
        self.assertEqual(campaign.languages, ["es", "en"])  # the default first
        self.assertEqual(
            campaign.embed_origins, ["https://news.example.org", "https://partner.example"]
        )
        self.assertEqual(
            timezone.localtime(campaign.starts_at).strftime("%Y-%m-%d %H:%M"), "2026-12-01 09:00"
        )
        self.assertEqual(
            {t.language: t.title for t in campaign.texts.all()},
            {"en": "Spot the fake before you vote", "es": "Detecta el vídeo falso antes de votar"},
        )
        self.assertEqual(
            [(link.language, link.label, link.url) for link in campaign.partner_links.all()],
            [
                ("en", "Election authority fact checks", "https://elections.example.gov/facts"),
                ("es", "Verificaciones", "https://elections.example.gov/es"),
            ],
        )

        page = self.client.get("/campaigns/manage/vote-smart/")
        self.assertContains(
            page,
            "&lt;iframe src=&quot;http://testserver/c/vote-smart/embed/&quot; "
            "title=&quot;Detecta el vídeo falso antes de votar&quot; width=&quot;100%&quot; "
            "height=&quot;720&quot; style=&quot;border:0&quot; allow=&quot;fullscreen&quot; "
            "loading=&quot;lazy&quot;&gt;&lt;/iframe&gt;",
        )
        self.assertContains(page, "js/campaign-form.js")
        self.assertContains(page, 'value="https://elections.example.gov/facts"')

        edited = self.form_data(
            default_language="en",
            accent_colour="#7a1f3d",
            embed_sites="https://news.example.org",
            survey_enabled=None,
            **{
                "links-en-TOTAL_FORMS": "4",
                "links-en-INITIAL_FORMS": "1",
                "links-en-0-label": "",
                "links-en-0-url": "",
                "links-en-1-label": "Lessons on deepfakes",
                "links-en-1-url": "https://telltale.example/lessons",
            },
        )
        response = self.client.post("/campaigns/manage/vote-smart/", edited)
        self.assertRedirects(response, "/campaigns/manage/vote-smart/")
        campaign.refresh_from_db()
        self.assertEqual(campaign.languages, ["en", "es"])
        self.assertEqual(campaign.accent_colour, "#7a1f3d")
        self.assertFalse(campaign.survey_enabled)
        self.assertEqual(campaign.embed_origins, ["https://news.example.org"])
        self.assertEqual(
            list(campaign.partner_links.filter(language="en").values_list("label", "position")),
            [("Lessons on deepfakes", 1)],
        )

    def assert_refused_keeping_input(self, response, message: str) -> None:
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, message)
        self.assertContains(response, "Nothing was saved yet")
        # What was typed is still there.
        self.assertContains(response, 'value="Spot the fake before you vote"')
        self.assertContains(response, "Diez vídeos, dos minutos.")
        self.assertFalse(Campaign.objects.filter(slug="vote-smart").exists())
        self.assertFalse(CampaignText.objects.filter(title="Spot the fake before you vote"))
        self.assertFalse(PartnerLink.objects.filter(label="Verificaciones").exists())
        self.assertEqual(self.stored_files(), [])

    def test_a_colour_that_does_not_read_on_white_is_refused(self):
        response = self.client.post(CREATE, self.form_data(accent_colour="#ffee00"))
        self.assert_refused_keeping_input(response, "it needs at least 4.5:1 to be readable")
        self.assertContains(response, 'value="#ffee00"')
        response = self.client.post(CREATE, self.form_data(accent_colour="blue"))
        self.assert_refused_keeping_input(response, "Give the colour as # and six hex digits")

    def test_a_site_that_is_not_an_https_origin_is_refused(self):
        typed = "https://news.example.org\nhttp://partner.example\nhttps://a.example/page"
        response = self.client.post(CREATE, self.form_data(embed_sites=typed))
        self.assert_refused_keeping_input(
            response, "http://partner.example: a site allowed to embed must start with https://."
        )
        self.assertContains(response, "https://a.example/page: give only the site")
        self.assertContains(response, "https://news.example.org\nhttp://partner.example")

    def test_a_partner_link_must_be_https_and_labelled(self):
        response = self.client.post(
            CREATE,
            self.form_data(
                **{"links-en-1-url": "http://plain.example/x", "links-en-2-url": "https://x.io"}
            ),
        )
        self.assert_refused_keeping_input(response, "A partner link must start with https://.")
        self.assertContains(response, "Give the link a label people can read.")

    def test_the_survey_question_is_required_in_each_chosen_language_when_on(self):
        response = self.client.post(CREATE, self.form_data(**{"text-es-survey_question": ""}))
        self.assert_refused_keeping_input(response, "The survey is on: give its question in")
        # Off, no question is needed.
        response = self.client.post(
            CREATE, self.form_data(survey_enabled=None, **{"text-es-survey_question": ""})
        )
        self.assertEqual(response.status_code, 302)

    def test_the_default_language_must_be_chosen_and_texts_given(self):
        response = self.client.post(
            CREATE, self.form_data(default_language="zh-hans", **{"text-es-title": ""})
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The default language must be one of those chosen.")
        self.assertContains(response, "Give the title in Español.")
        self.assertFalse(Campaign.objects.filter(slug="vote-smart").exists())

    def test_only_a_published_quiz_can_be_chosen(self):
        response = self.client.post(CREATE, self.form_data(quiz=str(self.draft_quiz.pk)))
        self.assertContains(response, "Select a valid choice")
        self.assertFalse(Campaign.objects.filter(slug="vote-smart").exists())

    def test_a_file_that_is_not_an_image_is_refused_and_nothing_stored(self):
        upload = SimpleUploadedFile("logo.png", b"<html><script>alert(1)</script></html>")
        response = self.client.post(CREATE, self.form_data(logo_upload=upload))
        self.assert_refused_keeping_input(response, "The logo was not accepted")
        self.assertContains(response, "This is a web page (HTML), not a video or image.")
        self.assertContains(response, "choose the logo again")
        # A PNG cut off halfway: its header is fine, its pixels are not there.
        noise = Image.effect_noise((300, 300), 80).convert("RGB")
        out = io.BytesIO()
        noise.save(out, "PNG")
        whole = out.getvalue()
        upload = SimpleUploadedFile("logo.png", whole[: len(whole) // 2])
        response = self.client.post(CREATE, self.form_data(logo_upload=upload))
        self.assert_refused_keeping_input(response, "The logo was not accepted")

    def test_an_image_bomb_is_refused_and_nothing_stored(self):
        # 8000 x 8000 one-bit pixels: a few kilobytes of PNG, 64 megapixels once decoded.
        bomb = png_bytes((8000, 8000), mode="1", optimize=True)
        self.assertLess(len(bomb), 200_000)
        upload = SimpleUploadedFile("logo.png", bomb, content_type="image/png")
        response = self.client.post(CREATE, self.form_data(logo_upload=upload))
        self.assert_refused_keeping_input(
            response, "The image is too large: at most 40 megapixels are accepted."
        )

    def test_a_logo_is_stored_as_a_clean_small_png_under_a_random_name(self):
        source = Image.new("RGB", (1200, 600), (200, 30, 30))
        exif = Image.Exif()
        exif[0x010E] = "secret description"  # ImageDescription
        out = io.BytesIO()
        source.save(out, "JPEG", exif=exif.tobytes(), comment=b"camera serial 1234")
        upload = SimpleUploadedFile("my-org-logo.jpg", out.getvalue(), content_type="image/jpeg")
        response = self.client.post(CREATE, self.form_data(logo_upload=upload))
        self.assertEqual(response.status_code, 302)
        campaign = Campaign.objects.get(slug="vote-smart")
        self.assertRegex(campaign.logo.name, r"^campaigns/logos/[0-9a-f]{32}\.png$")
        self.assertEqual(self.stored_files(), [campaign.logo.name])
        with campaign.logo.open("rb") as stored:
            data = stored.read()
        self.assertNotIn(b"secret description", data)
        self.assertNotIn(b"camera serial", data)
        with Image.open(io.BytesIO(data)) as image:
            self.assertEqual((image.format, image.size), ("PNG", (512, 256)))
            self.assertFalse(image.getexif())

        # A new logo replaces the old file; removing it leaves none.
        first = campaign.logo.name
        upload = SimpleUploadedFile("x.png", png_bytes(), content_type="image/png")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/campaigns/manage/vote-smart/", self.form_data(logo_upload=upload))
        campaign.refresh_from_db()
        self.assertNotEqual(campaign.logo.name, first)
        self.assertEqual(self.stored_files(), [campaign.logo.name])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/campaigns/manage/vote-smart/", self.form_data(remove_logo="on"))
        campaign.refresh_from_db()
        self.assertFalse(campaign.logo)
        self.assertEqual(self.stored_files(), [])

    def test_the_quiz_and_address_are_fixed_once_people_have_taken_part(self):
        self.client.force_login(self.other_organizer)
        Participation.objects.create(
            campaign=self.theirs,
            attempt=Attempt.objects.create(quiz=self.quiz, mode=self.quiz.mode),
            language="en",
        )
        other = make_quiz([make_item(quizzable_clip("Other clip"))], title="Another quiz")
        data = self.form_data(
            slug="renamed-campaign",
            quiz=str(other.pk),
            languages=["en"],
            default_language="en",
            **{"text-en-title": "Theirs, edited"},
        )
        response = self.client.post("/campaigns/manage/their-campaign/", data)
        self.assertEqual(response.status_code, 302)
        self.theirs.refresh_from_db()
        self.assertEqual((self.theirs.quiz, self.theirs.slug), (self.quiz, "their-campaign"))
        self.assertEqual(self.theirs.texts.get(language="en").title, "Theirs, edited")
