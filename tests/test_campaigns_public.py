"""A campaign's public journey through the test client: before, during and after its dates;
embedded in an allowed and a disallowed site; cached anonymous pages; discernment on the
result page; the share card; the booster; no third-party URL on any page."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from campaigns.models import Campaign, Participation, Round
from media_library.models import Verdict
from quiz.models import Answer, Attempt, Item, Mode
from tests.base import BaseTestCase
from tests.factories import make_campaign, make_item, make_quiz, quizzable_clip

PARTNER = "https://news.example.org"
QUESTION = "How sure are you that you could spot a fake video?"


TEXTS = {
    "en": ("Vote smart: spot the fake", "Five clips from the campaign trail.", QUESTION),
    "es": (
        "Vota informado: descubre el falso",
        "Cinco vídeos de la campaña.",
        "¿Qué tan seguro estás de poder detectar un vídeo falso?",
    ),
}


class CampaignFixture(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.fakes = [quizzable_clip(f"Fake {n}", Verdict.DEEPFAKE) for n in range(2)]
        cls.reals = [quizzable_clip(f"Real {n}", Verdict.REAL) for n in range(2)]
        cls.items = [make_item(clip) for clip in cls.fakes + cls.reals]
        cls.quiz = make_quiz(cls.items, title="Election clips", mode=Mode.ASSESSMENT)

    def setUp(self) -> None:
        self.campaign = make_campaign(
            self.quiz, self.organizer, texts=TEXTS, embed_origins=[PARTNER]
        )

    def start(self, client: Client | None = None, **data) -> Attempt:
        client = client or self.client
        before = set(Attempt.objects.values_list("pk", flat=True))
        response = client.post(f"/c/{self.campaign.slug}/start/", {"language": "en", **data})
        self.assertEqual(response.status_code, 302, response.content[:300])
        return Attempt.objects.exclude(pk__in=before).get()

    def answer_all(self, attempt: Attempt, client: Client | None = None, *, say=None) -> None:
        """Answer every item: fakes called fake, real clips called real, unless `say` (a
        function of the clip) says otherwise."""
        client = client or self.client
        for entry in attempt.entries.select_related("item__clip").order_by("position"):
            clip = entry.item.clip
            verdict = say(clip) if say else clip.verdict
            page = client.get(f"/attempts/{attempt.uid}/items/{entry.position}/")
            key = page.context["form"]["key"].value()
            response = client.post(
                f"/attempts/{attempt.uid}/items/{entry.position}/answer/",
                {"key": key, "verdict": verdict, "confidence": "70"},
            )
            self.assertEqual(response.status_code, 302, response.content.decode()[-1500:])


class DatesTests(CampaignFixture):
    def test_before_its_dates_the_landing_says_when_it_opens_and_takes_no_start(self):
        self.campaign.starts_at = timezone.now() + timedelta(days=2)
        self.campaign.save()
        page = self.client.get("/c/vote-smart/")
        self.assertContains(page, "Not open yet")
        self.assertNotContains(page, "Start the quiz")
        self.client.post("/c/vote-smart/start/", {"language": "en"})
        self.assertFalse(Participation.objects.exists())
        self.assertFalse(Attempt.objects.exists())

    def test_during_its_dates_a_visitor_starts_at_once_without_an_account(self):
        page = self.client.get("/c/vote-smart/")
        self.assertContains(page, "Start the quiz")
        self.assertContains(page, QUESTION)
        attempt = self.start(answer="2")
        participation = attempt.campaign_participation
        self.assertIsNone(attempt.user)
        self.assertEqual(participation.survey_before, 2)
        self.assertEqual(participation.language, "en")
        self.assertEqual(attempt.entries.count(), 4)

    def test_a_survey_answer_off_the_scale_is_refused_in_words_and_starts_nothing(self):
        response = self.client.post(
            "/c/vote-smart/start/", {"language": "en", "answer": "9"}, follow=True
        )
        self.assertContains(response, "That answer to the question is not one of its choices.")
        self.assertFalse(Attempt.objects.exists())
        # The notice is that visitor's: the landing everyone else gets has none.
        plain = Client().get("/c/vote-smart/")
        self.assertNotContains(plain, "not one of its choices")
        self.assertContains(plain, "Start the quiz")

    def test_a_quiz_with_nothing_to_deal_says_so(self):
        Item.objects.all().delete()
        response = self.client.post("/c/vote-smart/start/", {"language": "en"}, follow=True)
        self.assertContains(response, "This quiz has no clips ready yet.")
        self.assertFalse(Attempt.objects.exists())

    def test_a_signed_in_visitor_still_plays_anonymously(self):
        self.client.force_login(self.student)
        attempt = self.start()
        self.assertIsNone(attempt.user)
        # Theirs through the session all the same.
        self.assertEqual(self.client.get(f"/attempts/{attempt.uid}/items/1/").status_code, 200)

    def test_after_its_end_the_closed_page_shows_and_no_answer_is_taken(self):
        attempt = self.start()
        self.campaign.ends_at = timezone.now() - timedelta(minutes=1)
        self.campaign.starts_at = timezone.now() - timedelta(days=3)
        self.campaign.save()
        page = self.client.get("/c/vote-smart/")
        self.assertContains(page, "This quiz has ended")
        self.assertNotContains(page, "Start the quiz")
        # The visitor's open attempt: its answer is refused, nothing stored. (The gate reads
        # the closing time the session was given at the start, so move it.)
        session = self.client.session
        session["campaign_closes"] = {str(attempt.uid): self.campaign.ends_at.isoformat()}
        session.save()
        response = self.client.post(
            f"/attempts/{attempt.uid}/items/1/answer/",
            {
                "key": "0b6bd4c0-6a63-4d5e-9a0e-3f7f3c2f4e11",
                "verdict": "deepfake",
                "confidence": "70",
            },
            follow=True,
        )
        self.assertContains(response, "This campaign has ended")
        self.assertFalse(Answer.objects.exists())
        self.client.post("/c/vote-smart/start/", {"language": "en"})
        self.assertEqual(Attempt.objects.count(), 1)


class ResultTests(CampaignFixture):
    def test_the_result_speaks_of_discernment_and_the_counters_agree_with_the_answers(self):
        attempt = self.start(answer="3")
        # Everything called fake: every fake caught, no real clip trusted.
        self.answer_all(attempt, say=lambda clip: "deepfake")
        response = self.client.get(f"/attempts/{attempt.uid}/results/")
        self.assertRedirects(response, f"/c/vote-smart/done/{attempt.uid}/")
        page = self.client.get(f"/c/vote-smart/done/{attempt.uid}/")
        self.assertContains(page, "You caught 2 of 2 fakes and trusted 0 of 2 real clips.")
        self.assertContains(page, "Doubting everything is not the same as spotting fakes")
        participation = Participation.objects.get(attempt=attempt)
        self.assertEqual(
            (participation.hits, participation.misses, participation.false_alarms),
            (2, 0, 2),
        )
        self.assertEqual((participation.answered, participation.correct), (4, 2))
        self.assertContains(page, "The election authority&#x27;s fact checks")
        self.assertContains(page, 'href="/lessons/"')

    def test_the_survey_after_is_stored_once(self):
        attempt = self.start()
        self.answer_all(attempt)
        url = f"/c/vote-smart/done/{attempt.uid}/survey/"
        self.client.post(url, {"answer": "4"})
        self.client.post(url, {"answer": "1"})
        self.assertEqual(Participation.objects.get(attempt=attempt).survey_after, 4)

    def test_a_survey_answer_after_that_is_missing_or_off_the_scale_says_so(self):
        attempt = self.start()
        self.answer_all(attempt)
        url = f"/c/vote-smart/done/{attempt.uid}/survey/"
        self.assertContains(self.client.post(url, {}), "Choose one of the answers, then send it.")
        self.assertContains(
            self.client.post(url, {"answer": "7"}), "That answer is not one of the choices."
        )
        self.assertIsNone(Participation.objects.get(attempt=attempt).survey_after)
        # The page shown again is the whole result, the round's figures included.
        self.assertContains(self.client.post(url, {}), "You caught 2 of 2 fakes")

    def test_someone_elses_result_does_not_exist_for_them(self):
        attempt = self.start()
        self.answer_all(attempt)
        self.assertEqual(Client().get(f"/c/vote-smart/done/{attempt.uid}/").status_code, 404)

    def test_the_share_page_and_card_are_public_and_carry_no_attempt_id(self):
        attempt = self.start()
        self.answer_all(attempt)
        participation = Participation.objects.get(attempt=attempt)
        stranger = Client()
        page = stranger.get(f"/c/vote-smart/shared/{participation.share_key}/")
        self.assertContains(page, "I caught 2 of 2 fakes and trusted 2 of 2 real clips.")
        self.assertContains(page, 'property="og:image"')
        self.assertNotContains(page, str(attempt.uid))
        card = stranger.get(f"/c/vote-smart/shared/{participation.share_key}/card.png")
        self.assertEqual(card["Content-Type"], "image/png")
        self.assertTrue(card.content.startswith(b"\x89PNG"))
        # Unfinished rounds are not shared.
        unfinished = Participation.objects.get(attempt=self.start(Client()))
        self.assertEqual(
            stranger.get(f"/c/vote-smart/shared/{unfinished.share_key}/").status_code, 404
        )

    def test_the_share_page_is_in_the_visitors_language(self):
        attempt = self.start(language="es")
        self.answer_all(attempt)
        participation = Participation.objects.get(attempt=attempt)
        result = self.client.get(f"/es/c/vote-smart/done/{attempt.uid}/")
        share_url = f"/es/c/vote-smart/shared/{participation.share_key}/"
        self.assertContains(result, share_url)  # the link they share names their language
        page = Client().get(share_url)
        self.assertContains(page, '<html lang="es">')
        self.assertContains(page, "Vota informado: descubre el falso")


class BoosterTests(CampaignFixture):
    def test_the_bookmark_opens_a_second_round_after_fourteen_days(self):
        attempt = self.start()
        self.answer_all(attempt)
        page = self.client.get(f"/c/vote-smart/done/{attempt.uid}/")
        key = Participation.objects.get(attempt=attempt).booster_key
        booster_url = f"/c/vote-smart/again/{key}/"
        self.assertContains(page, booster_url)
        # Too early: the page says when, and a post starts nothing.
        visitor = Client()
        self.assertContains(visitor.get(booster_url), "Your second round opens on")
        visitor.post(booster_url)
        self.assertEqual(Participation.objects.filter(round=Round.BOOSTER).count(), 0)
        # Fifteen days on.
        Attempt.objects.filter(pk=attempt.pk).update(
            finished_at=timezone.now() - timedelta(days=15)
        )
        response = visitor.post(booster_url)
        booster = Participation.objects.get(round=Round.BOOSTER)
        self.assertEqual(booster.first.attempt_id, attempt.pk)
        self.assertRedirects(response, f"/attempts/{booster.attempt.uid}/items/1/")
        # One booster per bookmark.
        visitor.post(booster_url)
        Client().post(booster_url)
        self.assertEqual(Participation.objects.filter(round=Round.BOOSTER).count(), 1)
        self.assertContains(Client().get(booster_url), "already taken the second round")


class EmbedTests(CampaignFixture):
    def test_the_embed_may_be_framed_by_the_campaigns_sites_and_nobody_else(self):
        embed = self.client.get("/c/vote-smart/embed/")
        policy = embed["Content-Security-Policy"]
        self.assertIn(f"frame-ancestors 'self' {PARTNER}", policy)
        self.assertNotIn("X-Frame-Options", embed)
        # The rest of the site stays unframeable, the campaign's own landing included.
        for path in ("/c/vote-smart/", "/", "/quizzes/"):
            response = self.client.get(path)
            self.assertIn("frame-ancestors 'self'", response["Content-Security-Policy"])
            self.assertNotIn(PARTNER, response["Content-Security-Policy"])
            self.assertEqual(response["X-Frame-Options"], "SAMEORIGIN")

    def test_an_embedded_visit_lives_in_its_address_not_in_cookies(self):
        # A browser in a third-party frame sends no cookie and enforces CSRF: so does this one.
        frame = Client(enforce_csrf_checks=True)
        response = frame.post("/c/vote-smart/start/", {"language": "en", "embedded": "1"})
        self.assertEqual(response.status_code, 302)
        match = re.fullmatch(r"/v/([a-z0-9]{32})/attempts/([0-9a-f-]{36})/items/1/", response.url)
        self.assertIsNotNone(match, response.url)
        prefix = f"/v/{match[1]}"
        attempt = Attempt.objects.get(uid=match[2])
        for entry in attempt.entries.select_related("item__clip").order_by("position"):
            frame.cookies.clear()
            page = frame.get(f"{prefix}/attempts/{attempt.uid}/items/{entry.position}/")
            self.assertEqual(page.status_code, 200)
            self.assertIn(f"frame-ancestors 'self' {PARTNER}", page["Content-Security-Policy"])
            html = page.content.decode()
            # Every link and form of the visit carries it on.
            self.assertIn(
                f'action="{prefix}/attempts/{attempt.uid}/items/{entry.position}/answer/"', html
            )
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
            key = page.context["form"]["key"].value()
            frame.cookies.clear()
            answered = frame.post(
                f"{prefix}/attempts/{attempt.uid}/items/{entry.position}/answer/",
                {
                    "csrfmiddlewaretoken": token,
                    "key": key,
                    "verdict": "deepfake",
                    "confidence": "60",
                },
            )
            self.assertEqual(answered.status_code, 302, answered.content[:300])
            self.assertTrue(answered.url.startswith(prefix + "/"), answered.url)
            self.assertNotIn("sessionid", answered.cookies)
        self.assertEqual(Answer.objects.filter(attempt=attempt).count(), 4)
        result = frame.get(f"{prefix}/attempts/{attempt.uid}/results/", follow=True)
        self.assertContains(result, "You caught 2 of 2 fakes")
        # The share link given away leaves the visit's key behind.
        self.assertNotIn(
            match[1], re.search(r'id="share-url"[^>]*value="([^"]+)"', result.content.decode())[1]
        )

    def test_an_embedded_visitor_is_told_the_campaign_has_ended(self):
        frame = Client(enforce_csrf_checks=True)
        response = frame.post("/c/vote-smart/start/", {"language": "en", "embedded": "1"})
        item_url = response.url
        page = frame.get(item_url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
        key = page.context["form"]["key"].value()
        session = page.wsgi_request.session
        uid = next(iter(session["campaign_closes"]))
        session["campaign_closes"] = {uid: (timezone.now() - timedelta(seconds=1)).isoformat()}
        session.save()
        refused = frame.post(
            f"{item_url}answer/",
            {"csrfmiddlewaretoken": token, "key": key, "verdict": "real", "confidence": "60"},
        )
        self.assertEqual(refused.cookies.get("messages"), None)
        # The frame's browser keeps no cookie: the message waits in the visit's session.
        frame.cookies.clear()
        self.assertContains(frame.get(refused.url, follow=True), "This campaign has ended")
        self.assertFalse(Answer.objects.exists())

    def test_a_forged_answer_without_the_visits_token_is_refused(self):
        frame = Client(enforce_csrf_checks=True)
        response = frame.post("/c/vote-smart/start/", {"language": "en", "embedded": "1"})
        prefix, attempt_path = response.url.split("/attempts/")
        forged = Client(enforce_csrf_checks=True).post(
            f"{prefix}/attempts/{attempt_path}answer/",
            {
                "key": "0b6bd4c0-6a63-4d5e-9a0e-3f7f3c2f4e11",
                "verdict": "deepfake",
                "confidence": "60",
            },
        )
        self.assertEqual(forged.status_code, 403)
        self.assertFalse(Answer.objects.exists())

    def test_under_a_visit_only_the_quiz_and_campaign_pages_answer(self):
        frame = Client()
        response = frame.post("/c/vote-smart/start/", {"language": "en", "embedded": "1"})
        prefix = response.url.split("/attempts/")[0]
        for path in ("/accounts/login/", "/build/quizzes/", "/curate/", "/admin/", "/"):
            self.assertEqual(frame.get(prefix + path).status_code, 404, path)
        # A key nobody was given opens nobody's attempt.
        stranger = "/v/" + "a" * 32 + "/attempts/" + response.url.split("/attempts/")[1]
        self.assertEqual(Client().get(stranger).status_code, 404)

    def test_no_visits_pass_reaches_a_cached_page_or_a_link_that_leaves_the_frame(self):
        """The privacy notice is one cached copy for everyone: rendered under a visit, its
        links would carry that visit's pass (its session key) to every later reader. And the
        result page's links that open in a new tab lead to first-party pages, which answer
        nothing under a pass."""
        frame = Client()
        response = frame.post("/c/vote-smart/start/", {"language": "en", "embedded": "1"})
        prefix, rest = response.url.split("/attempts/")
        key = prefix.removeprefix("/v/")
        self.assertEqual(frame.get(f"{prefix}/c/vote-smart/privacy/").status_code, 404)
        self.assertNotContains(Client().get("/c/vote-smart/privacy/"), key)
        attempt = Attempt.objects.get(uid=rest.split("/")[0])
        for entry in attempt.entries.select_related("item__clip").order_by("position"):
            page = frame.get(f"{prefix}/attempts/{attempt.uid}/items/{entry.position}/")
            frame.post(
                f"{prefix}/attempts/{attempt.uid}/items/{entry.position}/answer/",
                {
                    "csrfmiddlewaretoken": page.context["csrf_token"],
                    "key": page.context["form"]["key"].value(),
                    "verdict": entry.item.clip.verdict,
                    "confidence": "70",
                },
            )
        result = frame.get(f"{prefix}/c/vote-smart/done/{attempt.uid}/").content.decode()
        new_tabs = re.findall(r'<a href="([^"]+)" target="_blank"', result)
        self.assertIn("/c/vote-smart/privacy/", new_tabs)
        self.assertIn("/lessons/", new_tabs)
        for href in new_tabs:
            self.assertNotIn(key, href)
            if href.startswith("/"):
                self.assertEqual(Client().get(href).status_code, 200, href)


class CachedPagesTests(CampaignFixture):
    def test_the_landing_is_served_from_the_cache_without_a_query(self):
        first = self.client.get("/c/vote-smart/")
        with self.assertNumQueries(0):
            again = Client().get("/c/vote-smart/")
        self.assertEqual(first.content.count(b"Start the quiz"), 1)
        self.assertIn("public", again["Cache-Control"])
        self.assertIn("HX-Request", again["Vary"])
        self.assertNotIn("Set-Cookie", str(again.cookies))

    def test_each_cached_copy_gets_the_nonce_of_its_own_response(self):
        self.client.get("/c/vote-smart/")
        again = Client().get("/c/vote-smart/")
        nonce = re.search(r"'nonce-([^']+)'", again["Content-Security-Policy"])[1]
        scripts = re.findall(r"<script[^>]*>", again.content.decode())
        self.assertTrue(scripts)
        for tag in scripts:
            self.assertIn(f'nonce="{nonce}"', tag)

    def test_an_edit_shows_at_once(self):
        self.client.get("/c/vote-smart/")
        text = self.campaign.texts.get(language="en")
        text.title = "Vote smart: the edited title"
        with self.captureOnCommitCallbacks(execute=True):
            text.save()
        self.assertContains(Client().get("/c/vote-smart/"), "Vote smart: the edited title")

    def test_browsers_asking_for_one_language_in_different_words_share_its_copy(self):
        self.client.get("/c/vote-smart/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9", follow=True)
        with self.assertNumQueries(0):
            again = Client().get("/c/vote-smart/", HTTP_ACCEPT_LANGUAGE="es-AR,en;q=0.5")
            self.assertRedirects(again, "/es/c/vote-smart/", fetch_redirect_response=False)
            self.assertIn("Accept-Language", again["Vary"])
            again = Client().get(again.url)
        self.assertContains(again, "Vota informado: descubre el falso")

    def test_language_and_htmx_get_copies_of_their_own(self):
        english = self.client.get("/c/vote-smart/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
        spanish = self.client.get("/es/c/vote-smart/")
        self.assertContains(english, "Vote smart: spot the fake")
        self.assertIn("Accept-Language", english["Vary"])
        self.assertContains(spanish, "Vota informado: descubre el falso")
        fragment = self.client.get("/es/c/vote-smart/", HTTP_HX_REQUEST="true")
        self.assertNotContains(fragment, "<html")
        self.assertContains(fragment, "Vota informado")
        self.assertContains(self.client.get("/es/c/vote-smart/"), "<html")

    def test_a_link_from_before_the_language_was_in_the_address_still_works(self):
        response = self.client.get("/c/vote-smart/?lang=es&problem=survey")
        self.assertRedirects(
            response, "/es/c/vote-smart/?problem=survey", status_code=301, target_status_code=200
        )


class NoThirdPartyTests(CampaignFixture):
    def test_no_page_of_the_journey_names_another_site_but_the_organizers_links(self):
        attempt = self.start()
        pages = [self.client.get("/c/vote-smart/"), self.client.get("/c/vote-smart/privacy/")]
        for entry in attempt.entries.order_by("position"):
            pages.append(self.client.get(f"/attempts/{attempt.uid}/items/{entry.position}/"))
        self.answer_all(attempt)
        pages.append(self.client.get(f"/c/vote-smart/done/{attempt.uid}/"))
        share_key = Participation.objects.get(attempt=attempt).share_key
        pages.append(Client().get(f"/c/vote-smart/shared/{share_key}/"))
        allowed = {"elections.example.org", "testserver"}
        for page in pages:
            html = page.content.decode()
            # Anything the page loads (src, href of a stylesheet or icon, CSS url()) is ours.
            for url in re.findall(r'(?:src|href)="(https?:)?//([^/"]+)', html):
                self.assertIn(url[1], allowed, page.request["PATH_INFO"])
            self.assertNotIn("fonts.googleapis", html)


class ThemeTests(CampaignFixture):
    def test_the_accent_colour_is_served_as_a_stylesheet_and_nothing_else(self):
        Campaign.objects.filter(pk=self.campaign.pk).update(accent_colour="#1a4d2e")
        css = self.client.get("/c/vote-smart/theme.css")
        self.assertEqual(css["Content-Type"], "text/css")
        self.assertEqual(css.content.decode().strip(), ":root { --accent: #1a4d2e; }")
        # A value that reached the column without the form never becomes CSS of its own.
        Campaign.objects.filter(pk=self.campaign.pk).update(accent_colour="red;}*{")
        css = self.client.get("/c/vote-smart/theme.css").content.decode()
        self.assertNotIn("red", css)
        self.assertIn("--accent: #2f5bd3;", css)

    def test_a_colour_that_does_not_read_on_white_is_refused_with_the_ratio(self):
        self.campaign.accent_colour = "#ffd700"
        with self.assertRaisesMessage(ValidationError, "reads at 1.3:1 on the light page"):
            self.campaign.full_clean()
