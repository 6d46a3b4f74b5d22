"""The curator area: access, the library list, the clip page and its htmx partials, metadata,
tells and the publication workflow."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from media_library.forms import ClipEditForm
from media_library.models import (
    Clip,
    MediaKind,
    ProcessingStatus,
    PublicationState,
    Technique,
    Tell,
    TellCategory,
    Verdict,
)
from media_library.views.curate import CLIPS_PER_PAGE
from tests.base import BaseTestCase
from tests.factories import HTMX, make_clip, make_image, make_video, messages_of, ready_clip


def tell_data(**overrides) -> dict:
    data = {
        "category": TellCategory.BLINKING,
        "start_seconds": "1.5",
        "end_seconds": "3.25",
        "box_x": "0.25",
        "box_y": "0.1",
        "box_w": "0.5",
        "box_h": "0.4",
        "explanation": "The eyes never close.",
    }
    data.update(overrides)
    return data


class AccessTestCase(BaseTestCase):
    """Every curator view: anonymous visitors go to log in; students and outsiders get 403."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.clip = ready_clip()
        cls.tell = Tell.objects.create(
            clip=cls.clip, category=TellCategory.SKIN, end_seconds=1, explanation="Waxy skin."
        )

    def routes(self) -> list[tuple[str, str]]:
        slug, pk = self.clip.slug, self.tell.pk
        return [
            ("get", reverse("media_library:clip-list")),
            ("get", reverse("media_library:clip-detail", args=[slug])),
            ("get", reverse("media_library:clip-edit", args=[slug])),
            ("post", reverse("media_library:clip-edit", args=[slug])),
            ("post", reverse("media_library:clip-submit", args=[slug])),
            ("post", reverse("media_library:clip-publish", args=[slug])),
            ("post", reverse("media_library:clip-withdraw", args=[slug])),
            ("post", reverse("media_library:clip-retry", args=[slug])),
            ("get", reverse("media_library:clip-delete", args=[slug])),
            ("post", reverse("media_library:clip-delete", args=[slug])),
            ("post", reverse("media_library:tell-create", args=[slug])),
            ("get", reverse("media_library:tell-edit", args=[pk])),
            ("post", reverse("media_library:tell-edit", args=[pk])),
            ("post", reverse("media_library:tell-delete", args=[pk])),
        ]

    def test_it_sends_anonymous_visitors_to_log_in(self) -> None:
        for method, url in self.routes():
            with self.subTest(url=url, method=method):
                response = getattr(self.client, method)(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_it_refuses_signed_in_non_curators(self) -> None:
        for user in (self.student, self.outsider):
            self.client.force_login(user)
            for method, url in self.routes():
                with self.subTest(user=user.username, url=url, method=method):
                    response = getattr(self.client, method)(url, {"title": "Hijacked"})
                    self.assertEqual(response.status_code, 403)
                    self.assertNotContains(response, self.clip.title, status_code=403)
        # Nothing moved: the refused posts changed no data.
        self.clip.refresh_from_db()
        self.assertEqual(self.clip.title, "Ready clip")
        self.assertEqual(self.clip.publication_state, PublicationState.DRAFT)
        self.assertTrue(Tell.objects.filter(pk=self.tell.pk).exists())

    def test_it_lets_curators_in(self) -> None:
        self.client.force_login(self.teammate)
        for url in (
            reverse("media_library:clip-list"),
            reverse("media_library:clip-detail", args=[self.clip.slug]),
            reverse("media_library:clip-delete", args=[self.clip.slug]),
            reverse("media_library:tell-edit", args=[self.tell.pk]),
        ):
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), self.clip.title)

    def test_it_refuses_get_on_workflow_actions(self) -> None:
        self.client.force_login(self.curator)
        for name in ("clip-submit", "clip-publish", "clip-withdraw", "clip-retry"):
            with self.subTest(name=name):
                url = reverse(f"media_library:{name}", args=[self.clip.slug])
                self.assertEqual(self.client.get(url).status_code, 405)


class ClipListTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.curator)
        self.url = reverse("media_library:clip-list")

    def test_it_shows_an_honest_empty_state(self) -> None:
        response = self.client.get(self.url)
        self.assertContains(response, "No clips yet")
        self.assertContains(response, "Upload the first clip")

    def test_it_lists_clips_with_their_states(self) -> None:
        ready_clip("Pelosi slowed", verdict=Verdict.SHALLOWFAKE, technique=Technique.SPEED_CHANGE)
        make_clip("Still processing", processing_status=ProcessingStatus.PROCESSING)
        response = self.client.get(self.url)
        self.assertContains(response, "Pelosi slowed")
        self.assertContains(response, "Speed change")
        self.assertContains(response, "Shallowfake")
        self.assertContains(response, "Still processing")
        self.assertContains(response, 'class="badge badge-processing"')
        self.assertContains(response, reverse("media_library:clip-upload"))

    def test_it_filters_by_publication_state(self) -> None:
        ready_clip("Draft one")
        ready_clip("Live one", publication_state=PublicationState.PUBLISHED)
        response = self.client.get(self.url, {"state": "published"})
        self.assertContains(response, "Live one")
        self.assertNotContains(response, "Draft one")

    def test_it_filters_by_processing_status(self) -> None:
        make_clip("Broken", processing_status=ProcessingStatus.FAILED)
        ready_clip("Fine")
        response = self.client.get(self.url, {"status": "failed"})
        self.assertContains(response, "Broken")
        self.assertNotContains(response, "Fine")

    def test_it_says_when_no_clip_matches(self) -> None:
        ready_clip("Fine")
        response = self.client.get(self.url, {"status": "failed"})
        self.assertContains(response, "No clips match these filters")
        self.assertNotContains(response, "Fine")

    def test_it_pages_the_list_keeping_the_filters(self) -> None:
        for n in range(CLIPS_PER_PAGE + 1):
            make_clip(f"Draft {n}", processing_status=ProcessingStatus.FAILED)
        response = self.client.get(self.url, {"status": "failed"})
        self.assertContains(response, "Page 1 of 2")
        self.assertContains(
            response, 'href="?state=&amp;status=failed&amp;translation=&amp;page=2">Older</a>'
        )
        self.assertNotContains(response, ">Newer</a>")
        response = self.client.get(self.url, {"status": "failed", "page": "2"})
        self.assertContains(response, "Page 2 of 2")
        self.assertContains(
            response, 'href="?state=&amp;status=failed&amp;translation=&amp;page=1">Newer</a>'
        )
        response = self.client.get(self.url, {"page": "2"})
        self.assertContains(response, 'href="?page=1">Newer</a>')

    def test_it_ignores_an_unknown_filter_value(self) -> None:
        ready_clip("Fine")
        response = self.client.get(self.url, {"state": "bogus"})
        self.assertContains(response, "Fine")


class ClipDetailTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.curator)

    def test_it_polls_while_processing(self) -> None:
        for status in (ProcessingStatus.PENDING, ProcessingStatus.PROCESSING):
            with self.subTest(status=status):
                clip = make_clip(f"Clip {status}", processing_status=status, processing_progress=40)
                response = self.client.get(clip.get_absolute_url(), **HTMX)
                self.assertContains(response, 'hx-trigger="every 1s"')
                self.assertContains(response, '<progress max="100" value="40"')
                self.assertNotIn("HX-Refresh", response.headers)
                # The partial alone: no page chrome.
                self.assertNotContains(response, "<html")

    def test_it_stops_polling_and_refreshes_when_ready(self) -> None:
        clip = ready_clip()
        response = self.client.get(clip.get_absolute_url(), **HTMX)
        self.assertNotContains(response, "hx-trigger")
        self.assertNotContains(response, "<progress")
        self.assertEqual(response.headers["HX-Refresh"], "true")

    def test_the_full_page_polls_too_while_pending(self) -> None:
        clip = make_clip()
        response = self.client.get(clip.get_absolute_url())
        self.assertContains(response, 'hx-trigger="every 1s"')
        # No player and no tell editor until the clip is processed.
        self.assertNotContains(response, "<video")
        self.assertNotContains(response, 'id="tell-form"')

    def test_it_shows_the_player_and_tell_editor_when_ready(self) -> None:
        clip = ready_clip(media_file="clips/x/media.mp4", poster="clips/x/poster.jpg")
        response = self.client.get(clip.get_absolute_url())
        self.assertContains(response, "<video")
        self.assertContains(response, clip.media_url)
        self.assertContains(response, 'id="tell-form"')
        self.assertContains(response, 'id="box-overlay"')
        self.assertNotContains(response, "hx-trigger")
        self.assertRegex(response.content.decode(), r'js/tell-editor\.js" nonce="[^"]+"')

    def test_it_shows_an_image_without_a_timeline(self) -> None:
        clip = ready_clip(kind=MediaKind.IMAGE, duration_seconds=None, media_file="clips/x/i.jpg")
        response = self.client.get(clip.get_absolute_url())
        self.assertContains(response, 'id="frame-media"')
        self.assertNotContains(response, "<video")
        self.assertNotContains(response, 'id="scrubber"')

    def test_it_shows_why_processing_failed_and_offers_retry(self) -> None:
        clip = make_clip(
            processing_status=ProcessingStatus.FAILED,
            processing_error="The file is not a video ffmpeg can read.",
        )
        response = self.client.get(clip.get_absolute_url())
        self.assertContains(response, "The file is not a video ffmpeg can read.")
        self.assertContains(response, reverse("media_library:clip-retry", args=[clip.slug]))
        self.assertNotContains(response, "hx-trigger")

    def test_it_says_a_stalled_job_seems_stuck(self) -> None:
        long_ago = timezone.now() - timedelta(
            seconds=settings.MEDIA_TRANSCODE_TIMEOUT_SECONDS + 600
        )
        clip = make_clip(
            processing_status=ProcessingStatus.PROCESSING, processing_started_at=long_ago
        )
        response = self.client.get(clip.get_absolute_url())
        self.assertContains(response, "seems stuck")
        self.assertContains(response, reverse("media_library:clip-retry", args=[clip.slug]))
        # Nobody is working on it, so there is nothing to poll for.
        self.assertNotContains(response, "hx-trigger")

    def test_a_job_on_another_machine_is_stalled_only_once_its_heartbeat_is_old(self) -> None:
        # A holder token from another boot cannot be checked here: the heartbeat decides.
        elsewhere = "0123456789ab.4026531836.4242.777"
        clip = make_clip(
            processing_status=ProcessingStatus.PROCESSING,
            processing_started_at=timezone.now() - timedelta(hours=2),
            processing_heartbeat_at=timezone.now() - timedelta(seconds=5),
            processing_holder=elsewhere,
        )
        retry_url = reverse("media_library:clip-retry", args=[clip.slug])
        response = self.client.get(clip.get_absolute_url())
        self.assertContains(response, 'hx-trigger="every 1s"')
        self.assertNotContains(response, retry_url)
        self.client.post(retry_url)
        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.PROCESSING)

        stale = timedelta(seconds=settings.MEDIA_PROCESSING_STALL_SECONDS + 1)
        Clip.objects.filter(pk=clip.pk).update(processing_heartbeat_at=timezone.now() - stale)
        response = self.client.get(clip.get_absolute_url())
        self.assertContains(response, "seems stuck")
        self.assertContains(response, retry_url)

    def test_it_lists_publication_blockers_and_disables_the_button(self) -> None:
        clip = make_clip(processing_status=ProcessingStatus.PROCESSING)
        response = self.client.get(clip.get_absolute_url())
        self.assertContains(response, "Processing has not finished.")
        self.assertRegex(
            response.content.decode(), r"<button type=\"submit\" class=\"button\" disabled"
        )

    def test_it_404s_for_an_unknown_clip(self) -> None:
        url = reverse("media_library:clip-detail", args=["no-such-clip"])
        self.assertEqual(self.client.get(url).status_code, 404)


class ClipEditTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.curator)
        self.clip = ready_clip("Old title")
        self.url = reverse("media_library:clip-edit", args=[self.clip.slug])

    def data(self, **overrides) -> dict:
        data = {
            "title": "Starmer interview, cut",
            "verdict": Verdict.SHALLOWFAKE,
            "technique": Technique.SPLICE,
            "original": "",
            "source_url": "https://example.org/source",
            "licence": "CC BY 4.0",
            "attribution": "Example Broadcasting",
            "depicts_public_figure": "true",
            "consent_on_file": "",
            "consent_notes": "",
            "content_notes": "Political content.",
            "language": "en",
            "transcript": "…",
            "captions_vtt": "WEBVTT\n\n00:00.000 --> 00:01.000\nHello",
        }
        data.update(overrides)
        return data

    def test_it_saves_the_details_and_who_changed_them(self) -> None:
        response = self.client.post(self.url, self.data())
        self.assertRedirects(response, self.clip.get_absolute_url())
        self.clip.refresh_from_db()
        self.assertEqual(self.clip.title, "Starmer interview, cut")
        self.assertEqual(self.clip.technique, Technique.SPLICE)
        self.assertTrue(self.clip.depicts_public_figure)
        self.assertEqual(self.clip.updated_by, self.curator)
        self.assertEqual(self.clip.slug, "old-title")  # URLs stay stable across renames
        self.assertIn("The clip's details are saved.", messages_of(response))

    def test_it_keeps_what_the_worker_wrote_while_the_form_was_open(self) -> None:
        clip = make_clip("Being processed", processing_status=ProcessingStatus.PROCESSING)
        clean = ClipEditForm.clean

        def worker_finishes_first(form: ClipEditForm) -> dict:
            # The worker's job ends after the view loaded the clip and before the form saves.
            Clip.objects.filter(pk=clip.pk).update(
                processing_status=ProcessingStatus.READY,
                processing_progress=100,
                media_file="clips/done/media.mp4",
                duration_seconds=12.5,
            )
            return clean(form)

        url = reverse("media_library:clip-edit", args=[clip.slug])
        with mock.patch.object(ClipEditForm, "clean", worker_finishes_first):
            response = self.client.post(url, self.data())
        self.assertRedirects(response, clip.get_absolute_url())
        clip.refresh_from_db()
        self.assertEqual(clip.title, "Starmer interview, cut")
        self.assertEqual(clip.updated_by, self.curator)
        self.assertEqual(clip.processing_status, ProcessingStatus.READY)
        self.assertEqual(clip.processing_progress, 100)
        self.assertEqual(clip.media_file.name, "clips/done/media.mp4")
        self.assertEqual(clip.duration_seconds, 12.5)

    def test_it_saves_through_htmx_and_returns_the_form(self) -> None:
        response = self.client.post(self.url, self.data(), **HTMX)
        self.assertContains(response, 'id="metadata-form"')
        self.assertContains(response, "Saved.")
        self.assertNotContains(response, "<html")
        self.clip.refresh_from_db()
        self.assertEqual(self.clip.licence, "CC BY 4.0")

    def test_it_refuses_a_technique_on_a_real_clip(self) -> None:
        response = self.client.post(
            self.url, self.data(verdict=Verdict.REAL, technique=Technique.FACE_SWAP)
        )
        self.assertContains(response, "A real clip has no manipulation technique", status_code=200)
        self.clip.refresh_from_db()
        self.assertEqual(self.clip.title, "Old title")

    def test_it_refuses_captions_that_are_not_webvtt(self) -> None:
        response = self.client.post(
            self.url, self.data(captions_vtt="1\n00:00:00,000 --> 00:00:01,000\nHi"), **HTMX
        )
        self.assertContains(response, "Captions must be WebVTT")
        self.assertNotContains(response, "Saved.")
        self.clip.refresh_from_db()
        self.assertEqual(self.clip.captions_vtt, "")

    def test_it_accepts_webvtt_with_a_byte_order_mark(self) -> None:
        self.client.post(self.url, self.data(captions_vtt="\ufeffWEBVTT\n"))
        self.clip.refresh_from_db()
        self.assertTrue(self.clip.captions_vtt.endswith("WEBVTT"))

    def test_it_links_an_original_but_never_the_clip_itself(self) -> None:
        original = ready_clip("The original")
        self.client.post(self.url, self.data(original=original.pk))
        self.clip.refresh_from_db()
        self.assertEqual(self.clip.original, original)

        response = self.client.post(self.url, self.data(original=self.clip.pk))
        self.assertContains(response, "Select a valid choice")
        self.clip.refresh_from_db()
        self.assertEqual(self.clip.original, original)


class TellTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.curator)
        self.clip = ready_clip(duration_seconds=10.0)
        self.create_url = reverse("media_library:tell-create", args=[self.clip.slug])

    def test_it_adds_a_tell_with_a_box(self) -> None:
        response = self.client.post(self.create_url, tell_data())
        self.assertRedirects(
            response, f"{self.clip.get_absolute_url()}#tells", fetch_redirect_response=False
        )
        tell = self.clip.tells.get()
        self.assertEqual(tell.category, TellCategory.BLINKING)
        self.assertEqual((tell.start_seconds, tell.end_seconds), (1.5, 3.25))
        self.assertEqual((tell.box_x, tell.box_y, tell.box_w, tell.box_h), (0.25, 0.1, 0.5, 0.4))
        self.assertEqual(tell.created_by, self.curator)
        page = self.client.get(self.clip.get_absolute_url())
        self.assertContains(page, "0:01\N{EN DASH}0:03")
        self.assertContains(page, "The eyes never close.")

    def test_it_adds_a_tell_without_a_box(self) -> None:
        data = tell_data(box_x="", box_y="", box_w="", box_h="", category=TellCategory.CUT_SPLICE)
        self.client.post(self.create_url, data)
        self.assertFalse(self.clip.tells.get().has_box)

    def test_it_swaps_the_list_and_resets_the_form_through_htmx(self) -> None:
        response = self.client.post(self.create_url, tell_data(), **HTMX)
        body = response.content.decode()
        self.assertIn('id="tell-list"', body)
        self.assertIn("The eyes never close.", body)
        self.assertIn('hx-swap-oob="true"', body)
        # The fresh form is empty again.
        self.assertNotIn('value="1.5"', body)
        self.assertNotIn("<html", body)

    def test_it_refuses_an_end_before_the_start(self) -> None:
        response = self.client.post(
            self.create_url, tell_data(start_seconds="5", end_seconds="2"), **HTMX
        )
        self.assertContains(response, "The end must not come before the start.")
        self.assertEqual(response["HX-Retarget"], "#tell-form")
        self.assertFalse(self.clip.tells.exists())

    def test_it_refuses_a_tell_past_the_end_of_the_clip(self) -> None:
        response = self.client.post(self.create_url, tell_data(end_seconds="12"))
        self.assertContains(response, "The clip is only 10.0 s long", status_code=400)
        self.assertFalse(self.clip.tells.exists())

    def test_it_refuses_a_negative_start(self) -> None:
        response = self.client.post(self.create_url, tell_data(start_seconds="-1"))
        self.assertContains(response, "The start cannot be before the beginning.", status_code=400)
        self.assertFalse(self.clip.tells.exists())

    def test_it_refuses_half_a_box(self) -> None:
        response = self.client.post(self.create_url, tell_data(box_h=""))
        self.assertContains(response, "Give all four box numbers", status_code=400)
        self.assertFalse(self.clip.tells.exists())

    def test_it_refuses_a_box_outside_the_frame(self) -> None:
        for overrides in ({"box_x": "0.8", "box_w": "0.5"}, {"box_y": "-0.1"}):
            with self.subTest(overrides=overrides):
                response = self.client.post(self.create_url, tell_data(**overrides))
                self.assertContains(response, "The box must lie inside the frame", status_code=400)
        self.assertFalse(self.clip.tells.exists())

    def test_it_refuses_an_empty_box(self) -> None:
        response = self.client.post(self.create_url, tell_data(box_w="0"))
        self.assertContains(response, "above zero", status_code=400)
        self.assertFalse(self.clip.tells.exists())

    def test_it_requires_an_explanation_and_a_category(self) -> None:
        response = self.client.post(self.create_url, tell_data(explanation="", category="nope"))
        self.assertContains(response, "This field is required.", status_code=400)
        self.assertContains(response, "Select a valid choice", status_code=400)
        self.assertFalse(self.clip.tells.exists())

    def test_it_edits_a_tell(self) -> None:
        tell = Tell.objects.create(
            clip=self.clip, category=TellCategory.SKIN, end_seconds=1, explanation="Waxy."
        )
        url = reverse("media_library:tell-edit", args=[tell.pk])
        form = self.client.get(url, **HTMX)
        self.assertContains(form, f'data-editing="{tell.pk}"')
        self.assertContains(form, "Waxy.")
        response = self.client.post(url, tell_data(explanation="Waxy skin on the cheeks."))
        self.assertEqual(response.status_code, 302)
        tell.refresh_from_db()
        self.assertEqual(tell.explanation, "Waxy skin on the cheeks.")
        self.assertEqual(tell.category, TellCategory.BLINKING)

    def test_it_refuses_a_bad_edit_and_keeps_the_tell(self) -> None:
        tell = Tell.objects.create(
            clip=self.clip, category=TellCategory.SKIN, end_seconds=1, explanation="Waxy."
        )
        url = reverse("media_library:tell-edit", args=[tell.pk])
        response = self.client.post(url, tell_data(end_seconds="0.5", start_seconds="2"), **HTMX)
        self.assertContains(response, "The end must not come before the start.")
        tell.refresh_from_db()
        self.assertEqual(tell.explanation, "Waxy.")

    def test_it_deletes_a_tell_and_its_still(self) -> None:
        tell = Tell.objects.create(
            clip=self.clip, category=TellCategory.SKIN, end_seconds=1, explanation="Waxy."
        )
        with tempfile.TemporaryDirectory() as tmp:
            still = make_image(Path(tmp) / "still.jpg", size=(160, 120))
            with still.open("rb") as handle:
                tell.still.save("still.jpg", File(handle))
        name = tell.still.name
        self.assertTrue(default_storage.exists(name))
        url = reverse("media_library:tell-delete", args=[tell.pk])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, **HTMX)
        self.assertContains(response, 'id="tell-list"')
        self.assertContains(response, "No tells yet")
        self.assertFalse(Tell.objects.filter(pk=tell.pk).exists())
        self.assertFalse(default_storage.exists(name))


