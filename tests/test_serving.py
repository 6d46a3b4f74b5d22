"""Serving processed media: access, HTTP Range, validators and the three MEDIA_SERVING modes."""

from __future__ import annotations

import io
import struct
import tempfile
from pathlib import Path

import av
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.test import override_settings
from django.urls import reverse
from django.utils.http import http_date

from media_library.models import (
    Clip,
    ProcessingStatus,
    PublicationState,
    Tell,
    TellCategory,
    Verdict,
)
from tests.base import BaseTestCase
from tests.factories import make_clip, make_image, make_video

VTT = "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"
RAW_UPLOAD = b"RAW-UPLOAD-NEVER-SERVED" * 64


def body(response: HttpResponse) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def make_served_clip(title: str, state: PublicationState, video: bytes, image: bytes) -> Clip:
    clip = make_clip(
        title,
        verdict=Verdict.DEEPFAKE,
        technique="face_swap",
        processing_status=ProcessingStatus.READY,
        publication_state=state,
        media_content_type="video/mp4",
        captions_vtt=VTT,
        # Published here means public: a teaching example (a clip kept for tests is not).
        teaching_example=state == PublicationState.PUBLISHED,
    )
    clip.source_file.save("upload.mp4", ContentFile(RAW_UPLOAD))
    clip.media_file.save("clip.mp4", ContentFile(video))
    clip.poster.save("poster.jpg", ContentFile(image))
    clip.thumbnail_strip.save("strip.jpg", ContentFile(image[::-1]))
    tell = Tell.objects.create(clip=clip, category=TellCategory.BLINKING, explanation="Look.")
    tell.still.save("still.jpg", ContentFile(image))
    return clip


class ServingTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        with tempfile.TemporaryDirectory() as tmp:
            cls.video = make_video(Path(tmp) / "clip.mp4", seconds=1.0).read_bytes()
            cls.image = make_image(Path(tmp) / "poster.jpg", size=(160, 120)).read_bytes()
        cls.published = make_served_clip(
            "Published fake", PublicationState.PUBLISHED, cls.video, cls.image
        )
        cls.draft = make_served_clip("Draft fake", PublicationState.DRAFT, cls.video, cls.image)
        cls.size = len(cls.video)

    def media_url(self, clip: Clip | None = None) -> str:
        return reverse("media_library:clip-file", args=[(clip or self.published).uid, "media"])

    def get_range(self, header: str, **extra) -> HttpResponse:
        return self.client.get(self.media_url(), HTTP_RANGE=header, **extra)


