"""Answers are the learners' records: a clip, item or quiz learners have answered is never
hard-deleted, not from the curator area, not from the admin, not by the ORM. The confirm page
says exactly what would happen and offers withdrawal instead; a clip nobody answered is
deleted with its unanswered items."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from media_library import answer_records
from media_library.models import Clip, PublicationState, Verdict
from quiz.models import Answer, Attempt, Item, ItemKind, Mode, Quiz, Slot
from tests.base import isolated_media
from tests.classroom_helpers import ClassroomTestCase
from tests.factories import (
    add_tell,
    answer_key,
    assign,
    make_item,
    make_quiz,
    make_user,
    messages_of,
    quizzable_clip,
    start,
)

# The class's assessment, in order: the clip under test twice (alone, and as the second clip
# of a pair), then two others. The student gets the first three right and the last one wrong.
STUDENT = (
    {"verdict": "deepfake", "confidence": "80"},
    {"slot": "?", "confidence": "70"},
    {"verdict": "real", "confidence": "90"},
    {"verdict": "deepfake", "confidence": "60"},
)


class AnswerRecordsTestCase(ClassroomTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.admin = make_user("site_admin", is_staff=True, is_superuser=True)
        cls.answered = quizzable_clip(
            "Mayor face swap at the harbour", Verdict.DEEPFAKE, depicts_people=False
        )
        cls.harbour = quizzable_clip("Harbour at dawn, untouched")
        cls.ferry = quizzable_clip("Ferry leaving the quay")
        cls.verdict_item = make_item(cls.answered)
        cls.pair_item = make_item(cls.harbour, ItemKind.PAIR, other_clip=cls.answered)
        cls.quiz = make_quiz(
            [cls.verdict_item, cls.pair_item, make_item(cls.harbour), make_item(cls.ferry)],
            title="Harbour assessment",
            mode=Mode.ASSESSMENT,
        )
        cls.task = assign(cls.classroom, cls.quiz)
        # A second quiz in which a visitor answers the clip too.
        cls.practice = make_quiz([cls.verdict_item], title="Harbour practice")
        # Nobody was ever given this one: it may go, with its item.
        cls.unused = quizzable_clip("Unused lighthouse clip")
        cls.unused_item = make_item(cls.unused)
        cls.unused_quiz = make_quiz([cls.unused_item], title="Lighthouse quiz")

    def setUp(self) -> None:
        self.do_assignment(self.student, STUDENT)
        visitor = Client()
        attempt = start(visitor, self.practice)
        self.answer(visitor, attempt, 1, {"verdict": "real", "confidence": "50"})
        self.client.force_login(self.curator)

    def answer(self, client: Client, attempt: Attempt, position: int, data: dict) -> None:
        data = dict(data)
        if data.get("slot") == "?":
            # Pick the slot that holds the fake: which one it is was drawn for this attempt.
            entry = attempt.entries.get(position=position)
            data["slot"] = Slot.B if entry.clip_in_slot(Slot.B) == self.answered else Slot.A
        data["key"] = answer_key(client, attempt, position)
        response = client.post(f"/attempts/{attempt.uid}/items/{position}/answer/", data)
        self.assertIn(response.status_code, (200, 302))

    def do_assignment(self, student, answers) -> Attempt:
        client = Client()
        client.force_login(student)
        client.post(f"/me/classes/{self.classroom.code}/assignments/{self.task.pk}/start/")
        attempt = Attempt.objects.get(class_work__student=student)
        for position, data in enumerate(answers, start=1):
            self.answer(client, attempt, position, data)
        return attempt

    def answers(self) -> list[tuple]:
        return list(
            Answer.objects.order_by("pk").values_list(
                "pk", "attempt_id", "item_id", "is_correct", "score", "confidence"
            )
        )

    def gradebook(self) -> bytes:
        teacher = Client()
        teacher.force_login(self.teacher)
        response = teacher.get(f"/classes/{self.classroom.code}/gradebook.csv")
        self.assertEqual(response.status_code, 200)
        return response.content

    def delete_url(self, clip: Clip) -> str:
        return reverse("media_library:clip-delete", args=[clip.slug])


class CuratorDeleteTests(AnswerRecordsTestCase):
    def test_it_refuses_to_delete_an_answered_clip_and_keeps_every_answer(self):
        answers, gradebook = self.answers(), self.gradebook()
        self.assertEqual(len(answers), 5)
        self.assertIn(b",4,0.750,", gradebook)  # the student's 4 answers, 3 of them right

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.delete_url(self.answered))

        self.assertEqual(response.status_code, 409)
        self.assertIn(
            "This clip is in learners' records: it was not deleted.", messages_of(response)
        )
        self.assertTrue(Clip.objects.filter(pk=self.answered.pk).exists())
        self.assertEqual(Item.objects.showing(self.answered).count(), 2)
        self.assertEqual(self.answers(), answers)
        self.assertEqual(self.gradebook(), gradebook)

    def test_the_confirm_page_says_the_clip_cannot_be_deleted_and_offers_withdrawal(self):
        response = self.client.get(self.delete_url(self.answered))
        self.assertContains(response, "“Mayor face swap at the harbour” cannot be deleted")
        self.assertContains(response, "Learners have given it 3 answers in 2 quizzes.")
        self.assertContains(
            response,
            "Answers are the learners\u2019 records: their results, gradebooks and learning gains "
            "are worked out from them, so a clip learners have answered is never deleted.",
        )
        self.assertContains(response, "Withdraw it instead: it goes back to draft")
        withdraw = reverse("media_library:clip-withdraw", args=[self.answered.slug])
        self.assertContains(response, f'action="{withdraw}"')
        self.assertNotContains(response, "Delete the clip and its files")

    def test_the_withdrawal_it_offers_keeps_every_answer(self):
        answers, gradebook = self.answers(), self.gradebook()
        self.client.post(reverse("media_library:clip-withdraw", args=[self.answered.slug]))
        self.answered.refresh_from_db()
        self.assertEqual(self.answered.publication_state, PublicationState.DRAFT)
        self.assertEqual(self.answers(), answers)
        self.assertEqual(self.gradebook(), gradebook)
        response = self.client.get(self.delete_url(self.answered))
        self.assertContains(response, "It is a draft already: no learner is shown it")

    def test_it_keeps_a_clip_dealt_into_an_attempt_not_yet_answered(self):
        start(Client(), self.unused_quiz)
        response = self.client.get(self.delete_url(self.unused))
        self.assertContains(response, "“Unused lighthouse clip” cannot be deleted")
        self.assertContains(response, "It is still to be answered in 1 attempt under way.")
        self.assertEqual(self.client.post(self.delete_url(self.unused)).status_code, 409)
        self.assertTrue(Clip.objects.filter(pk=self.unused.pk).exists())

    def test_it_keeps_a_clip_whose_answers_retention_folded_into_counts(self):
        Answer.objects.update(created_at=timezone.now() - timedelta(days=400))
        call_command("purge_answers", "--months", "12", stdout=io.StringIO())
        self.assertFalse(Answer.objects.exists())
        response = self.client.get(self.delete_url(self.answered))
        self.assertContains(response, "“Mayor face swap at the harbour” cannot be deleted")
        self.assertContains(response, "It is also listed, unanswered, in 2 finished attempts.")
        self.assertEqual(self.client.post(self.delete_url(self.answered)).status_code, 409)
        self.assertTrue(Clip.objects.filter(pk=self.answered.pk).exists())

    def test_it_deletes_a_clip_nobody_answered_with_its_items(self):
        response = self.client.get(self.delete_url(self.unused))
        self.assertContains(response, "Delete “Unused lighthouse clip”?")
        self.assertContains(response, "No learner has answered this clip or been given it.")
        self.assertContains(
            response, "Its 1 quiz item goes too, and leaves any quiz that lists it."
        )
        answers = self.answers()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.delete_url(self.unused))
        self.assertRedirects(response, reverse("media_library:clip-list"))
        self.assertFalse(Clip.objects.filter(pk=self.unused.pk).exists())
        self.assertFalse(Item.objects.filter(pk=self.unused_item.pk).exists())
        self.assertTrue(Quiz.objects.filter(pk=self.unused_quiz.pk).exists())
        self.assertEqual(self.answers(), answers)

    def test_with_no_counter_registered_the_database_still_refuses(self):
        # Without the quiz engine's count the page would offer the delete: PROTECT still holds.
        counter = answer_records.unregister("quiz")
        self.addCleanup(answer_records.register, "quiz", counter)
        answers = self.answers()
        response = self.client.post(self.delete_url(self.answered))
        self.assertEqual(response.status_code, 409)
        self.assertTrue(Clip.objects.filter(pk=self.answered.pk).exists())
        self.assertEqual(self.answers(), answers)


class ProtectedRecordsTests(AnswerRecordsTestCase):
    def test_no_delete_of_a_clip_item_or_quiz_with_answers_gets_through(self):
        answers = self.answers()
        for deletion in (
            lambda: Clip.objects.filter(pk=self.answered.pk).delete(),
            lambda: self.answered.delete_with_files(),
            lambda: Item.objects.filter(pk=self.verdict_item.pk).delete(),
            lambda: Quiz.objects.filter(pk=self.quiz.pk).delete(),
        ):
            with self.assertRaises(ProtectedError):
                deletion()
        self.assertEqual(self.answers(), answers)

    def test_the_admin_shows_the_clip_is_protected_and_deletes_nothing(self):
        self.client.force_login(self.admin)
        url = reverse("admin:media_library_clip_delete", args=[self.answered.pk])
        response = self.client.get(url)
        self.assertContains(
            response, "would require deleting the following protected related objects"
        )
        self.assertContains(response, "Learners have answered this clip, and answers are their")
        self.assertNotContains(response, "Yes, I\u2019m sure")
        response = self.client.post(url, {"post": "yes"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(Clip.objects.filter(pk=self.answered.pk).exists())
        self.assertEqual(len(self.answers()), 5)

    def test_the_admin_refuses_a_bulk_delete_of_answered_clips(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("admin:media_library_clip_changelist"),
            {"action": "delete_selected", "_selected_action": [self.answered.pk], "post": "yes"},
        )
        self.assertContains(response, "protected related objects")
        self.assertTrue(Clip.objects.filter(pk=self.answered.pk).exists())

    def test_the_admin_shows_an_attempted_quiz_is_protected(self):
        self.client.force_login(self.admin)
        url = reverse("admin:quiz_quiz_delete", args=[self.quiz.pk])
        self.assertContains(
            self.client.get(url), "would require deleting the following protected related objects"
        )
        self.client.post(url, {"post": "yes"})
        self.assertTrue(Quiz.objects.filter(pk=self.quiz.pk).exists())

    def test_the_admin_deletes_a_clip_nobody_answered(self):
        self.client.force_login(self.admin)
        url = reverse("admin:media_library_clip_delete", args=[self.unused.pk])
        self.assertContains(self.client.get(url), "Yes, I\u2019m sure")
        response = self.client.post(url, {"post": "yes"})
        self.assertRedirects(response, reverse("admin:media_library_clip_changelist"))
        self.assertFalse(Clip.objects.filter(pk=self.unused.pk).exists())
        self.assertFalse(Item.objects.filter(pk=self.unused_item.pk).exists())


class ConsentWithdrawalTests(AnswerRecordsTestCase):
    """The person shown withdrew consent: the media goes, the answers stay counted."""

    def setUp(self) -> None:
        super().setUp()
        isolated_media(self, "media", "work")
        self.answered.source_url = "https://example.org/mayor-at-the-harbour"
        self.answered.attribution = "Filmed by Jo Harbourmaster"
        self.answered.consent_notes = "Signed release, 2026-03-01."
        self.stored = []
        for field in ("source_file", "media_file", "poster", "quiz_media", "feed_media"):
            name = default_storage.save(
                f"clips/{self.answered.uid.hex}/{field}.bin", ContentFile(b"frames")
            )
            setattr(self.answered, field, name)
            self.stored.append(name)
        self.answered.save()
        tell = add_tell(self.answered)
        tell.still = default_storage.save(
            f"clips/{self.answered.uid.hex}/still.jpg", ContentFile(b"still")
        )
        tell.save()
        self.stored.append(tell.still.name)
        self.derived = quizzable_clip(
            "Mayor slowed down", Verdict.SHALLOWFAKE, original=self.answered
        )
        self.derived.media_file = default_storage.save("clips/derived/media.bin", ContentFile(b"x"))
        self.derived.save()
        self.stored.append(self.derived.media_file.name)

    def erase(self, **data):
        url = reverse("media_library:clip-erase", args=[self.answered.slug])
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url, data)

    def test_the_delete_page_offers_the_erase_and_names_what_goes_with_it(self):
        response = self.client.get(self.delete_url(self.answered))
        self.assertContains(response, "If the person shown withdrew their consent")
        self.assertContains(response, "Its verdict, technique and tells stay, so every answer")
        self.assertContains(response, "Mayor slowed down")
        erase = reverse("media_library:clip-erase", args=[self.answered.slug])
        self.assertContains(response, f'action="{erase}"')

    def test_it_erases_the_media_and_keeps_every_answer_counted(self):
        answers, gradebook = self.answers(), self.gradebook()
        old_media_url = self.answered.media_url
        response = self.erase(confirm="on")

        clip = Clip.objects.get(pk=self.answered.pk)
        self.assertRedirects(response, clip.get_absolute_url())
        self.assertIn(
            "The media of this clip and of 1 clip made from it is erased, and they are "
            "withdrawn; every answer to them stays counted.",
            messages_of(response),
        )
        for name in self.stored:
            self.assertFalse(default_storage.exists(name), name)
        self.assertEqual(clip.title, "Removed clip (consent withdrawn)")
        self.assertNotIn("mayor", clip.slug)
        self.assertEqual((clip.source_url, clip.attribution), ("", ""))
        self.assertFalse(clip.media_file or clip.source_file or clip.quiz_media)
        self.assertEqual(clip.publication_state, PublicationState.DRAFT)
        self.assertIsNotNone(clip.consent_withdrawn_at)
        self.assertIn("Consent withdrawn on", clip.consent_notes)
        self.assertEqual((clip.verdict, clip.tells.count()), (Verdict.DEEPFAKE, 1))
        self.assertTrue(Clip.objects.get(pk=self.derived.pk).consent_withdrawn)
        # The learners' records: every answer row, and the gradebook worked out from them.
        self.assertEqual(self.answers(), answers)
        self.assertEqual(self.gradebook(), gradebook)
        # Nothing is served any more, to curators either.
        self.assertEqual(self.client.get(old_media_url).status_code, 404)
        # The reveal of the learner's finished attempt named it; it no longer does.
        attempt = Attempt.objects.get(class_work__student=self.student)
        student = Client()
        student.force_login(self.student)
        response = student.get(f"/attempts/{attempt.uid}/items/1/")
        self.assertNotIn(b"Mayor face swap at the harbour", response.content)

    def test_it_can_never_be_shown_again(self):
        self.erase(confirm="on")
        clip = Clip.objects.get(pk=self.answered.pk)
        self.assertFalse(clip.submit_for_review(self.curator))
        self.assertFalse(clip.retry_processing(self.curator))
        self.assertIn(
            "Consent was withdrawn and the media erased: this clip can never be shown again.",
            clip.publication_blockers,
        )
        response = self.client.get(self.delete_url(clip))
        self.assertContains(response, "Consent was withdrawn on")
        self.assertNotContains(response, "Erase the media, keep the answers")

    def test_it_erases_nothing_unless_the_box_is_ticked(self):
        response = self.erase()
        self.assertContains(
            response, "Tick the box to confirm that consent was withdrawn.", status_code=400
        )
        self.answered.refresh_from_db()
        self.assertFalse(self.answered.consent_withdrawn)
        for name in self.stored:
            self.assertTrue(default_storage.exists(name), name)
