"""A clip withdrawn while attempts are under way: its files stop being served at once, the entry
is skipped (the attempt moves on and can finish), the results say so, and a class's gradebook
and learning gain count the work done. The curator withdraws through the real route."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from lessons.models import AssignmentRole, PrePost
from media_library.models import Clip, PublicationState, Verdict
from quiz.models import Answer, Attempt, Item, ItemKind, Mode
from tests.base import IsolatedMediaTestCase
from tests.classroom_helpers import ClassroomTestCase
from tests.factories import (
    HTMX,
    answer_key,
    assign,
    make_item,
    make_quiz,
    make_user,
    messages_of,
    quizzable_clip,
    start,
)

VARIANTS = ("media", "feed", "poster", "captions")
SKIPPED = "1 item was withdrawn from Telltale before you answered it"
SKIPPED_NOTICE = "This item was withdrawn from Telltale: it is left out of your attempt"
WRONG = {Verdict.REAL: Verdict.DEEPFAKE, Verdict.DEEPFAKE: Verdict.REAL}


def when(hours: float) -> str:
    return (timezone.localtime() + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def withdraw(clip: Clip, curator) -> None:
    """As a curator would: the clip page's Withdraw button."""
    curator_client = Client()
    curator_client.force_login(curator)
    response = curator_client.post(reverse("media_library:clip-withdraw", args=[clip.slug]))
    assert response.status_code == 302, response
    clip.refresh_from_db()
    assert clip.publication_state == PublicationState.DRAFT