class RangeTests(ServingTestCase):
    def assert_partial(self, response: HttpResponse, start: int, end: int) -> bytes:
        self.assertEqual(response.status_code, 206)
        self.assertEqual(response["Content-Range"], f"bytes {start}-{end}/{self.size}")
        self.assertEqual(response["Content-Length"], str(end - start + 1))
        self.assertEqual(response["Accept-Ranges"], "bytes")
        self.assertEqual(response["Content-Type"], "video/mp4")
        content = body(response)
        self.assertEqual(content, self.video[start : end + 1])
        return content

    def assert_whole(self, response: HttpResponse) -> None:
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Content-Range", response)
        self.assertEqual(response["Content-Length"], str(self.size))
        self.assertEqual(response["Accept-Ranges"], "bytes")
        self.assertEqual(body(response), self.video)

    def test_it_serves_the_whole_file_without_a_range(self) -> None:
        response = self.client.get(self.media_url())
        self.assert_whole(response)
        self.assertEqual(response["Content-Type"], "video/mp4")
        self.assertTrue(response.streaming)

    def test_it_serves_a_closed_range(self) -> None:
        self.assert_partial(self.get_range("bytes=0-99"), 0, 99)

    def test_it_serves_an_open_range(self) -> None:
        self.assert_partial(self.get_range("bytes=100-"), 100, self.size - 1)

    def test_it_serves_a_suffix_range(self) -> None:
        self.assert_partial(self.get_range("bytes=-50"), self.size - 50, self.size - 1)

    def test_it_serves_a_suffix_longer_than_the_file_as_all_of_it(self) -> None:
        self.assert_partial(self.get_range(f"bytes=-{self.size + 100}"), 0, self.size - 1)

    def test_it_serves_one_byte(self) -> None:
        self.assert_partial(self.get_range("bytes=0-0"), 0, 0)
        self.assert_partial(
            self.get_range(f"bytes={self.size - 1}-{self.size - 1}"), self.size - 1, self.size - 1
        )

    def test_it_clamps_an_end_beyond_the_file(self) -> None:
        self.assert_partial(self.get_range(f"bytes=10-{self.size + 1000}"), 10, self.size - 1)

    def test_it_accepts_the_unit_in_any_case(self) -> None:
        self.assert_partial(self.get_range("Bytes=5-9"), 5, 9)

    def test_it_answers_416_to_unsatisfiable_ranges(self) -> None:
        for header in [
            f"bytes={self.size}-",
            f"bytes={self.size}-{self.size + 10}",
            f"bytes={self.size + 5}-",
            "bytes=-0",
        ]:
            with self.subTest(header=header):
                response = self.get_range(header)
                self.assertEqual(response.status_code, 416)
                self.assertEqual(response["Content-Range"], f"bytes */{self.size}")
                self.assertEqual(body(response), b"")

    def test_it_ignores_malformed_ranges(self) -> None:
        for header in [
            "bytes=abc",
            "bytes=5-2",
            "items=0-1",
            "bytes=",
            "bytes=--1",
            "bytes=1-2-3",
            "bytes=0-99999999999999999999999",
            "bytes=99999999999999999999999-",
            "bytes = 0-1",
            "bytes= 0-1",
            "bytes=0 -1",
            "bytes=0-\t1",
            "bytes=\u0661-\u0662",
            "0-1",
        ]:
            with self.subTest(header=header):
                self.assert_whole(self.get_range(header))

    def test_it_answers_multiple_ranges_with_the_whole_file(self) -> None:
        for header in ["bytes=0-1,5-6", "bytes=0-1, 10-20", "bytes=-5,0-0"]:
            with self.subTest(header=header):
                self.assert_whole(self.get_range(header))

    def test_it_plays_like_a_browser_seeking_in_a_real_mp4(self) -> None:
        # A media element opens with "bytes=0-" and, after reading the box layout, jumps to a
        # later box with a mid-file range. Both answers must be exactly the file's bytes.
        first = self.assert_partial(self.get_range("bytes=0-"), 0, self.size - 1)
        boxes = top_level_boxes(first)
        self.assertEqual(boxes[0][0], b"ftyp")
        box_type, offset, box_size = next(box for box in boxes[1:] if box[1] > 0)
        end = offset + box_size - 1
        second = self.assert_partial(self.get_range(f"bytes={offset}-{end}"), offset, end)
        self.assertEqual(second[4:8], box_type)

        # Pieces fetched by ranges put back together decode as the same video.
        pieces = [
            body(self.get_range(f"bytes={start}-{min(start + 4095, self.size - 1)}"))
            for start in range(0, self.size, 4096)
        ]
        with av.open(io.BytesIO(b"".join(pieces))) as container:
            frames = sum(1 for _ in container.decode(video=0))
        self.assertEqual(frames, 25)

    def test_it_reads_only_the_requested_bytes_in_blocks(self) -> None:
        clip = make_clip(
            "Big",
            processing_status=ProcessingStatus.READY,
            publication_state=PublicationState.PUBLISHED,
            teaching_example=True,
            media_content_type="video/mp4",
        )
        big = bytes(range(256)) * 8192  # 2 MiB
        clip.media_file.save("big.mp4", ContentFile(big))
        response = self.client.get(self.media_url(clip), HTTP_RANGE="bytes=1000000-1000099")
        chunks = list(response.streaming_content)
        self.assertEqual(b"".join(chunks), big[1000000:1000100])
        self.assertEqual(len(chunks), 1)

        whole = list(self.client.get(self.media_url(clip)).streaming_content)
        self.assertEqual(b"".join(whole), big)
        self.assertLessEqual(max(len(chunk) for chunk in whole), 64 * 1024)
        self.assertGreater(len(whole), 1)


def top_level_boxes(data: bytes) -> list[tuple[bytes, int, int]]:
    """The (type, offset, size) of an MP4's top-level boxes."""
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size, box_type = struct.unpack(">I4s", data[offset : offset + 8])
        if size < 8:
            break
        boxes.append((box_type, offset, size))
        offset += size
    return boxes


