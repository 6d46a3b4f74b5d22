"""Exposed clips and per-attempt bytes: a clip whose truth is shown without an answer (a
teaching example in a lesson, with public library files) is never dealt by a quiz that measures
(an assessment, a feed, a pre/post test), nor is any clip of its family; and the bytes an attempt
gets before its answers are made for that attempt, so a script cannot recognise a clip by hash,
size, ETag or pixel size.

The scripted attack of issue 12 is played for real: it learns every truth it can reach without
answering (the lesson's examples with their library files, and an accomplice's finished attempt
with its results), then fingerprints each item of a new assessment attempt. It must find nothing
to go on, so it can only guess.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import av
import numpy as np
from django.test import Client
from PIL import Image

from lessons.models import Lesson, PrePost
from media_library.models import Clip, PublicationState, TellCategory, Verdict
from quiz.models import Answer, Attempt, Item, Mode
from tests.base import IsolatedMediaTestCase
from tests.factories import add_tell, make_item, make_quiz, make_video, start


def noise_picture(path: Path, seed: int, size: tuple[int, int]) -> Path:
    """A distinct picture per seed (uploads refuse duplicates)."""
    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels, "RGB").save(path, "PNG")
    return path


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class Fingerprint:
    """Everything a script can read off a file without looking at it."""

    def __init__(self, response) -> None:
        data = body_of(response)
        self.etag = response.get("ETag", "")
        self.size = len(data)
        self.digest = hashlib.sha256(data).hexdigest()
        with Image.open(io.BytesIO(data)) as image:
            pixels = np.asarray(image.convert("RGB"))
        self.pixels = hashlib.sha256(pixels.tobytes()).hexdigest()
        self.dimensions = pixels.shape[:2]

    def features(self) -> list[tuple[str, object]]:
        # Dimensions alone are shared by every picture of one shape: not an identity.
        return [("etag", self.etag), ("size", self.size), ("digest", self.digest),
                ("pixels", self.pixels)]  # fmt: skip


class ScriptedAttack:
    def __init__(self) -> None:
        self.known: dict[tuple[str, object], bool] = {}

    def learn(self, fingerprint: Fingerprint, is_fake: bool) -> None:
        for key in fingerprint.features():
            self.known[key] = is_fake

    def recognise(self, fingerprint: Fingerprint) -> bool | None:
        for key in fingerprint.features():
            if key in self.known:
                return self.known[key]
        return None


class ExposedClipTests(IsolatedMediaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.clips: list[Clip] = []
        for n in range(8):
            verdict = Verdict.DEEPFAKE if n % 2 else Verdict.REAL
            # Fakes square like GAN faces, reals in camera shapes: the pixel size alone
            # would give them away if it reached the learner.
            size = (256, 256) if n % 2 else (320, 240)
            path = noise_picture(self.work.parent / f"picture-{n}.png", n, size)
            clip = self.create_clip(path, f"Picture {n}", verdict=verdict, licence="CC0")
            self.assertEqual(clip.processing_status, "ready", clip.processing_error)
            clip.depicts_people = False
            clip.save(update_fields=["depicts_people"])
            add_tell(clip, TellCategory.FACE_EDGES, start_seconds=0, end_seconds=0)
            self.publish(clip, teaching_example=n < 4)
            self.clips.append(clip)
        self.examples, self.secret = self.clips[:4], self.clips[4:]
        self.lesson = Lesson.objects.create(
            slug="face-edges",
            title="Face edges",
            summary="Edges.",
            body="Look at the edges.",
            tell_category=TellCategory.FACE_EDGES,
            is_published=True,
        )
        self.items = [make_item(clip) for clip in self.clips]
        self.assessment = make_quiz(self.items, "Final check", mode=Mode.ASSESSMENT)

    def publish(self, clip: Clip, *, teaching_example: bool) -> None:
        clip.teaching_example = teaching_example
        clip.save(update_fields=["teaching_example"])
        self.assertTrue(clip.submit_for_review(self.curator), clip.publication_blockers)
        self.assertTrue(clip.publish(self.teammate), clip.publication_blockers)
        clip.refresh_from_db()

    def fetch_attempt_media(self, client: Client, attempt: Attempt) -> dict[int, Fingerprint]:
        prints = {}
        for entry in attempt.entries.all():
            response = client.get(f"/attempts/{attempt.uid}/items/{entry.position}/a/media/")
            self.assertEqual(response.status_code, 200)
            prints[entry.item.clip_id] = Fingerprint(response)
        return prints

    def answer_all(self, client: Client, attempt: Attempt) -> None:
        for entry in attempt.entries.all():
            url = f"/attempts/{attempt.uid}/items/{entry.position}/"
            key = client.get(url).context["form"]["key"].value()
            client.post(f"{url}answer/", {"key": key, "verdict": "real", "confidence": "50"})

    def test_the_scripted_attack_finds_nothing_to_go_on(self):
        attack = ScriptedAttack()
        anonymous = Client()
        # 1. The lesson shows its examples with their truth, and their library files are public.
        lesson = anonymous.get("/lessons/face-edges/")
        shown = [clip for clip in self.clips if clip.title in lesson.content.decode()]
        self.assertEqual(shown, self.examples)
        for clip in self.clips:
            response = anonymous.get(clip.media_url)
            if clip in self.examples:
                self.assertEqual(response.status_code, 200)
                attack.learn(Fingerprint(response), clip.is_manipulated)
                # The attack works: the same file fetched again is recognised.
                again = Fingerprint(anonymous.get(clip.media_url))
                self.assertEqual(attack.recognise(again), clip.is_manipulated)
            else:
                # A clip kept for tests has no public library file.
                self.assertEqual(response.status_code, 404)
        # 2. An accomplice finishes the assessment and learns each item's truth from the
        # results, with the fingerprints of the files their attempt got.
        accomplice = Client()
        theirs = start(accomplice, self.assessment)
        their_prints = self.fetch_attempt_media(accomplice, theirs)
        self.answer_all(accomplice, theirs)
        theirs.refresh_from_db()
        self.assertTrue(theirs.is_finished)
        for clip_id, fingerprint in their_prints.items():
            attack.learn(fingerprint, Clip.objects.get(pk=clip_id).is_manipulated)

        # 3. The victim's attempt: every item fingerprinted before answering.
        victim = Client()
        mine = start(victim, self.assessment)
        dealt = {entry.item.clip for entry in mine.entries.all()}
        # Only clips kept for tests are dealt: the examples' truth is in the lesson.
        self.assertEqual(dealt, set(self.secret))
        prints = self.fetch_attempt_media(victim, mine)
        self.assertEqual([attack.recognise(p) for p in prints.values()], [None] * 4)
        # Nothing else separates real from fake: square "GAN" fakes and 4:3 real photos
        # arrive at one pixel size.
        self.assertEqual({p.dimensions for p in prints.values()}, {(960, 1280)})
        self.assertFalse(Answer.objects.filter(attempt=mine).exists())

    def test_it_deals_nothing_of_an_exposed_family(self):
        original = self.secret[0]
        fake = self.secret[1]
        Clip.objects.filter(pk=fake.pk).update(original=original)
        # The original becomes a teaching example: its fake would be recognised as
        # "that known real picture, altered".
        Clip.objects.filter(pk=original.pk).update(teaching_example=True)
        attempt = start(Client(), self.assessment)
        dealt = {entry.item.clip for entry in attempt.entries.all()}
        self.assertEqual(dealt, set(self.secret[2:]))

    def test_a_pre_post_test_uses_only_clips_kept_for_tests_and_says_what_it_left_out(self):
        prepost = PrePost(title="Term", item_kind="verdict", items_per_test=10)
        dealt = {Item.objects.get(pk=c.item_id).clip for c in prepost.candidates()}
        self.assertEqual(dealt, set(self.secret))
        found = prepost.capacity(retest=False)
        message = prepost.shortfall(found)
        self.assertIn(
            "4 more matching items are left out: lessons show their clips' truth", message
        )

    def test_a_practice_quiz_may_use_teaching_examples(self):
        practice = make_quiz(self.items, "Warm-up", mode=Mode.PRACTICE)
        attempt = start(Client(), practice)
        self.assertEqual(attempt.entries.count(), 8)

    def test_the_builder_is_told_what_an_assessment_leaves_out(self):
        self.client.force_login(self.curator)
        response = self.client.get(f"/build/quizzes/{self.assessment.slug}/")
        self.assertContains(response, "Truth shown in lessons: left out", count=4)
        self.assertContains(response, "4 items are left out of every attempt")

    def test_a_teaching_example_stays_one_once_published(self):
        example = self.examples[0]
        self.assertIsNotNone(example.exposed_at)
        self.client.force_login(self.curator)
        page = self.client.get(example.get_absolute_url())
        self.assertContains(page, "so it stays a teaching example")
        form = page.context["edit_form"]
        data = {name: value for name, value in form.initial.items() if value is not None}
        data.update({"teaching_example": "", "depicts_people": "false", "title": "Renamed"})
        data.pop("depicts_public_figure", None)
        self.client.post(f"{example.get_absolute_url()}edit/", data)
        example.refresh_from_db()
        # The rest of the form was saved; the box, disabled, could not be unticked.
        self.assertEqual(example.title, "Renamed")
        self.assertTrue(example.teaching_example)
        # And a secret clip made an example stops being dealt at once.
        secret = self.secret[0]
        secret.teaching_example = True
        secret.save(update_fields=["teaching_example"])
        secret.note_exposure()
        self.assertIsNotNone(secret.exposed_at)
        dealt = {e.item.clip for e in start(Client(), self.assessment).entries.all()}
        self.assertNotIn(secret, dealt)

    def test_the_same_item_gets_different_bytes_in_every_attempt(self):
        clients = [Client(), Client()]
        prints = [
            self.fetch_attempt_media(client, start(client, self.assessment)) for client in clients
        ]
        for clip in self.secret:
            one, two = prints[0][clip.pk], prints[1][clip.pk]
            self.assertNotEqual(one.etag, two.etag)
            self.assertNotEqual(one.digest, two.digest)
            self.assertNotEqual(one.pixels, two.pixels)
            with clip.media_file.open("rb") as handle, Image.open(handle) as library:
                library_pixels = hashlib.sha256(np.asarray(library.convert("RGB")).tobytes())
            self.assertNotEqual(one.pixels, library_pixels.hexdigest())


class RevealedMediaTests(IsolatedMediaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.real = self.create_clip(
            self.fixture("talk.mp4", make_video, seconds=1.0), "A real talk", licence="CC0"
        )
        self.real.depicts_people = False
        self.real.publication_state = PublicationState.PUBLISHED
        self.real.save(update_fields=["depicts_people", "publication_state"])
        self.item = make_item(self.real)
        self.practice = make_quiz([self.item], "Practice", mode=Mode.PRACTICE)

    def test_a_clip_kept_for_tests_reaches_the_reveal_through_the_attempt_only(self):
        attempt = start(self.client, self.practice)
        revealed = f"/attempts/{attempt.uid}/items/1/revealed/a/media/"
        self.assertEqual(self.client.get(revealed).status_code, 404)
        self.assertEqual(self.client.get(self.real.media_url).status_code, 404)
        key = self.client.get(f"/attempts/{attempt.uid}/items/1/").context["form"]["key"].value()
        page = self.client.post(
            f"/attempts/{attempt.uid}/items/1/answer/",
            {"key": key, "verdict": "real", "confidence": "70"},
            follow=True,
        )
        self.assertContains(page, f"/attempts/{attempt.uid}/items/1/revealed/a/media/?v=")
        self.assertNotContains(page, self.real.media_url)
        response = self.client.get(revealed)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "private, no-store")
        with self.real.media_file.open("rb") as handle:
            self.assertEqual(body_of(response), handle.read())
        # Someone else's session gets nothing.
        self.assertEqual(Client().get(revealed).status_code, 404)

    def test_a_video_is_padded_per_attempt_and_still_plays(self):
        sizes, etags = set(), set()
        for _ in range(2):
            client = Client()
            attempt = start(client, self.practice)
            url = f"/attempts/{attempt.uid}/items/1/a/media/"
            response = client.get(url)
            data = body_of(response)
            sizes.add(len(data))
            etags.add(response["ETag"])
            self.assertNotIn(b"Telltale", data)
            with av.open(io.BytesIO(data)) as container:
                frames = sum(1 for _ in container.decode(video=0))
            self.assertEqual(frames, 25)
            # Ranges of the attempt's file are slices of that same file.
            part = client.get(url, HTTP_RANGE="bytes=100-199")
            self.assertEqual(part.status_code, 206)
            self.assertEqual(body_of(part), data[100:200])
            tail = client.get(url, HTTP_RANGE=f"bytes={len(data) - 50}-")
            self.assertEqual(body_of(tail), data[-50:])
            self.assertEqual(client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code, 304)
        self.assertEqual(len(sizes), 2)
        self.assertEqual(len(etags), 2)
