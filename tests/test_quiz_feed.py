"""Feed mode through the test client: one page of posts, most of them real; each judged where it
stands (its reveal swapped in) or scrolled past, which is recorded as passed over and never as
an answer; the results say how many were passed over and which fakes went by."""

from __future__ import annotations

import re

from media_library.models import PublicationState, Technique, Verdict
from quiz.models import Answer, Attempt, AttemptItem, Mode
from quiz.results import attempt_results
from tests.base import BaseTestCase, IsolatedMediaTestCase
from tests.factories import add_tell, make_item, make_quiz, make_video, quizzable_clip, start

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TOKENS = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]+')
POST = re.compile(r'<li id="post-\d+".*?</li>', re.DOTALL)


def posts_of(html: str) -> list[str]:
    return POST.findall(html)


def normalised_post(html: str) -> str:
    """A post with what differs by attempt and position set aside: ids, tokens, the number,
    lazy loading (all but the first) and the byline (from the attempt and the position only)."""
    html = TOKENS.sub(r"\1TOKEN", UUID.sub("UUID", html))
    html = re.sub(r'(preload|loading)="[a-z]+"', r'\1="X"', html)
    html = re.sub(r"post-\d+", "post-N", html)
    html = re.sub(r"items/\d+/", "items/N/", html)
    html = re.sub(r"Post \d+ of", "Post N of", html)
    html = re.sub(r'avatar avatar-\d" aria-hidden="true">.<', "AVATAR<", html)
    html = re.sub(r'class="post-handle">@[^<]+<', "HANDLE<", html)
    return re.sub(r'class="post-caption">[^<]+<', "CAPTION<", html)


