"""Results through the public pages: the measures on a small fixture match values worked out by
hand, the learner's progress pools their attempts, and the share page carries no personal data."""

from __future__ import annotations

from django.test import Client

from media_library import links
from media_library.models import Technique, Verdict
from quiz.models import Answer, Mode
from quiz.share_card import render_share_card
from quiz.sharing import share_summary
from tests.base import BaseTestCase
from tests.factories import answer_key, make_item, make_quiz, quizzable_clip, start


class ResultsTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        fakes = [
            quizzable_clip(f"Fake {n}", Verdict.DEEPFAKE, technique=Technique.FACE_SWAP)
            for n in range(4)
        ]
        reals = [quizzable_clip(f"Real {n}") for n in range(5)]
        cls.items = [make_item(clip) for clip in fakes + reals]
        cls.quiz = make_quiz(cls.items, mode=Mode.ASSESSMENT)
        # 3 of 4 fakes caught (one at 90 % called real); 2 of 5 reals called fake.
        cls.answers = [
            ("deepfake", 80),
            ("shallowfake", 70),  # manipulated: a hit, though the wrong kind of fake
            ("deepfake", 60),
            ("real", 90),
            ("deepfake", 90),
            ("shallowfake", 50),
            ("real", 70),
            ("real", 80),
            ("real", 100),
        ]

    def take(self, client: Client):
        attempt = start(client, self.quiz)
        for position, (verdict, confidence) in enumerate(self.answers, start=1):
            client.post(
                f"/attempts/{attempt.uid}/items/{position}/answer/",
                {
                    "key": answer_key(client, attempt, position),
                    "verdict": verdict,
                    "confidence": confidence,
                },
            )
        attempt.refresh_from_db()
        return attempt

    def test_it_measures_skill_apart_from_suspicion(self):
        attempt = self.take(self.client)
        self.assertTrue(attempt.is_finished)
        response = self.client.get(f"/attempts/{attempt.uid}/results/")
        summary = response.context["summary"]
        # Exact verdicts right: deepfake x2 of the fakes, real x3 of the reals = 5 of 9.
        self.assertEqual((summary.correct, summary.n), (5, 9))
        self.assertEqual((summary.hit_rate.k, summary.hit_rate.n), (3, 4))
        self.assertEqual((summary.false_alarm_rate.k, summary.false_alarm_rate.n), (2, 5))
        # H = .75, F = .4: d' = z(.75) - z(.4) = 0.6745 + 0.2533; c = -(0.6745 - 0.2533) / 2.
        self.assertAlmostEqual(summary.d_prime, 0.9278, places=3)
        self.assertAlmostEqual(summary.criterion, -0.2106, places=3)
        # Brier: (.8-1)^2 + (.7-0)^2 + (.6-1)^2 + (.9-0)^2 + (.9-0)^2 + (.5-0)^2 + (.7-1)^2
        # + (.8-1)^2 + (1-1)^2 = .04+.49+.16+.81+.81+.25+.09+.04+0 = 2.69; / 9 = 0.2989.
        self.assertAlmostEqual(summary.brier, 0.2989, places=3)
        self.assertContains(response, "5 of 9 right")
        self.assertContains(response, "0.93")
        self.assertContains(response, "\u22120.21")
        self.assertContains(response, "<svg", count=3)

    def test_it_shows_each_measure_with_its_95_percent_interval(self):
        self.client.force_login(self.student)
        attempt = self.take(self.client)
        # H = 3/4: Wilson 30 % to 95 %; F = 2/5: 12 % to 77 %; d' = 0.93 and c = -0.21 with
        # SE(d') = .88644 (tests/test_measures.py works it out), so -0.81 to 2.67 and -1.08 to
        # 0.66. The ROC area of the ratings (fakes .8, .7, .6, .1; real clips .9, .5, .3, .2, 0):
        # 13 of 20 pairs have the fake rated faker, 0.65.
        for url in (f"/attempts/{attempt.uid}/results/", "/me/progress/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(
                    response, '75 % <span class="muted">(95 % interval 30 % to 95 %)'
                )
                self.assertContains(
                    response, '40 % <span class="muted">(95 % interval 12 % to 77 %)'
                )
                self.assertContains(
                    response, '0.93 <span class="muted">(95 % interval \u22120.81 to 2.67)'
                )
                self.assertContains(
                    response, '\u22120.21 <span class="muted">(95 % interval \u22121.08 to 0.66)'
                )
                self.assertContains(response, "ROC area: <strong>0.65</strong>")
                self.assertAlmostEqual(response.context["summary"].roc_area.value, 0.65)
                self.assertContains(
                    response,
                    "How well your confidence separates fakes from real clips: 0.5 is guessing, "
                    "1 is perfect.",
                )
                self.assertContains(response, "shown from 4 fakes and 4 real clips judged")

    def test_it_shows_the_time_per_item_and_its_median(self):
        self.client.force_login(self.student)
        attempt = self.take(self.client)
        times = [3, 5, 8, 12, 15, 20, 30, 45, 90]
        for answer, seconds in zip(attempt.answers.order_by("entry__position"), times, strict=True):
            Answer.objects.filter(pk=answer.pk).update(seconds_taken=seconds)
        response = self.client.get(f"/attempts/{attempt.uid}/results/")
        self.assertContains(response, "Median time per item: 15 s.")
        self.assertContains(response, "answered in 3.0 s")
        self.assertContains(response, "answered in 45 s")
        self.assertContains(response, "answered in 1 min 30 s")
        self.assertContains(self.client.get("/me/progress/"), "Median time per item: 15 s.")

    def test_one_fake_and_one_real_clip_do_not_measure_skill(self):
        self.client.force_login(self.student)
        quiz = make_quiz([self.items[0], self.items[4]], title="Two", mode=Mode.ASSESSMENT)
        attempt = start(self.client, quiz)
        for position in (1, 2):
            self.client.post(
                f"/attempts/{attempt.uid}/items/{position}/answer/",
                {
                    "key": answer_key(self.client, attempt, position),
                    "verdict": "deepfake",
                    "confidence": 60,
                },
            )
        for url in (f"/attempts/{attempt.uid}/results/", "/me/progress/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(
                    response, "Not enough answers yet to measure skill apart from suspicion"
                )
                self.assertContains(response, "(1 fakes and 1 real clips so far)", count=2)
                self.assertContains(response, "Not enough answers yet for the ROC area")
                self.assertContains(response, "1 of 1: not enough answers yet", count=2)
                self.assertNotContains(response, "d\u2032 (sensitivity)")
                self.assertNotContains(response, "(95 % interval")
                self.assertNotContains(response, "0.00")

    def answer_some(self, attempt, count: int) -> None:
        for position, (verdict, confidence) in enumerate(self.answers[:count], start=1):
            self.client.post(
                f"/attempts/{attempt.uid}/items/{position}/answer/",
                {
                    "key": answer_key(self.client, attempt, position),
                    "verdict": verdict,
                    "confidence": confidence,
                },
            )

    def test_an_unfinished_assessment_shows_nothing_about_right_or_wrong(self):
        self.client.force_login(self.student)
        attempt = start(self.client, self.quiz)
        # Item 1 right (a deepfake called deepfake), item 2 wrong (called shallowfake).
        self.answer_some(attempt, 2)
        response = self.client.get(f"/attempts/{attempt.uid}/results/")
        self.assertContains(response, "You have answered 2 of 9 items")
        self.assertContains(response, "Answered", count=2)
        for leak in ("outcome-right", "outcome-wrong", "Wrong", "of 2 right", "see the reveal"):
            with self.subTest(leak=leak):
                self.assertNotContains(response, leak)
        self.assertEqual(response.context["summary"].n, 0)
        # Nor does the progress page count them, in its measures or its list of attempts.
        progress = self.client.get("/me/progress/")
        self.assertEqual(progress.context["summary"].n, 0)
        self.assertNotContains(progress, "1 / 2")
        self.assertContains(progress, "2 answered; results at the end")

    def test_an_unfinished_practice_attempt_shows_each_answer(self):
        quiz = make_quiz(self.items, title="Practice", mode=Mode.PRACTICE)
        attempt = start(self.client, quiz)
        self.answer_some(attempt, 2)
        response = self.client.get(f"/attempts/{attempt.uid}/results/")
        self.assertContains(response, "1 of 2 right")
        self.assertContains(response, "badge outcome-right", count=1)
        self.assertContains(response, "badge outcome-wrong", count=1)

    def test_unfinished_attempts_say_so(self):
        attempt = start(self.client, self.quiz)
        response = self.client.get(f"/attempts/{attempt.uid}/results/")
        self.assertContains(response, "You have answered 0 of 9 items")
        self.assertEqual(self.client.get(f"/shared/{attempt.uid}/").status_code, 404)

    def test_a_learner_sees_their_progress_over_attempts(self):
        self.client.force_login(self.student)
        self.take(self.client)
        self.take(self.client)
        response = self.client.get("/me/progress/")
        self.assertEqual(response.context["summary"].n, 18)
        self.assertEqual(len(response.context["attempts"]), 2)
        self.assertContains(response, "5 / 9", count=2)

    def test_results_and_the_quiz_list_link_the_progress_page_only_when_an_app_provides_it(self):
        self.client.force_login(self.student)
        attempt = self.take(self.client)
        results = f"/attempts/{attempt.uid}/results/"
        self.assertContains(self.client.get(results), 'href="/me/progress/"')
        self.assertContains(self.client.get("/quizzes/"), 'href="/me/progress/"')
        provider = links.unregister(links.LEARNER_PROGRESS)
        self.addCleanup(links.register, links.LEARNER_PROGRESS, provider)
        self.assertNotContains(self.client.get(results), "/me/progress/")
        self.assertNotContains(self.client.get("/quizzes/"), "/me/progress/")

    def test_progress_needs_an_account(self):
        self.assertEqual(self.client.get("/me/progress/").status_code, 302)

    def test_the_share_page_and_card_carry_no_personal_data(self):
        self.client.force_login(self.student)
        attempt = self.take(self.client)
        anyone = Client()
        page = anyone.get(f"/shared/{attempt.uid}/")
        self.assertContains(page, 'property="og:image"')
        self.assertContains(page, f"/shared/{attempt.uid}/card.png")
        self.assertContains(page, "I caught 3 of 4 fakes")
        self.assertNotContains(page, "student")
        card = anyone.get(f"/shared/{attempt.uid}/card.png")
        self.assertEqual(card["Content-Type"], "image/png")
        self.assertTrue(card.content.startswith(b"\x89PNG"))
        # The card says where to play: the site's own address, as the visitor reached it.
        with self.settings(ALLOWED_HOSTS=["telltale.example.org"]):
            hosted = anyone.get(
                f"/shared/{attempt.uid}/card.png", headers={"host": "telltale.example.org"}
            )
        summary = share_summary(attempt)
        card_of = {
            "quiz_title": attempt.quiz.title,
            "correct": summary["correct"],
            "total": summary["total"],
            "headline": summary["headline"],
        }
        self.assertEqual(hosted.content, render_share_card(**card_of, site="telltale.example.org"))
        self.assertNotEqual(hosted.content, render_share_card(**card_of, site="telltale"))
        # The results themselves stay private.
        self.assertEqual(anyone.get(f"/attempts/{attempt.uid}/results/").status_code, 404)
