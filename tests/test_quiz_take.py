"""Taking a quiz through the test client: answer first, then the reveal; each item type and mode;
answers stored once; attempts private to whoever started them."""

from __future__ import annotations

import re
import uuid

from django.test import Client

from media_library import links
from media_library.models import Technique, Verdict
from quiz.models import Answer, Attempt, ItemKind, Mode, Slot, SpotTarget
from tests.base import BaseTestCase
from tests.factories import add_tell, answer_key, make_item, make_quiz, quizzable_clip, start


class QuizFixture(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.real = quizzable_clip("Mayor at the harbour")
        cls.fake = quizzable_clip(
            "Mayor face swap",
            Verdict.DEEPFAKE,
            technique=Technique.FACE_SWAP,
            original=cls.real,
        )
        add_tell(cls.fake, box_x=0.4, box_y=0.1, box_w=0.2, box_h=0.3)
        cls.verdict_item = make_item(cls.fake)
        cls.pair_item = make_item(cls.real, ItemKind.PAIR, other_clip=cls.fake)
        cls.spot_item = make_item(cls.fake, ItemKind.SPOT_TELL, spot_target=SpotTarget.BOTH)
        cls.technique_item = make_item(cls.fake, ItemKind.TECHNIQUE)
        cls.quiz = make_quiz([cls.verdict_item, cls.pair_item, cls.spot_item, cls.technique_item])

    def post_answer(self, attempt: Attempt, position: int, data: dict, **extra):
        data = {"key": answer_key(self.client, attempt, position), **data}
        return self.client.post(f"/attempts/{attempt.uid}/items/{position}/answer/", data, **extra)


class TakeEachItemTypeTests(QuizFixture):
    def test_it_reveals_a_verdict_after_the_answer_is_stored(self):
        attempt = start(self.client, self.quiz)
        response = self.post_answer(attempt, 1, {"verdict": "real", "confidence": "90"})
        self.assertRedirects(response, f"/attempts/{attempt.uid}/items/1/")
        answer = Answer.objects.get(attempt=attempt)
        self.assertFalse(answer.is_correct)
        self.assertEqual(answer.confidence, 90)
        page = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        self.assertIn(">Wrong</h1>", page)
        self.assertIn("Mayor face swap", page)
        self.assertIn("Manipulated media", page)
        self.assertIn("The edge of the face flickers.", page)
        # The original it was made from, side by side.
        self.assertIn("Mayor at the harbour", page)
        self.assertIn("You were 90 % sure, and this one fooled you", page)
        self.assertIn("No analysis yet", page)

    def test_the_reveal_links_the_lesson_for_each_tell_and_the_question_does_not(self):
        from lessons.models import Lesson, LessonKind

        lesson = Lesson.objects.create(
            slug="face-edges",
            title="Face edges and flicker",
            kind=LessonKind.TELL,
            tell_category="face_edges",
            body="Look at the edge of the face.",
        )
        attempt = start(self.client, self.quiz)
        before = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        self.assertNotIn(lesson.get_absolute_url(), before)
        self.post_answer(attempt, 1, {"verdict": "deepfake", "confidence": "60"})
        after = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        self.assertIn(f'href="{lesson.get_absolute_url()}"', after)
        self.assertIn("Learn this tell: Face edges and flicker", after)

    def test_every_script_on_the_item_page_carries_the_csp_nonce(self):
        attempt = start(self.client, self.quiz)
        url = f"/attempts/{attempt.uid}/items/1/"
        question = self.client.get(url)
        self.post_answer(attempt, 1, {"verdict": "deepfake", "confidence": "60"})
        for response in (question, self.client.get(url)):
            policy = response.headers["Content-Security-Policy"]
            nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
            scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
            self.assertTrue(any("js/quiz.js" in tag for tag in scripts), scripts)
            for tag in scripts:
                self.assertIn(f'nonce="{nonce}"', tag)

    def test_the_reveal_shows_no_lesson_link_when_no_app_provides_one(self):
        from lessons.models import Lesson, LessonKind

        Lesson.objects.create(
            slug="face-edges",
            title="Face edges and flicker",
            kind=LessonKind.TELL,
            tell_category="face_edges",
            body="Look at the edge of the face.",
        )
        provider = links.unregister(links.LESSON_FOR_TELL)
        self.addCleanup(links.register, links.LESSON_FOR_TELL, provider)
        attempt = start(self.client, self.quiz)
        self.post_answer(attempt, 1, {"verdict": "deepfake", "confidence": "60"})
        response = self.client.get(f"/attempts/{attempt.uid}/items/1/")
        self.assertContains(response, "The tells")
        self.assertNotContains(response, "Learn this tell")
        self.assertNotContains(response, "/lessons/face-edges/")

    def test_it_scores_a_pair_by_the_slot_the_fake_was_shown_in(self):
        attempt = start(self.client, self.quiz)
        entry = attempt.entries.get(position=2)
        fake_slot = Slot.A if entry.clip_in_slot(Slot.A) == self.fake else Slot.B
        self.post_answer(attempt, 2, {"slot": fake_slot, "confidence": "70"})
        self.assertTrue(Answer.objects.get(attempt=attempt).is_correct)

    def test_it_scores_a_pair_wrong_when_the_real_one_is_picked(self):
        attempt = start(self.client, self.quiz)
        entry = attempt.entries.get(position=2)
        real_slot = Slot.A if entry.clip_in_slot(Slot.A) == self.real else Slot.B
        self.post_answer(attempt, 2, {"slot": real_slot, "confidence": "70"})
        self.assertFalse(Answer.objects.get(attempt=attempt).is_correct)

    def test_it_scores_spot_the_tell_by_place_and_time(self):
        cases = [
            ({"x": "0.5", "y": "0.2", "seconds": "3"}, True, 1.0),
            ({"cell": "1", "seconds": "4.5"}, True, 1.0),  # top centre; within a second
            ({"cell": "6", "seconds": "3"}, False, 0.5),  # bottom left: wrong place
            ({"x": "0.5", "y": "0.2", "seconds": "9"}, False, 0.5),  # wrong moment
        ]
        for data, correct, score in cases:
            with self.subTest(data=data):
                client = Client()
                self.client = client
                attempt = start(client, self.quiz)
                self.post_answer(attempt, 3, data)
                answer = Answer.objects.get(attempt=attempt)
                self.assertEqual((answer.is_correct, answer.score), (correct, score))

    def test_partly_right_is_said_the_same_way_on_the_reveal_and_the_results(self):
        attempt = start(self.client, self.quiz)
        self.post_answer(attempt, 3, {"cell": "6", "seconds": "3"})  # the moment, not the place
        reveal = self.client.get(f"/attempts/{attempt.uid}/items/3/").content.decode()
        self.assertIn('class="reveal outcome-partly"', reveal)
        self.assertIn(">Partly right</h1>", reveal)
        results = self.client.get(f"/attempts/{attempt.uid}/results/").content.decode()
        self.assertIn('<span class="badge outcome-partly">Partly right</span>', results)
        self.assertNotIn("Wrong", results)

    def answer_verdict_as_others(self, verdicts: list[str]) -> None:
        mine = self.client
        for verdict in verdicts:
            self.client = Client()
            attempt = start(self.client, self.quiz)
            self.post_answer(attempt, 1, {"verdict": verdict, "confidence": "70"})
        self.client = mine

    def test_the_confidence_message_agrees_with_the_crowd_beside_it(self):
        # 4 of 5 others got it right: it was not hard, whatever this learner thought.
        self.answer_verdict_as_others(["deepfake"] * 4 + ["real"])
        attempt = start(self.client, self.quiz)
        self.post_answer(attempt, 1, {"verdict": "real", "confidence": "80"})
        page = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        self.assertIn("80 % of 5 answers were right.", page)
        self.assertIn(
            "You were 80 % sure, and rightly unsure, though most others got this one right", page
        )
        self.assertNotIn("hard", page)

    def test_a_crowd_most_missed_says_so(self):
        self.answer_verdict_as_others(["real"] * 4 + ["deepfake"])
        attempt = start(self.client, self.quiz)
        self.post_answer(attempt, 1, {"verdict": "real", "confidence": "60"})
        page = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        self.assertIn("20 % of 5 answers were right.", page)
        self.assertIn("most others missed this one too", page)

    def test_a_small_crowd_says_nothing_about_how_hard_it_was(self):
        self.answer_verdict_as_others(["deepfake", "deepfake"])
        attempt = start(self.client, self.quiz)
        self.post_answer(attempt, 1, {"verdict": "real", "confidence": "80"})
        page = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        self.assertIn("100 % of 2 answers were right.", page)
        self.assertIn("You were 80 % sure, and rightly unsure.", page)
        self.assertNotIn("hard", page)
        self.assertNotIn("most others", page)

    def test_it_refuses_a_spot_answer_without_a_place(self):
        attempt = start(self.client, self.quiz)
        response = self.post_answer(attempt, 3, {"seconds": "3"})
        self.assertContains(response, "Choose where on the frame the giveaway is.")
        self.assertFalse(Answer.objects.exists())

    def test_it_scores_the_technique(self):
        attempt = start(self.client, self.quiz)
        self.post_answer(attempt, 4, {"technique": "face_swap"})
        self.assertTrue(Answer.objects.get().is_correct)

    def test_it_refuses_bad_values_with_a_message_and_stores_nothing(self):
        attempt = start(self.client, self.quiz)
        response = self.post_answer(attempt, 1, {"verdict": "maybe", "confidence": "120"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Select a valid choice")
        self.assertContains(response, "Ensure this value is less than or equal to 100")
        self.assertFalse(Answer.objects.exists())


class ModesTests(QuizFixture):
    def test_practice_finishes_when_every_item_is_answered(self):
        attempt = start(self.client, self.quiz)
        self.post_answer(attempt, 1, {"verdict": "deepfake", "confidence": "80"})
        self.post_answer(attempt, 2, {"slot": "a", "confidence": "60"})
        self.post_answer(attempt, 3, {"cell": "1", "seconds": "3"})
        self.post_answer(attempt, 4, {"technique": "none"})
        attempt.refresh_from_db()
        self.assertTrue(attempt.is_finished)
        response = self.client.get(f"/attempts/{attempt.uid}/")
        self.assertRedirects(response, f"/attempts/{attempt.uid}/results/")

    def test_assessment_keeps_the_truth_until_the_end(self):
        self.quiz.mode = Mode.ASSESSMENT
        self.quiz.save()
        attempt = start(self.client, self.quiz)
        response = self.post_answer(attempt, 1, {"verdict": "deepfake", "confidence": "80"})
        self.assertRedirects(response, f"/attempts/{attempt.uid}/items/2/")
        page = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        self.assertIn("Answer saved", page)
        self.assertNotIn("Mayor face swap", page)
        self.assertNotIn(">Right</h1>", page)
        self.post_answer(attempt, 2, {"slot": "a", "confidence": "60"})
        self.post_answer(attempt, 3, {"cell": "1", "seconds": "3"})
        response = self.post_answer(attempt, 4, {"technique": "none"})
        self.assertRedirects(response, f"/attempts/{attempt.uid}/results/")
        page = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        self.assertIn(">Right</h1>", page)
        self.assertIn("Mayor face swap", page)

    def test_htmx_answers_swap_the_stage_in_place(self):
        attempt = start(self.client, self.quiz)
        response = self.post_answer(
            attempt, 1, {"verdict": "deepfake", "confidence": "80"}, HTTP_HX_REQUEST="true"
        )
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertTrue(body.lstrip().startswith('<section id="stage"'))
        self.assertIn(">Right</h1>", body)
        self.assertEqual(response["HX-Push-Url"], f"/attempts/{attempt.uid}/items/1/")
        self.assertNotIn("<html", body)

    def test_htmx_assessment_goes_straight_to_the_next_item(self):
        self.quiz.mode = Mode.ASSESSMENT
        self.quiz.save()
        attempt = start(self.client, self.quiz)
        response = self.post_answer(
            attempt, 1, {"verdict": "deepfake", "confidence": "80"}, HTTP_HX_REQUEST="true"
        )
        self.assertEqual(response["HX-Push-Url"], f"/attempts/{attempt.uid}/items/2/")
        self.assertContains(response, "One of these two was manipulated")

    def test_feed_draws_fakes_as_a_minority(self):
        reals = [make_item(quizzable_clip(f"Real {n}")) for n in range(8)]
        fakes = [
            make_item(quizzable_clip(f"Fake {n}", Verdict.SHALLOWFAKE, technique="crop"))
            for n in range(8)
        ]
        feed = make_quiz(
            reals + fakes,
            title="Feed",
            mode=Mode.FEED,
            selection="pool",
            pool_size=10,
            feed_fake_percent=20,
        )
        attempt = start(self.client, feed)
        verdicts = [e.item.clip.verdict for e in attempt.entries.select_related("item__clip")]
        self.assertEqual(len(verdicts), 10)
        self.assertEqual(sum(v != Verdict.REAL for v in verdicts), 2)
        page = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        self.assertIn("/feed/", page)
        self.assertIn("phone", page)


class StoredOnceTests(QuizFixture):
    def test_a_double_click_stores_one_answer(self):
        attempt = start(self.client, self.quiz)
        key = answer_key(self.client, attempt, 1)
        url = f"/attempts/{attempt.uid}/items/1/answer/"
        first = self.client.post(url, {"key": key, "verdict": "deepfake", "confidence": "80"})
        second = self.client.post(url, {"key": key, "verdict": "deepfake", "confidence": "80"})
        self.assertEqual((first.status_code, second.status_code), (302, 302))
        self.assertEqual(Answer.objects.count(), 1)

    def test_a_second_answer_cannot_replace_the_first(self):
        attempt = start(self.client, self.quiz)
        url = f"/attempts/{attempt.uid}/items/1/answer/"
        self.client.post(url, {"key": uuid.uuid4(), "verdict": "real", "confidence": "80"})
        response = self.client.post(
            url, {"key": uuid.uuid4(), "verdict": "deepfake", "confidence": "80"}, follow=True
        )
        self.assertContains(response, "your first answer stands")
        self.assertEqual(list(Answer.objects.values_list("verdict", flat=True)), ["real"])

    def test_a_reused_key_on_another_item_is_refused(self):
        attempt = start(self.client, self.quiz)
        key = uuid.uuid4()
        base = f"/attempts/{attempt.uid}/items"
        self.client.post(f"{base}/1/answer/", {"key": key, "verdict": "real", "confidence": "80"})
        response = self.client.post(f"{base}/4/answer/", {"key": key, "technique": "none"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Answer.objects.count(), 1)

    def test_items_outside_the_attempt_are_refused(self):
        attempt = start(self.client, self.quiz)
        response = self.client.post(
            f"/attempts/{attempt.uid}/items/9/answer/",
            {"key": uuid.uuid4(), "verdict": "real", "confidence": "80"},
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Answer.objects.exists())


class OwnershipTests(QuizFixture):
    def test_another_visitor_cannot_see_or_answer_an_attempt(self):
        attempt = start(self.client, self.quiz)
        stranger = Client()
        self.assertEqual(stranger.get(f"/attempts/{attempt.uid}/items/1/").status_code, 404)
        response = stranger.post(
            f"/attempts/{attempt.uid}/items/1/answer/",
            {"key": uuid.uuid4(), "verdict": "real", "confidence": "80"},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(stranger.get(f"/attempts/{attempt.uid}/results/").status_code, 404)
        self.assertEqual(stranger.get(f"/attempts/{attempt.uid}/items/1/a/media/").status_code, 404)

    def test_signed_in_learners_keep_their_attempts_across_sessions(self):
        self.client.force_login(self.student)
        attempt = start(self.client, self.quiz)
        self.assertEqual(attempt.user, self.student)
        other_device = Client()
        other_device.force_login(self.student)
        self.assertEqual(other_device.get(f"/attempts/{attempt.uid}/items/1/").status_code, 200)
        outsider = Client()
        outsider.force_login(self.outsider)
        self.assertEqual(outsider.get(f"/attempts/{attempt.uid}/items/1/").status_code, 404)

    def test_only_the_owner_may_answer_a_signed_in_attempt(self):
        self.client.force_login(self.student)
        attempt = start(self.client, self.quiz)
        answer = {"verdict": "deepfake", "confidence": "70"}
        outsider = Client()
        outsider.force_login(self.outsider)
        refused = outsider.post(
            f"/attempts/{attempt.uid}/items/1/answer/", {"key": uuid.uuid4(), **answer}
        )
        self.assertEqual(refused.status_code, 404)
        self.assertFalse(Answer.objects.exists())
        # The same learner on another device answers it.
        other_device = Client()
        other_device.force_login(self.student)
        key = answer_key(other_device, attempt, 1)
        response = other_device.post(
            f"/attempts/{attempt.uid}/items/1/answer/", {"key": key, **answer}
        )
        self.assertRedirects(response, f"/attempts/{attempt.uid}/items/1/")
        self.assertTrue(Answer.objects.get(attempt=attempt).is_correct)

    def test_a_visitor_keeps_answering_their_attempt_after_signing_in(self):
        attempt = start(self.client, self.quiz)
        self.client.force_login(self.student)
        response = self.post_answer(attempt, 1, {"verdict": "deepfake", "confidence": "60"})
        self.assertRedirects(response, f"/attempts/{attempt.uid}/items/1/")
        self.assertEqual(Answer.objects.filter(attempt=attempt).count(), 1)

    def test_drafts_cannot_be_started_by_learners(self):
        self.quiz.is_published = False
        self.quiz.save()
        self.assertEqual(self.client.get(f"/quizzes/{self.quiz.slug}/").status_code, 404)
        self.assertEqual(self.client.post(f"/quizzes/{self.quiz.slug}/start/").status_code, 404)

    def test_unpublished_clips_are_left_out_of_new_attempts(self):
        self.fake.publication_state = "draft"
        self.fake.save()
        response = self.client.post(f"/quizzes/{self.quiz.slug}/start/", follow=True)
        self.assertContains(response, "This quiz has no items ready yet.")


class TellBoxTimingTests(BaseTestCase):
    def test_a_video_tell_box_shows_only_within_its_time_range(self):
        clip = quizzable_clip("Speech, end swapped", Verdict.DEEPFAKE, duration_seconds=10.0)
        add_tell(
            clip, start_seconds=0.5, end_seconds=1.5, box_x=0.1, box_y=0.1, box_w=0.2, box_h=0.2
        )
        add_tell(
            clip, start_seconds=9.0, end_seconds=10.0, box_x=0.4, box_y=0.6, box_w=0.2, box_h=0.3
        )
        quiz = make_quiz([make_item(clip, ItemKind.SPOT_TELL, spot_target=SpotTarget.REGION)])
        attempt = start(self.client, quiz)
        self.client.post(
            f"/attempts/{attempt.uid}/items/1/answer/",
            {"key": answer_key(self.client, attempt, 1), "cell": "4"},
        )
        page = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        boxes = re.findall(r'<rect class="overlay-tell"[^>]*/>', page)
        self.assertEqual(len(boxes), 2, page)
        early, late = boxes
        # The poster is the frame at 1 s: the early tell's box is on it, the last second's is not.
        self.assertIn('data-start="0.50" data-end="1.50"', early)
        self.assertNotIn('visibility="hidden"', early)
        self.assertIn('data-start="9.00" data-end="10.00"', late)
        self.assertIn('visibility="hidden"', late)
        self.assertIn('data-player="reveal-player-1" data-poster-seconds="1.00"', page)
        # The script that moves them with the player is a static file under the CSP nonce.
        self.assertRegex(page, r'<script src="/static/js/tell-boxes[^"]*\.js" nonce="[^"]+" defer>')

    def test_an_image_tell_box_is_always_shown(self):
        clip = quizzable_clip(
            "Retouched portrait", Verdict.DEEPFAKE, kind="image", duration_seconds=None
        )
        add_tell(clip, start_seconds=0, end_seconds=0, box_x=0.1, box_y=0.1, box_w=0.2, box_h=0.2)
        quiz = make_quiz([make_item(clip, ItemKind.SPOT_TELL, spot_target=SpotTarget.REGION)])
        attempt = start(self.client, quiz)
        self.client.post(
            f"/attempts/{attempt.uid}/items/1/answer/",
            {"key": answer_key(self.client, attempt, 1), "cell": "0"},
        )
        page = self.client.get(f"/attempts/{attempt.uid}/items/1/").content.decode()
        [box] = re.findall(r'<rect class="overlay-tell"[^>]*/>', page)
        self.assertNotIn("visibility", box)
        self.assertNotIn("data-start", box)