class HeadAndValidatorTests(ServingTestCase):
    def test_it_answers_head_with_headers_and_no_body(self) -> None:
        response = self.client.head(self.media_url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Length"], str(self.size))
        self.assertEqual(response["Accept-Ranges"], "bytes")
        self.assertEqual(response["Content-Type"], "video/mp4")
        self.assertIn("ETag", response)
        self.assertEqual(body(response), b"")

    def test_it_ignores_range_on_head(self) -> None:
        response = self.client.head(self.media_url(), HTTP_RANGE="bytes=0-9")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Length"], str(self.size))

    def test_it_sends_validators(self) -> None:
        response = self.client.get(self.media_url())
        path = Path(self.published.media_file.path)
        self.assertEqual(response["Last-Modified"], http_date(int(path.stat().st_mtime)))
        self.assertRegex(response["ETag"], r'^"[0-9a-f]{32}"$')
        self.assertNotEqual(
            response["ETag"], self.client.get(self.media_url(self.draft)).get("ETag")
        )

    def test_it_answers_304_to_a_matching_if_none_match(self) -> None:
        etag = self.client.get(self.media_url())["ETag"]
        response = self.client.get(self.media_url(), HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response["ETag"], etag)
        self.assertIn("public", response["Cache-Control"])
        self.assertEqual(body(response), b"")
        # A matching validator wins over a Range (RFC 9110 13.2.2).
        ranged = self.get_range("bytes=0-9", HTTP_IF_NONE_MATCH=f'"other", {etag}')
        self.assertEqual(ranged.status_code, 304)

    def test_it_serves_again_when_if_none_match_differs(self) -> None:
        response = self.client.get(self.media_url(), HTTP_IF_NONE_MATCH='"stale"')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(body(response), self.video)

    def test_it_answers_304_to_if_modified_since(self) -> None:
        last_modified = self.client.get(self.media_url())["Last-Modified"]
        response = self.client.get(self.media_url(), HTTP_IF_MODIFIED_SINCE=last_modified)
        self.assertEqual(response.status_code, 304)
        older = self.client.get(self.media_url(), HTTP_IF_MODIFIED_SINCE=http_date(0))
        self.assertEqual(older.status_code, 200)

    def test_it_honours_range_when_if_range_matches(self) -> None:
        first = self.client.get(self.media_url())
        by_etag = self.get_range("bytes=0-9", HTTP_IF_RANGE=first["ETag"])
        self.assertEqual(by_etag.status_code, 206)
        self.assertEqual(body(by_etag), self.video[:10])
        by_date = self.get_range("bytes=0-9", HTTP_IF_RANGE=first["Last-Modified"])
        self.assertEqual(by_date.status_code, 206)

    def test_it_sends_the_whole_file_when_if_range_is_stale(self) -> None:
        for if_range in [
            '"changed"',
            f"W/{self.client.get(self.media_url())['ETag']}",
            http_date(0),
        ]:
            with self.subTest(if_range=if_range):
                response = self.get_range("bytes=0-9", HTTP_IF_RANGE=if_range)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(body(response), self.video)

    def test_it_fails_a_mismatched_if_match(self) -> None:
        response = self.get_range("bytes=0-9", HTTP_IF_MATCH='"other"')
        self.assertEqual(response.status_code, 412)

    def test_it_refuses_writes(self) -> None:
        self.client.force_login(self.curator)
        self.assertEqual(self.client.post(self.media_url()).status_code, 405)


class HeaderTests(ServingTestCase):
    def test_it_caches_published_files_publicly(self) -> None:
        response = self.client.get(self.media_url())
        self.assertEqual(response["Cache-Control"], "public, max-age=3600")
        # Published responses do not depend on who asks: no Vary: Cookie.
        self.assertNotIn("Cookie", response.get("Vary", ""))

    def test_it_caches_versioned_urls_for_a_year(self) -> None:
        response = self.client.get(self.published.media_url)
        self.assertEqual(response["Cache-Control"], "public, max-age=31536000, immutable")
        stale = self.client.get(self.media_url() + "?v=0000000000000000")
        self.assertEqual(stale["Cache-Control"], "public, max-age=3600")

    def test_it_never_caches_drafts(self) -> None:
        self.client.force_login(self.curator)
        for url in [self.draft.media_url, self.draft.poster_url, self.draft.captions_url]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url)["Cache-Control"], "private, no-store")

    def test_it_sends_neutral_inline_names_and_nosniff(self) -> None:
        tell = self.published.tells.get()
        expected = {
            self.published.media_url: ('inline; filename="clip.mp4"', "video/mp4"),
            self.published.poster_url: ('inline; filename="poster.jpg"', "image/jpeg"),
            self.published.strip_url: ('inline; filename="strip.jpg"', "image/jpeg"),
            tell.still_url: ('inline; filename="tell.jpg"', "image/jpeg"),
            self.published.captions_url: (
                'inline; filename="captions.vtt"',
                "text/vtt; charset=utf-8",
            ),
        }
        for url, (disposition, content_type) in expected.items():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Disposition"], disposition)
                self.assertEqual(response["Content-Type"], content_type)
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                for secret in ["fake", "published", "deepfake", self.published.slug]:
                    self.assertNotIn(secret, url.lower())
                    self.assertNotIn(secret, response["Content-Disposition"])

    def test_it_serves_captions_as_webvtt(self) -> None:
        response = self.client.get(self.published.captions_url)
        self.assertEqual(response.content.decode(), VTT)
        again = self.client.get(self.published.captions_url, HTTP_IF_NONE_MATCH=response["ETag"])
        self.assertEqual(again.status_code, 304)

    def test_it_sends_unexpected_content_types_as_opaque_bytes(self) -> None:
        clip = make_clip(
            "Odd",
            processing_status=ProcessingStatus.READY,
            publication_state=PublicationState.PUBLISHED,
            teaching_example=True,
            media_content_type="text/html",
        )
        clip.media_file.save("odd.html", ContentFile(b"<script>alert(1)</script>"))
        response = self.client.get(clip.media_url)
        self.assertEqual(response["Content-Type"], "application/octet-stream")
        self.assertEqual(response["Content-Disposition"], 'inline; filename="clip.html"')