def publishable_clip(title: str = "Ready clip", **fields) -> Clip:
    """A ready clip with its rights recorded: a licence, and nobody shown or heard."""
    fields.setdefault("licence", "CC0 1.0")
    fields.setdefault("depicts_people", False)
    return ready_clip(title, **fields)


class WorkflowTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.curator)

    def post(self, name: str, clip: Clip):
        return self.client.post(reverse(f"media_library:{name}", args=[clip.slug]))

    def test_it_walks_a_clip_from_draft_to_published_and_back(self) -> None:
        clip = publishable_clip()
        response = self.post("clip-submit", clip)
        self.assertRedirects(response, clip.get_absolute_url())
        self.assertIn("Submitted for review.", messages_of(response))
        clip.refresh_from_db()
        self.assertEqual(clip.publication_state, PublicationState.IN_REVIEW)

        self.client.force_login(self.teammate)
        self.post("clip-publish", clip)
        clip.refresh_from_db()
        self.assertEqual(clip.publication_state, PublicationState.PUBLISHED)
        self.assertIsNotNone(clip.published_at)
        self.assertEqual(clip.updated_by, self.teammate)
        self.assertContains(self.client.get(clip.get_absolute_url()), "Withdraw")

        self.post("clip-withdraw", clip)
        clip.refresh_from_db()
        self.assertEqual(clip.publication_state, PublicationState.DRAFT)
        self.assertIsNone(clip.published_at)

    def test_it_refuses_publishing_by_the_curator_who_submitted_the_clip(self) -> None:
        clip = publishable_clip()
        self.post("clip-submit", clip)
        page = self.client.get(clip.get_absolute_url())
        self.assertContains(
            page,
            "You submitted this clip for review, so another curator or a staff member "
            "publishes it.",
        )
        self.assertNotContains(page, reverse("media_library:clip-publish", args=[clip.slug]))
        response = self.post("clip-publish", clip)
        self.assertIn(
            "You submitted this clip for review, so another curator or a staff member "
            "publishes it.",
            messages_of(response),
        )
        clip.refresh_from_db()
        self.assertEqual(clip.publication_state, PublicationState.IN_REVIEW)
        self.assertEqual(clip.submitted_by, self.curator)

    @override_settings(TELLTALE_SINGLE_CURATOR_PUBLISHING=True)
    def test_it_lets_a_single_curator_site_publish_its_own_submission_and_says_so(self) -> None:
        clip = publishable_clip()
        self.post("clip-submit", clip)
        page = self.client.get(clip.get_absolute_url())
        self.assertContains(page, "TELLTALE_SINGLE_CURATOR_PUBLISHING is on")
        self.assertContains(page, reverse("media_library:clip-publish", args=[clip.slug]))
        self.post("clip-publish", clip)
        clip.refresh_from_db()
        self.assertEqual(clip.publication_state, PublicationState.PUBLISHED)

    def test_it_says_nothing_of_a_waiver_where_review_needs_two(self) -> None:
        page = self.client.get(publishable_clip().get_absolute_url())
        self.assertNotContains(page, "TELLTALE_SINGLE_CURATOR_PUBLISHING is on")

    def test_it_refuses_to_submit_an_unprocessed_clip(self) -> None:
        clip = publishable_clip(processing_status=ProcessingStatus.PROCESSING)
        response = self.post("clip-submit", clip)
        self.assertIn("Not yet: Processing has not finished.", messages_of(response))
        clip.refresh_from_db()
        self.assertEqual(clip.publication_state, PublicationState.DRAFT)

    def test_it_refuses_to_publish_a_draft(self) -> None:
        clip = publishable_clip()
        response = self.post("clip-publish", clip)
        self.assertIn("Only a clip in review can be published.", messages_of(response))
        clip.refresh_from_db()
        self.assertEqual(clip.publication_state, PublicationState.DRAFT)

    def test_it_refuses_to_withdraw_a_draft(self) -> None:
        clip = ready_clip()
        response = self.post("clip-withdraw", clip)
        self.assertIn("The clip is already a draft.", messages_of(response))

    def test_it_retries_failed_processing(self) -> None:
        clip = make_clip(processing_status=ProcessingStatus.FAILED, processing_error="Broken.")
        response = self.post("clip-retry", clip)
        self.assertIn("Processing starts again.", messages_of(response))
        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.PENDING)
        self.assertEqual(clip.processing_error, "")

    def test_it_refuses_to_retry_a_ready_clip(self) -> None:
        clip = ready_clip()
        response = self.post("clip-retry", clip)
        self.assertIn(
            "Only a clip whose processing failed or stalled can be processed again.",
            messages_of(response),
        )
        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.READY)


class ClipDeleteTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.curator)

    def test_it_asks_before_deleting(self) -> None:
        clip = ready_clip("Keep me?")
        response = self.client.get(reverse("media_library:clip-delete", args=[clip.slug]))
        self.assertContains(response, "Delete “Keep me?”?")
        self.assertTrue(Clip.objects.filter(pk=clip.pk).exists())

    def test_it_deletes_the_clip_its_tells_and_its_files(self) -> None:
        clip = ready_clip("Doomed")
        with tempfile.TemporaryDirectory() as tmp:
            video = make_video(Path(tmp) / "clip.mp4", seconds=1, audio=False)
            poster = make_image(Path(tmp) / "poster.jpg", size=(320, 240))
            with video.open("rb") as handle:
                clip.source_file.save("upload.mp4", File(handle), save=False)
            with video.open("rb") as handle:
                clip.media_file.save("media.mp4", File(handle), save=False)
            with poster.open("rb") as handle:
                clip.poster.save("poster.jpg", File(handle), save=False)
            clip.save()
            tell = Tell.objects.create(
                clip=clip, category=TellCategory.SKIN, end_seconds=1, explanation="Waxy."
            )
            with poster.open("rb") as handle:
                tell.still.save("still.jpg", File(handle))
        names = [clip.source_file.name, clip.media_file.name, clip.poster.name, tell.still.name]
        for name in names:
            self.assertTrue(default_storage.exists(name), name)

        url = reverse("media_library:clip-delete", args=[clip.slug])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url)
        self.assertRedirects(response, reverse("media_library:clip-list"))
        self.assertFalse(Clip.objects.filter(pk=clip.pk).exists())
        self.assertFalse(Tell.objects.filter(pk=tell.pk).exists())
        for name in names:
            self.assertFalse(default_storage.exists(name), name)
        self.assertFalse(default_storage.exists(f"clips/{clip.uid.hex}"))
        self.assertIn("“Doomed” and its files are deleted.", messages_of(response))