class WithdrawnClipTestCase(IsolatedMediaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.first = self.served_clip("Harbour at dawn from the lighthouse")
        self.second = self.served_clip("Council meeting with a swapped face", Verdict.DEEPFAKE)
        self.third = self.served_clip("Flooded high street in the spring")
        self.items = [make_item(clip) for clip in (self.first, self.second, self.third)]

    def served_clip(self, title: str, verdict: str = Verdict.REAL) -> Clip:
        """A quizzable clip whose blind files exist in storage, with captions."""
        clip = quizzable_clip(
            title,
            verdict,
            quiz_poster=f"quiz/{title[:4]}-poster.jpg",
            captions_vtt="WEBVTT\n\n00:00.000 --> 00:02.000\nGood morning.\n",
        )
        poster = io.BytesIO()
        Image.new("RGB", (64, 36), (90, 120, 150)).save(poster, "JPEG")
        contents = {
            "quiz_media": b"blind rendition bytes " * 20,
            "feed_media": b"blind feed bytes " * 20,
            # The poster is redrawn for each attempt, so it must be a real picture.
            "quiz_poster": poster.getvalue(),
        }
        for field, content in contents.items():
            name = getattr(clip, field).name
            saved = default_storage.save(name, ContentFile(content))
            assert saved == name, saved
        return clip

    def quiz(self, mode: str = Mode.PRACTICE, items=None):
        return make_quiz(items or self.items, mode=mode)

    def media_status(self, attempt: Attempt, position: int, slot: str = "a") -> list[int]:
        base = f"/attempts/{attempt.uid}/items/{position}/{slot}"
        return [self.client.get(f"{base}/{variant}/").status_code for variant in VARIANTS]

    def answer(self, attempt: Attempt, position: int, verdict: str = "real", **extra):
        data = {
            "key": answer_key(self.client, attempt, position),
            "verdict": verdict,
            "confidence": "70",
        }
        return self.client.post(f"/attempts/{attempt.uid}/items/{position}/answer/", data, **extra)


class ServingTests(WithdrawnClipTestCase):
    def test_it_stops_serving_a_withdrawn_clip_to_an_attempt_in_progress(self) -> None:
        attempt = start(self.client, self.quiz())
        self.assertEqual(self.media_status(attempt, 2), [200, 200, 200, 200])
        withdraw(self.second, self.curator)
        self.assertEqual(self.media_status(attempt, 2), [404, 404, 404, 404])
        # The other items are untouched.
        self.assertEqual(self.media_status(attempt, 1), [200, 200, 200, 200])

    def test_a_pair_loses_both_clips_when_either_is_withdrawn(self) -> None:
        pair = make_item(self.first, ItemKind.PAIR, other_clip=self.second)
        attempt = start(self.client, self.quiz(items=[pair, self.items[2]]))
        self.assertEqual(self.media_status(attempt, 1, "b"), [200, 200, 200, 200])
        withdraw(self.second, self.curator)
        for slot in ("a", "b"):
            self.assertEqual(self.media_status(attempt, 1, slot), [404, 404, 404, 404])
        self.assertRedirects(
            self.client.get(f"/attempts/{attempt.uid}/"), f"/attempts/{attempt.uid}/items/2/"
        )

    def test_the_reveal_of_an_answered_withdrawn_item_shows_and_serves_nothing_of_it(self) -> None:
        attempt = start(self.client, self.quiz())
        self.answer(attempt, 1, "real")
        withdraw(self.first, self.curator)
        page = self.client.get(f"/attempts/{attempt.uid}/items/1/")
        self.assertContains(page, "This clip was withdrawn from Telltale after you answered")
        self.assertContains(page, ">Right</h1>")
        self.assertNotContains(page, "Harbour at dawn from the lighthouse")
        self.assertNotContains(page, self.first.uid.hex)
        self.assertNotContains(page, "<video")
        self.assertEqual(self.media_status(attempt, 1), [404, 404, 404, 404])
        # The answer given before the withdrawal stands.
        self.assertEqual(Answer.objects.filter(attempt=attempt).count(), 1)


class SkippingTests(WithdrawnClipTestCase):
    def test_it_moves_the_learner_past_the_withdrawn_item(self) -> None:
        attempt = start(self.client, self.quiz())
        self.answer(attempt, 1)
        withdraw(self.second, self.curator)
        resume = f"/attempts/{attempt.uid}/"
        self.assertRedirects(self.client.get(resume), f"/attempts/{attempt.uid}/items/3/")
        # Its page is not shown: the learner is told and moved on.
        page = self.client.get(f"/attempts/{attempt.uid}/items/2/", follow=True)
        self.assertEqual(page.redirect_chain[-1][0], f"/attempts/{attempt.uid}/items/3/")
        self.assertContains(page, SKIPPED_NOTICE)
        self.assertNotContains(page, "Council meeting with a swapped face")

    def test_it_refuses_an_answer_to_an_item_withdrawn_after_it_was_shown(self) -> None:
        attempt = start(self.client, self.quiz(Mode.ASSESSMENT))
        self.answer(attempt, 1)
        key = answer_key(self.client, attempt, 2)
        withdraw(self.second, self.curator)
        response = self.client.post(
            f"/attempts/{attempt.uid}/items/2/answer/",
            {"key": key, "verdict": "deepfake", "confidence": "90"},
        )
        self.assertRedirects(response, f"/attempts/{attempt.uid}/items/3/")
        self.assertIn(SKIPPED_NOTICE, " ".join(messages_of(response)))
        self.assertFalse(Answer.objects.filter(attempt=attempt, item=self.items[1]).exists())

    def test_with_htmx_the_refused_answer_swaps_in_the_next_item(self) -> None:
        attempt = start(self.client, self.quiz(Mode.ASSESSMENT))
        key = answer_key(self.client, attempt, 1)
        withdraw(self.first, self.curator)
        response = self.client.post(
            f"/attempts/{attempt.uid}/items/1/answer/",
            {"key": key, "verdict": "real", "confidence": "90"},
            **HTMX,
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["HX-Push-Url"], f"/attempts/{attempt.uid}/items/2/")
        self.assertContains(response, SKIPPED_NOTICE)
        self.assertFalse(Answer.objects.exists())


class FinishingTests(WithdrawnClipTestCase):
    def test_withdrawing_the_last_unanswered_item_finishes_the_attempt_at_once(self) -> None:
        attempt = start(self.client, self.quiz(Mode.ASSESSMENT))
        self.answer(attempt, 1, "real")
        self.answer(attempt, 2, "deepfake")
        attempt.refresh_from_db()
        self.assertFalse(attempt.is_finished)
        withdraw(self.third, self.curator)
        attempt.refresh_from_db()
        self.assertTrue(attempt.is_finished)
        # "Carry on" leads to the results, not back to the same page.
        results = f"/attempts/{attempt.uid}/results/"
        self.assertRedirects(self.client.get(f"/attempts/{attempt.uid}/"), results)
        page = self.client.get(results)
        self.assertContains(page, SKIPPED)
        self.assertContains(page, "2 of 2 right")
        self.assertContains(page, "Share your score")
        self.assertNotContains(page, "The full results appear when you finish")

    def test_the_reveals_next_item_button_leads_to_the_results_page_with_htmx(self) -> None:
        attempt = start(self.client, self.quiz())
        self.answer(attempt, 1)
        self.answer(attempt, 2)
        withdraw(self.third, self.curator)
        # The stage would otherwise get a whole results page swapped into it.
        response = self.client.get(f"/attempts/{attempt.uid}/", **HTMX)
        self.assertEqual(response["HX-Redirect"], f"/attempts/{attempt.uid}/results/")

    def test_the_last_answer_finishes_an_attempt_with_a_withdrawn_item(self) -> None:
        attempt = start(self.client, self.quiz(Mode.ASSESSMENT))
        withdraw(self.second, self.curator)
        self.answer(attempt, 1)
        response = self.answer(attempt, 3)
        self.assertRedirects(response, f"/attempts/{attempt.uid}/results/")
        attempt.refresh_from_db()
        self.assertTrue(attempt.is_finished)
        self.assertContains(self.client.get(f"/attempts/{attempt.uid}/results/"), SKIPPED)

    def test_it_finishes_lazily_when_an_item_became_unanswerable_another_way(self) -> None:
        attempt = start(self.client, self.quiz(Mode.ASSESSMENT))
        self.answer(attempt, 1)
        self.answer(attempt, 2)
        # No withdrawal signal: the blind rendition is gone (say, removed by hand).
        Clip.objects.filter(pk=self.third.pk).update(quiz_media="")
        attempt.refresh_from_db()
        self.assertFalse(attempt.is_finished)
        page = self.client.get(f"/attempts/{attempt.uid}/results/")
        self.assertContains(page, SKIPPED)
        self.assertContains(page, "Share your score")
        attempt.refresh_from_db()
        self.assertTrue(attempt.is_finished)

    def test_an_unfinished_attempt_counts_only_the_items_left_to_answer(self) -> None:
        attempt = start(self.client, self.quiz(Mode.ASSESSMENT))
        self.answer(attempt, 1)
        withdraw(self.second, self.curator)
        page = self.client.get(f"/attempts/{attempt.uid}/results/")
        self.assertContains(page, "You have answered 1 of 2 items.")
        self.assertContains(page, SKIPPED)
        self.assertContains(page, "Withdrawn</span> Item 2")


class GradebookTests(ClassroomTestCase):
    """A class's records: work finished by a withdrawal counts as done."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.third_student = make_user("third_student")
        cls.classroom.join(cls.third_student)
        # Eight real clips and eight fakes made from them, as the pre/post tests deal them.
        for n in range(8):
            real = quizzable_clip(f"Real {n}")
            fake = quizzable_clip(f"Fake {n}", Verdict.DEEPFAKE, original=real)
            make_item(real)
            make_item(fake)

    def take(self, user, assignment, answered: int) -> Attempt:
        """Answer the first `answered` entries, the first right and the rest wrong."""
        client = Client()
        client.force_login(user)
        client.post(f"/me/classes/{self.classroom.code}/assignments/{assignment.pk}/start/")
        attempt = Attempt.objects.get(class_work__assignment=assignment, user=user)
        for entry in attempt.entries.select_related("item__clip")[:answered]:
            truth = entry.item.clip.verdict
            response = client.post(
                f"/attempts/{attempt.uid}/items/{entry.position}/answer/",
                {
                    "key": answer_key(client, attempt, entry.position),
                    "verdict": truth if entry.position == 1 else WRONG[truth],
                    "confidence": 70,
                },
            )
            assert response.status_code == 302, response
        return attempt

    def last_clip(self, attempt: Attempt) -> Clip:
        return attempt.entries.select_related("item__clip").last().item.clip

    def test_the_gradebook_counts_an_assignment_finished_by_a_withdrawal_as_done(self) -> None:
        quiz = make_quiz(list(Item.objects.order_by("pk")[:3]), mode=Mode.ASSESSMENT)
        task = assign(self.classroom, quiz)
        attempt = self.take(self.student, task, answered=2)
        row = next(r for r in self.classroom.gradebook().rows if r.student == self.student)
        self.assertEqual(row.done, 0)
        withdraw(self.last_clip(attempt), self.curator)
        row = next(r for r in self.classroom.gradebook().rows if r.student == self.student)
        self.assertEqual((row.done, row.summary.n), (1, 2))

    def test_the_student_stays_in_the_learning_gain(self) -> None:
        self.client.force_login(self.teacher)
        self.client.post(
            self.url("pre-post/new/"),
            {
                "title": "Spring check",
                "items_per_test": 4,
                "item_kind": "verdict",
                "pre_due": when(-2),
                "post_opens": when(-1),
                "post_due": when(24 * 7),
            },
        )
        prepost = PrePost.objects.get(title="Spring check")
        pre = prepost.assignment(AssignmentRole.PRE_TEST)
        post = prepost.assignment(AssignmentRole.POST_TEST)
        for user in (self.student, self.other_student, self.third_student):
            self.take(user, pre, answered=4)
        for user in (self.other_student, self.third_student):
            self.take(user, post, answered=4)
        # The student answers three of the four, and the fourth clip is withdrawn.
        unfinished = self.take(self.student, post, answered=3)
        gain = prepost.learning_gain()
        self.assertEqual(gain.change.n, 2)
        withdraw(self.last_clip(unfinished), self.curator)
        gain = prepost.learning_gain()
        rows = {row.membership.student.username: row for row in gain.rows}
        # Pre: 1 of 4 right; post: 1 of the 3 left to answer.
        self.assertAlmostEqual(rows["student"].gain, 1 / 3 - 1 / 4)
        self.assertEqual(gain.change.n, 3)