class AccessTests(ServingTestCase):
    def urls(self, clip: Clip) -> list[str]:
        return [
            clip.media_url,
            clip.poster_url,
            clip.strip_url,
            clip.captions_url,
            clip.tells.get().still_url,
        ]

    def test_it_serves_published_files_to_everyone(self) -> None:
        for user in [None, self.student, self.outsider, self.curator]:
            if user:
                self.client.force_login(user)
            for url in self.urls(self.published):
                with self.subTest(user=user, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)
            self.client.logout()

    def test_it_hides_drafts_from_all_but_curators(self) -> None:
        for user in [None, self.student, self.outsider]:
            if user:
                self.client.force_login(user)
            for url in self.urls(self.draft):
                with self.subTest(user=user, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 404)
                    self.assertNotIn(b"ftyp", response.content)
                    self.assertEqual(self.client.head(url).status_code, 404)
                    self.assertEqual(self.client.get(url, HTTP_RANGE="bytes=0-9").status_code, 404)
            self.client.logout()

    def test_it_keeps_a_published_clip_kept_for_tests_from_learners(self) -> None:
        kept = make_served_clip(
            "Kept for tests", PublicationState.PUBLISHED, self.video, self.image
        )
        Clip.objects.filter(pk=kept.pk).update(teaching_example=False)
        kept.refresh_from_db()
        # A learner who could fetch it could look its truth up before answering.
        for user in [None, self.student, self.outsider]:
            if user:
                self.client.force_login(user)
            for url in self.urls(kept):
                with self.subTest(user=user, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
            self.client.logout()
        # The people who build quizzes see it, privately.
        for user in [self.curator, self.teacher]:
            self.client.force_login(user)
            for url in self.urls(kept):
                with self.subTest(user=user, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_it_serves_drafts_to_curators(self) -> None:
        for user in [self.curator, self.teammate]:
            self.client.force_login(user)
            for url in self.urls(self.draft):
                with self.subTest(user=user, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)
            ranged = self.client.get(self.draft.media_url, HTTP_RANGE="bytes=0-9")
            self.assertEqual(body(ranged), self.video[:10])

    def test_it_hides_a_clip_once_withdrawn(self) -> None:
        url = self.published.media_url
        self.published.withdraw(self.curator)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_it_answers_404_for_unknown_variants_and_clips(self) -> None:
        self.client.force_login(self.curator)
        uid = self.published.uid
        for variant in ["source", "source_file", "upload", "original", "MEDIA", "media_file"]:
            with self.subTest(variant=variant):
                url = reverse("media_library:clip-file", args=[uid, variant])
                self.assertEqual(self.client.get(url).status_code, 404)
        missing = "00000000-0000-0000-0000-000000000000"
        self.assertEqual(self.client.get(f"/media/clips/{missing}/media/").status_code, 404)
        self.assertEqual(self.client.get("/media/tells/999999/still/").status_code, 404)

    def test_it_answers_404_for_empty_fields(self) -> None:
        self.client.force_login(self.curator)
        clip = make_clip("Bare", processing_status=ProcessingStatus.READY)
        tell = Tell.objects.create(clip=clip, category=TellCategory.CROP, explanation="Cropped.")
        self.assertEqual(clip.media_url, "")
        self.assertEqual(clip.captions_url, "")
        self.assertEqual(tell.still_url, "")
        for url in [
            reverse("media_library:clip-file", args=[clip.uid, "media"]),
            reverse("media_library:clip-file", args=[clip.uid, "poster"]),
            reverse("media_library:clip-file", args=[clip.uid, "strip"]),
            reverse("media_library:clip-captions", args=[clip.uid]),
            reverse("media_library:tell-still", args=[tell.pk]),
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        clip.captions_vtt = "  \n"
        clip.save()
        captions = reverse("media_library:clip-captions", args=[clip.uid])
        self.assertEqual(self.client.get(captions).status_code, 404)

    def test_it_answers_404_when_the_stored_file_is_gone(self) -> None:
        clip = make_clip(
            "Gone",
            processing_status=ProcessingStatus.READY,
            publication_state=PublicationState.PUBLISHED,
        )
        clip.media_file.save("gone.mp4", ContentFile(b"x" * 100))
        clip.media_file.storage.delete(clip.media_file.name)
        self.assertEqual(self.client.get(clip.media_url).status_code, 404)

    def test_it_never_serves_the_raw_upload(self) -> None:
        self.client.force_login(self.curator)
        for clip in [self.published, self.draft]:
            source = clip.source_file.name
            self.assertTrue(clip.source_file.storage.exists(source))
            for url in [
                settings.MEDIA_URL + source,
                f"/{source}",
                *self.urls(clip),
                *[
                    reverse("media_library:clip-file", args=[clip.uid, variant])
                    for variant in ["source", "source_file", "upload", "uploads"]
                ],
            ]:
                with self.subTest(url=url):
                    self.assertNotIn(RAW_UPLOAD[:23], body(self.client.get(url)))
            with override_settings(MEDIA_SERVING="x-accel"):
                for url in self.urls(clip)[:3]:
                    self.assertNotIn(source, self.client.get(url).get("X-Accel-Redirect", ""))


class ModeTests(ServingTestCase):
    @override_settings(MEDIA_SERVING="x-accel", MEDIA_ACCEL_PREFIX="/protected-media/")
    def test_it_hands_files_to_nginx(self) -> None:
        response = self.client.get(self.published.media_url, HTTP_RANGE="bytes=0-9")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["X-Accel-Redirect"], f"/protected-media/{self.published.media_file.name}"
        )
        self.assertEqual(response.content, b"")
        self.assertEqual(response["Content-Type"], "video/mp4")
        self.assertEqual(response["Cache-Control"], "public, max-age=31536000, immutable")
        self.assertEqual(response["Content-Disposition"], 'inline; filename="clip.mp4"')
        still = self.client.get(self.published.tells.get().still_url)
        self.assertEqual(
            still["X-Accel-Redirect"],
            f"/protected-media/{self.published.tells.get().still.name}",
        )

    @override_settings(MEDIA_SERVING="x-accel")
    def test_it_checks_access_before_handing_files_to_nginx(self) -> None:
        response = self.client.get(self.draft.media_url)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("X-Accel-Redirect", response)
        self.client.force_login(self.curator)
        response = self.client.get(self.draft.media_url)
        self.assertIn(self.draft.media_file.name, response["X-Accel-Redirect"])
        self.assertEqual(response["Cache-Control"], "private, no-store")

    @override_settings(MEDIA_SERVING="storage")
    def test_it_redirects_to_storage(self) -> None:
        response = self.client.get(self.published.poster_url)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], self.published.poster.url)
        self.assertEqual(response["Cache-Control"], "no-store")

    @override_settings(MEDIA_SERVING="storage")
    def test_it_checks_access_before_redirecting_to_storage(self) -> None:
        self.client.force_login(self.student)
        response = self.client.get(self.draft.media_url)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("Location", response)

    @override_settings(MEDIA_SERVING="nginx")
    def test_it_refuses_an_unknown_mode(self) -> None:
        with self.assertRaisesMessage(ImproperlyConfigured, "MEDIA_SERVING"):
            self.client.get(self.published.media_url)


class UrlHelperTests(ServingTestCase):
    def test_it_builds_opaque_versioned_urls(self) -> None:
        clip = self.published
        self.assertTrue(clip.media_url.startswith(f"/media/clips/{clip.uid}/media/?v="))
        self.assertTrue(clip.poster_url.startswith(f"/media/clips/{clip.uid}/poster/?v="))
        self.assertTrue(clip.strip_url.startswith(f"/media/clips/{clip.uid}/strip/?v="))
        self.assertTrue(clip.captions_url.startswith(f"/media/clips/{clip.uid}/captions.vtt?v="))
        self.assertEqual(clip.file_url("source"), "")

    def test_it_changes_the_version_when_the_file_changes(self) -> None:
        clip = make_clip("Versioned", processing_status=ProcessingStatus.READY)
        clip.media_file.save("a.mp4", ContentFile(b"one"))
        before = clip.media_url
        clip.media_file.save("a.mp4", ContentFile(b"two"))
        self.assertNotEqual(clip.media_url, before)