class FeedFixture(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.reals = [quizzable_clip(f"Harbour morning number {n}") for n in range(4)]
        cls.fake = quizzable_clip(
            "Harbour mayor face swapped for the feed",
            Verdict.DEEPFAKE,
            technique=Technique.FACE_SWAP,
            original=cls.reals[0],
        )
        add_tell(cls.fake)
        cls.items = [make_item(clip) for clip in [*cls.reals, cls.fake]]
        cls.quiz = make_quiz(
            cls.items, title="Harbour feed", mode=Mode.FEED, selection="pool", pool_size=5
        )
        cls.secrets = [
            *(clip.title for clip in [*cls.reals, cls.fake]),
            *(clip.slug for clip in [*cls.reals, cls.fake]),
            *(str(clip.uid) for clip in [*cls.reals, cls.fake]),
            "Manipulated media",
            "manipulated-label",
            "Face swap",
        ]

    def begin(self) -> Attempt:
        attempt = start(self.client, self.quiz)
        self.feed_url = f"/attempts/{attempt.uid}/feed/"
        return attempt

    def position_of(self, attempt: Attempt, clip) -> int:
        return attempt.entries.get(item__clip=clip).position

    def judge(self, attempt: Attempt, position: int, verdict: str, **extra):
        page = self.client.get(self.feed_url)
        post = next(p["form"] for p in page.context["posts"] if p["entry"].position == position)
        data = {"key": post["key"].value(), "verdict": verdict, "confidence": "80"}
        url = f"/attempts/{attempt.uid}/items/{position}/answer/"
        return self.client.post(url, data, **extra)


class FeedPageTests(FeedFixture):
    def test_it_starts_a_feed_on_one_page_of_posts(self):
        response = self.client.post(f"/quizzes/{self.quiz.slug}/start/")
        attempt = Attempt.objects.get()
        self.assertRedirects(response, f"/attempts/{attempt.uid}/feed/")

    def test_the_feed_lists_every_post_with_no_truth_in_it(self):
        attempt = self.begin()
        html = self.client.get(self.feed_url).content.decode()
        posts = posts_of(html)
        self.assertEqual(len(posts), 5)
        for secret in self.secrets:
            self.assertNotIn(secret, html)
        # A real post and a fake post are the same post once position and byline are aside.
        real = posts[self.position_of(attempt, self.reals[1]) - 1]
        fake = posts[self.position_of(attempt, self.fake) - 1]
        self.assertEqual(normalised_post(real), normalised_post(fake))
        self.assertIn(">Looks fake</button>", fake)
        self.assertIn(">Looks real</button>", fake)
        self.assertIn('name="confidence"', fake)

    def test_only_the_first_post_loads_its_media_at_once(self):
        self.begin()
        posts = posts_of(self.client.get(self.feed_url).content.decode())
        self.assertIn('preload="metadata"', posts[0])
        for post in posts[1:]:
            self.assertIn('preload="none"', post)
            self.assertNotIn('preload="metadata"', post)

    def test_each_post_keeps_its_byline_from_one_load_to_the_next(self):
        self.begin()
        loads = [self.client.get(self.feed_url).content.decode() for _ in range(2)]
        handles = [re.findall(r'class="post-handle">@([^<]+)<', html) for html in loads]
        self.assertEqual(len(handles[0]), 5)
        self.assertEqual(handles[0], handles[1])

    def test_posts_get_field_ids_of_their_own(self):
        self.begin()
        html = self.client.get(self.feed_url).content.decode()
        ids = re.findall(r'\bid="([^"]+)"', html)
        self.assertEqual(len(ids), len(set(ids)), "duplicate ids on the feed page")

    def test_an_htmx_link_to_the_feed_loads_it_as_a_page(self):
        # The reveal on a feed's item page links "next" with hx-get; the feed is no fragment.
        self.begin()
        response = self.client.get(self.feed_url, HTTP_HX_REQUEST="true")
        self.assertEqual(response["HX-Redirect"], self.feed_url)

    def test_another_visitor_cannot_open_the_feed(self):
        self.begin()
        self.client.logout()
        self.client.cookies.clear()
        self.assertEqual(self.client.get(self.feed_url).status_code, 404)


class JudgingTests(FeedFixture):
    def test_judging_a_post_returns_its_reveal_fragment(self):
        attempt = self.begin()
        position = self.position_of(attempt, self.fake)
        response = self.judge(attempt, position, "fake", HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertNotIn("<html", html)
        self.assertEqual(len(posts_of(html)), 1)
        self.assertIn(f'id="post-{position}"', html)
        self.assertIn(">Right</h2>", html)
        self.assertIn("Harbour mayor face swapped for the feed", html)
        self.assertIn("Manipulated media", html)
        answer = Answer.objects.get()
        self.assertEqual((answer.verdict, answer.is_correct, answer.confidence), ("fake", True, 80))

    def test_calling_a_real_post_fake_is_wrong(self):
        attempt = self.begin()
        position = self.position_of(attempt, self.reals[2])
        html = self.judge(attempt, position, "fake", HTTP_HX_REQUEST="true").content.decode()
        self.assertIn(">Wrong</h2>", html)
        self.assertFalse(Answer.objects.get().is_correct)

    def test_without_javascript_judging_falls_back_to_the_item_page(self):
        attempt = self.begin()
        position = self.position_of(attempt, self.reals[1])
        response = self.judge(attempt, position, "real")
        self.assertRedirects(response, f"/attempts/{attempt.uid}/items/{position}/")
        page = self.client.get(response["Location"]).content.decode()
        self.assertIn(">Right</h1>", page)
        self.assertIn(f'href="{self.feed_url}#post-{position + 1}"', page)

    def test_the_feed_keeps_a_judged_post_revealed(self):
        attempt = self.begin()
        position = self.position_of(attempt, self.fake)
        self.judge(attempt, position, "real", HTTP_HX_REQUEST="true")
        posts = posts_of(self.client.get(self.feed_url).content.decode())
        self.assertIn(">Wrong</h2>", posts[position - 1])
        self.assertEqual(sum("Looks fake</button>" in post for post in posts), 4)

    def test_a_plain_fake_counts_as_a_hit_on_a_fake_and_a_false_alarm_on_a_real(self):
        attempt = self.begin()
        self.judge(attempt, self.position_of(attempt, self.fake), "fake")
        self.judge(attempt, self.position_of(attempt, self.reals[3]), "fake")
        summary = attempt_results(attempt)["summary"]
        self.assertEqual((summary.hit_rate.n, summary.hit_rate.value), (1, 1.0))
        self.assertEqual((summary.false_alarm_rate.n, summary.false_alarm_rate.value), (1, 1.0))

    def test_a_feed_offers_only_fake_or_real(self):
        attempt = self.begin()
        response = self.judge(attempt, 1, "deepfake", HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 200)
        self.assertIn("is not one of the available choices", response.content.decode())
        self.assertFalse(Answer.objects.exists())


class PassingOverTests(FeedFixture):
    def test_finishing_records_the_unjudged_posts_as_passed_over_never_as_answers(self):
        attempt = self.begin()
        judged = self.position_of(attempt, self.reals[0])
        self.judge(attempt, judged, "real", HTTP_HX_REQUEST="true")
        response = self.client.post(f"/attempts/{attempt.uid}/feed/finish/")
        self.assertRedirects(response, f"/attempts/{attempt.uid}/results/")
        attempt.refresh_from_db()
        self.assertTrue(attempt.is_finished)
        self.assertEqual(Answer.objects.filter(attempt=attempt).count(), 1)
        passed = AttemptItem.objects.filter(attempt=attempt, passed_at__isnull=False)
        self.assertEqual(sorted(e.position for e in passed), sorted({1, 2, 3, 4, 5} - {judged}))

    def test_the_results_say_how_many_were_passed_over_and_which_fakes(self):
        attempt = self.begin()
        self.judge(attempt, self.position_of(attempt, self.reals[0]), "real")
        self.client.post(f"/attempts/{attempt.uid}/feed/finish/")
        page = self.client.get(f"/attempts/{attempt.uid}/results/").content.decode()
        self.assertIn("You scrolled past 4 posts without judging them", page)
        self.assertIn("1 of them was a fake you let through", page)
        position = self.position_of(attempt, self.fake)
        self.assertIn(
            f"Post {position}: “Harbour mayor face swapped for the feed” (Deepfake)", page
        )
        # The one answer is what is measured: 1 of 1 right, the passes in no score.
        self.assertIn("1 of 1 right", page)

    def test_a_passed_post_cannot_be_judged_afterwards(self):
        attempt = self.begin()
        position = self.position_of(attempt, self.fake)
        key = next(
            p["form"]["key"].value()
            for p in self.client.get(self.feed_url).context["posts"]
            if p["entry"].position == position
        )
        self.client.post(f"/attempts/{attempt.uid}/feed/finish/")
        response = self.client.post(
            f"/attempts/{attempt.uid}/items/{position}/answer/",
            {"key": key, "verdict": "fake", "confidence": "90"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Answer.objects.exists())
        item_page = self.client.get(f"/attempts/{attempt.uid}/items/{position}/")
        self.assertContains(item_page, "You scrolled past this post")

    def test_judging_every_post_finishes_the_feed_with_none_passed(self):
        attempt = self.begin()
        for entry in attempt.entries.select_related("item__clip"):
            said = "fake" if entry.item.clip.is_manipulated else "real"
            self.judge(attempt, entry.position, said, HTTP_HX_REQUEST="true")
        attempt.refresh_from_db()
        self.assertTrue(attempt.is_finished)
        page = self.client.get(f"/attempts/{attempt.uid}/results/").content.decode()
        self.assertIn("5 of 5 right", page)
        self.assertNotIn("You scrolled past", page)

    def test_only_a_feed_can_be_finished_with_posts_left(self):
        practice = make_quiz(self.items[:2], title="Practice round")
        attempt = start(self.client, practice)
        response = self.client.post(f"/attempts/{attempt.uid}/feed/finish/")
        self.assertEqual(response.status_code, 400)
        attempt.refresh_from_db()
        self.assertFalse(attempt.is_finished)


class FeedTruthTests(IsolatedMediaTestCase):
    """A real clip and a workshop fake of it, processed for real: their posts are the same post,
    and every file the feed page loads is a blind rendition with no mark."""

    def setUp(self) -> None:
        super().setUp()
        self.real = self.create_clip(
            self.fixture("speech.mp4", make_video), "Mayor's harbour speech", licence="CC0"
        )
        self.publish(self.real)
        with self.captureOnCommitCallbacks(execute=True):
            self.fake = self.real.make_shallowfake("mirror", {}, self.curator)
        self.publish(self.fake)
        self.quiz = make_quiz(
            [make_item(self.real), make_item(self.fake)], title="Two-post feed", mode=Mode.FEED
        )

    def publish(self, clip) -> None:
        clip.refresh_from_db()
        self.assertTrue(clip.feed_media, clip.processing_error)
        clip.publication_state = PublicationState.PUBLISHED
        clip.save(update_fields=["publication_state"])

    def test_the_posts_of_a_real_and_a_fake_clip_give_nothing_away(self):
        attempt = start(self.client, self.quiz)
        html = self.client.get(f"/attempts/{attempt.uid}/feed/").content.decode()
        posts = posts_of(html)
        self.assertEqual(len(posts), 2)
        self.assertEqual(normalised_post(posts[0]), normalised_post(posts[1]))
        for secret in (self.real.title, self.fake.title, self.fake.slug, "Manipulated media"):
            self.assertNotIn(secret, html)
        urls = sorted(set(re.findall(r'(?:src|poster)="(/attempts/[^"]+)"', html)))
        self.assertEqual(len(urls), 4, urls)  # each post's feed video and poster
        for url in urls:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            for word in (b"Telltale", b"Manipulated", b"telltale_recipe", b"mirror"):
                self.assertNotIn(word, body, f"{word!r} in {url}")
        self.assertFalse(Answer.objects.exists())
