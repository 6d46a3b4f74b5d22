"""A clip's whole life with its media in S3-compatible object storage (django-storages'
S3Storage against moto's standalone server, started here on a loopback port): upload through
the curator's page, processing by the immediate task backend (the upload read from the bucket
into MEDIA_WORK_DIR, the results written back through the storage API), serving with full and
Range requests both streamed by Django and through presigned URLs, a tell's still, an attempt's
quiz media, and deletion and refusal leaving no object behind (checked by listing the bucket).

These run once, in the SQLite run of the suite (tests/object_storage.py says why).
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from media_library import detector_weights
from media_library.detector.scoring import Weights
from media_library.models import Clip, ProcessingStatus, TellCategory
from quiz.models import Mode
from tests.base import isolated_media
from tests.factories import (
    add_tell,
    make_image,
    make_item,
    make_quiz,
    make_user,
    make_video,
    start,
)
from tests.object_storage import MotoServer, ObjectStorageTestCase, skip_unless_sqlite_run
from tests.test_worker import DB_TASKS, worker_command, worker_env

UPLOAD_URL = reverse("media_library:clip-upload")


def body(response: HttpResponse) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """GET a presigned URL from the S3 server itself, as a browser would after the redirect."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}", headers=headers)
        response = connection.getresponse()
        return response.status, lowered(response.headers), response.read()
    finally:
        connection.close()


def lowered(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


class ClipStorageTestCase(ObjectStorageTestCase):
    """A curator signed in, uploading through the upload page."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.curator)

    def upload(self, name: str, content: bytes, **fields: str) -> HttpResponse:
        data = {"title": "Senator at a rally", "verdict": "real", "technique": "none", **fields}
        data["file"] = SimpleUploadedFile(name, content)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(UPLOAD_URL, data)

    def uploaded_video(self, **fields: str) -> Clip:
        source = self.fixture("clip.mp4", make_video, seconds=2.0)
        response = self.upload("rally.mp4", source.read_bytes(), **fields)
        clip = Clip.objects.get()
        self.assertRedirects(response, clip.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        return clip

    def publish(self, clip: Clip, *, teaching_example: bool = True) -> None:
        clip.licence = "CC0"
        clip.depicts_people = False
        clip.teaching_example = teaching_example
        clip.save(update_fields=["licence", "depicts_people", "teaching_example"])
        self.assertTrue(clip.submit_for_review(self.curator), clip.publication_blockers)
        self.assertTrue(clip.publish(self.teammate), clip.publication_blockers)
        clip.refresh_from_db()


class ClipLifeTests(ClipStorageTestCase):
    def test_an_upload_is_processed_from_the_bucket_into_the_bucket(self) -> None:
        clip = self.uploaded_video()
        names = [clip.source_file.name, *(getattr(clip, f).name for f in clip.PROCESSED_FIELDS)]
        self.assertTrue(all(names), names)
        self.assertEqual(self.keys(), sorted(names))
        self.assertEqual(
            self.stored_bytes(clip.source_file.name),
            self.fixture("clip.mp4", make_video, seconds=2.0).read_bytes(),
        )
        self.assertEqual(self.stored_bytes(clip.media_file.name)[4:8], b"ftyp")
        self.assertEqual(self.stored_bytes(clip.poster.name)[:3], b"\xff\xd8\xff")
        self.assertEqual((clip.width, clip.height), (320, 240))
        # Nothing stays in the local work dir, and nothing was written to MEDIA_ROOT.
        self.assertEqual(self.work_files(), [])
        self.assertEqual(self.stored_files(), [])

    def test_a_refused_upload_leaves_no_object(self) -> None:
        response = self.upload("notes.mp4", b"<html><script>alert(1)</script></html>" * 40)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Clip.objects.exists())
        self.assertEqual(self.keys(), [])
        self.assertEqual(self.work_files(), [])

    def test_a_duplicate_upload_leaves_no_second_object(self) -> None:
        clip = self.uploaded_video()
        before = self.keys()
        source = self.fixture("clip.mp4", make_video, seconds=2.0)
        response = self.upload("again.mp4", source.read_bytes(), title="The same again")
        self.assertContains(response, "This file was already uploaded as")
        self.assertEqual(list(Clip.objects.all()), [clip])
        self.assertEqual(self.keys(), before)

    def test_a_file_that_fails_processing_keeps_only_its_upload(self) -> None:
        source = self.fixture("clip.mp4", make_video, seconds=2.0).read_bytes()
        # Starts like an MP4 and passes the upload checks, but its media data is cut off.
        self.upload("cut.mp4", source[: len(source) // 3])
        clip = Clip.objects.get()
        self.assertEqual(clip.processing_status, ProcessingStatus.FAILED)
        self.assertEqual(self.keys(), [clip.source_file.name])
        self.assertEqual(self.work_files(), [])

    def test_deleting_the_clip_removes_its_objects(self) -> None:
        clip = self.uploaded_video()
        tell = add_tell(clip, TellCategory.FACE_EDGES, box_x=0.1, box_y=0.1, box_w=0.5, box_h=0.5)
        self.assertTrue(tell.render_still())
        tell.refresh_from_db()
        self.assertIn(tell.still.name, self.keys())
        self.assertEqual(len(self.keys()), 1 + len(clip.PROCESSED_FIELDS) + 1)
        delete_url = reverse("media_library:clip-delete", args=[clip.slug])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(delete_url)
        self.assertRedirects(response, reverse("media_library:clip-list"))
        self.assertFalse(Clip.objects.exists())
        self.assertEqual(self.keys(), [])

    def test_erasing_for_withdrawn_consent_removes_every_object(self) -> None:
        clip = self.uploaded_video()
        tell = add_tell(clip, TellCategory.FACE_EDGES, box_x=0.2, box_y=0.2, box_w=0.3, box_h=0.3)
        self.assertTrue(tell.render_still())
        with self.captureOnCommitCallbacks(execute=True):
            clip.erase_for_withdrawn_consent(self.curator)
        clip.refresh_from_db()
        self.assertIsNotNone(clip.consent_withdrawn_at)
        self.assertEqual(self.keys(), [])

    def test_a_curator_can_retry_a_failed_clip_from_the_bucket(self) -> None:
        clip = self.uploaded_video()
        # Processing again (a retry) reads the upload from the bucket once more and replaces
        # the processed objects; the old ones go.
        old = sorted(getattr(clip, f).name for f in clip.PROCESSED_FIELDS)
        Clip.objects.filter(pk=clip.pk).update(processing_status=ProcessingStatus.FAILED)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("media_library:clip-retry", args=[clip.slug]))
        self.assertEqual(response.status_code, 302)
        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        new = sorted(getattr(clip, f).name for f in clip.PROCESSED_FIELDS)
        self.assertFalse(set(old) & set(new))
        self.assertEqual(self.keys(), sorted([clip.source_file.name, *new]))

    def test_check_media_asks_the_bucket(self) -> None:
        clip = self.uploaded_video()
        out = StringIO()
        call_command("check_media", stdout=out)
        self.assertIn(f"Checked {len(self.keys())} files named by", out.getvalue())
        self.s3.client().delete_object(Bucket=self.bucket, Key=clip.poster.name)
        out = StringIO()
        with self.assertRaises(CommandError):
            call_command("check_media", stdout=out)
        self.assertIn(f"media_library.Clip {clip.pk} poster: {clip.poster.name}", out.getvalue())

    def test_the_detector_weights_live_in_the_bucket(self) -> None:
        default = detector_weights.current()
        fitted = Weights.from_json({**default.to_json(), "version": "fit-for-the-bucket-test"})
        name = detector_weights.save(fitted)
        self.assertEqual(self.keys(), [name])
        self.assertEqual(json.loads(self.stored_bytes(name))["version"], "fit-for-the-bucket-test")
        self.assertEqual(detector_weights.current().version, "fit-for-the-bucket-test")


class ServingFromTheBucketTests(ClipStorageTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.clip = self.uploaded_video()
        self.publish(self.clip)
        self.video = self.stored_bytes(self.clip.media_file.name)
        self.size = len(self.video)
        self.client.logout()

    def assert_partial(self, response, start: int, end: int) -> None:
        self.assertEqual(response.status_code, 206)
        self.assertEqual(response["Content-Range"], f"bytes {start}-{end}/{self.size}")
        self.assertEqual(response["Content-Length"], str(end - start + 1))
        self.assertEqual(body(response), self.video[start : end + 1])

    def test_django_streams_the_whole_file_and_its_ranges(self) -> None:
        url = self.clip.media_url
        whole = self.client.get(url)
        self.assertEqual(whole.status_code, 200)
        self.assertEqual(whole["Content-Type"], "video/mp4")
        self.assertEqual(whole["Accept-Ranges"], "bytes")
        self.assertEqual(whole["Content-Length"], str(self.size))
        self.assertEqual(body(whole), self.video)
        self.assert_partial(self.client.get(url, HTTP_RANGE="bytes=0-99"), 0, 99)
        self.assert_partial(self.client.get(url, HTTP_RANGE="bytes=1000-"), 1000, self.size - 1)
        self.assert_partial(
            self.client.get(url, HTTP_RANGE="bytes=-321"), self.size - 321, self.size - 1
        )
        middle = self.size // 2
        self.assert_partial(
            self.client.get(url, HTTP_RANGE=f"bytes={middle}-{middle + 70000}"),
            middle,
            min(middle + 70000, self.size - 1),
        )
        # Only the bytes sent are fetched from the bucket: one HEAD (size and date), then one
        # GET of the range, never the whole object.
        calls = self.s3_calls()
        self.assert_partial(self.client.get(url, HTTP_RANGE="bytes=500-599"), 500, 599)
        self.assertEqual(calls, [("HeadObject", ""), ("GetObject", "bytes=500-599")])
        refused = self.client.get(url, HTTP_RANGE=f"bytes={self.size}-")
        self.assertEqual(refused.status_code, 416)
        self.assertEqual(refused["Content-Range"], f"bytes */{self.size}")
        # The validators come from the bucket's size and modification time.
        again = self.client.get(url, HTTP_IF_NONE_MATCH=whole["ETag"])
        self.assertEqual(again.status_code, 304)
        self.assertIn("Last-Modified", whole)

    def test_django_serves_the_poster_strip_and_still(self) -> None:
        for variant, field in (("poster", "poster"), ("strip", "thumbnail_strip")):
            response = self.client.get(self.clip.file_url(variant))
            self.assertEqual(response.status_code, 200, variant)
            self.assertEqual(body(response), self.stored_bytes(getattr(self.clip, field).name))
        box = {"box_x": 0.1, "box_y": 0.1, "box_w": 0.4, "box_h": 0.4}
        tell = add_tell(self.clip, TellCategory.FACE_EDGES, **box)
        self.assertTrue(tell.render_still())
        tell.refresh_from_db()
        response = self.client.get(tell.still_url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(body(response), self.stored_bytes(tell.still.name))

    @override_settings(MEDIA_SERVING="storage")
    def test_storage_mode_redirects_to_a_presigned_url_that_serves_ranges(self) -> None:
        response = self.client.get(self.clip.media_url)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Cache-Control"], "no-store")
        location = response["Location"]
        parts = urlsplit(location)
        self.assertEqual(f"{parts.scheme}://{parts.netloc}", self.s3.endpoint)
        self.assertIn("X-Amz-Signature=", parts.query)
        # The clip's title or verdict is nowhere in the URL.
        self.assertNotIn("Senator", location)
        status, headers, content = fetch(location)
        self.assertEqual(status, 200)
        self.assertEqual(content, self.video)
        # The signed URL fixes the headers the bucket answers with: Django's type, neutral
        # name and cache rule, whatever the object was stored with.
        self.assertEqual(headers["content-type"], "video/mp4")
        self.assertEqual(headers["content-disposition"], 'inline; filename="clip.mp4"')
        self.assertEqual(headers["cache-control"], "public, max-age=31536000, immutable")
        status, headers, content = fetch(location, Range="bytes=100-1099")
        self.assertEqual(status, 206)
        self.assertEqual(headers["content-range"], f"bytes 100-1099/{self.size}")
        self.assertEqual(content, self.video[100:1100])
        status, headers, content = fetch(location, Range=f"bytes=-{500}")
        self.assertEqual(status, 206)
        self.assertEqual(content, self.video[-500:])
        status, _headers, _content = fetch(location, Range=f"bytes={self.size + 10}-")
        self.assertEqual(status, 416)
        # Without the signature the bucket refuses: only Django's redirect opens it.
        status, _headers, _content = fetch(f"{self.s3.endpoint}{parts.path}")
        self.assertIn(status, (401, 403))

    @override_settings(MEDIA_SERVING="storage")
    def test_storage_mode_still_checks_access_first(self) -> None:
        draft = Clip.objects.get(pk=self.clip.pk)
        draft.withdraw(self.curator)
        response = self.client.get(self.clip.media_url)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("Location", response)


class AttemptMediaFromTheBucketTests(ClipStorageTestCase):
    def test_an_attempt_gets_its_own_video_and_poster_from_the_bucket(self) -> None:
        clip = self.uploaded_video()
        self.publish(clip, teaching_example=False)
        quiz = make_quiz([make_item(clip)], "Spot the fake", mode=Mode.PRACTICE)
        rendition = self.stored_bytes(clip.quiz_media.name)
        for mode in ("django", "storage"):
            with self.subTest(mode=mode), override_settings(MEDIA_SERVING=mode):
                learner = self.client_class()
                learner.force_login(self.student)
                attempt = start(learner, quiz)
                url = f"/attempts/{attempt.uid}/items/1/a/media/"
                # Always sent by the app, never a redirect: every attempt gets its own bytes.
                whole = learner.get(url)
                self.assertEqual(whole.status_code, 200)
                content = body(whole)
                # The stored rendition, then a `free` box of attempt-random padding.
                self.assertEqual(content[: len(rendition)], rendition)
                self.assertGreater(len(content), len(rendition))
                size = len(content)
                part = learner.get(url, HTTP_RANGE=f"bytes={len(rendition) - 50}-")
                self.assertEqual(part.status_code, 206)
                self.assertEqual(
                    part["Content-Range"], f"bytes {len(rendition) - 50}-{size - 1}/{size}"
                )
                self.assertEqual(body(part), content[len(rendition) - 50 :])
                self.assertEqual(learner.get(url, HTTP_RANGE=f"bytes={size}-").status_code, 416)
                poster = learner.get(f"/attempts/{attempt.uid}/items/1/a/poster/")
                self.assertEqual(poster.status_code, 200)
                self.assertEqual(body(poster)[:3], b"\xff\xd8\xff")

    def test_an_image_clip_is_drawn_for_the_attempt_from_the_bucket(self) -> None:
        path = make_image(self.work.parent / "picture.png", size=(320, 240), fmt="PNG")
        self.upload("picture.png", path.read_bytes(), title="A picture")
        clip = Clip.objects.get()
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        self.publish(clip, teaching_example=False)
        quiz = make_quiz([make_item(clip)], "Pictures", mode=Mode.PRACTICE)
        learner = self.client_class()
        learner.force_login(self.student)
        attempt = start(learner, quiz)
        response = learner.get(f"/attempts/{attempt.uid}/items/1/a/media/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertEqual(body(response)[:3], b"\xff\xd8\xff")


class OperationsOnTheBucketTests(ClipStorageTestCase):
    def test_the_workshop_renders_from_the_bucket_into_it(self) -> None:
        source = self.uploaded_video()
        self.publish(source)
        with self.captureOnCommitCallbacks(execute=True):
            fake = source.make_shallowfake("slow_speech", {"factor": 0.75}, self.curator)
        fake.refresh_from_db()
        self.assertEqual(fake.processing_status, ProcessingStatus.READY, fake.processing_error)
        names = [fake.source_file.name, *(getattr(fake, f).name for f in fake.PROCESSED_FIELDS)]
        self.assertTrue(set(names) <= set(self.keys()), (names, self.keys()))
        self.assertGreater(fake.duration_seconds, source.duration_seconds * 1.2)
        self.assertEqual(self.work_files(), [])
        self.assertEqual(self.stored_files(), [])

    def test_prepare_quiz_media_makes_the_missing_renditions_in_the_bucket(self) -> None:
        clip = self.uploaded_video()
        old = [getattr(clip, field).name for field in clip.QUIZ_FIELDS]
        for name in old:
            self.s3.client().delete_object(Bucket=self.bucket, Key=name)
        Clip.objects.filter(pk=clip.pk).update(**dict.fromkeys(clip.QUIZ_FIELDS, ""))
        call_command("prepare_quiz_media", "--all", stdout=StringIO(), stderr=StringIO())
        clip.refresh_from_db()
        made = [getattr(clip, field).name for field in clip.QUIZ_FIELDS]
        self.assertTrue(all(made), made)
        self.assertTrue(set(made) <= set(self.keys()))
        self.assertFalse(set(old) & set(self.keys()))
        self.assertEqual(self.stored_bytes(clip.quiz_media.name)[4:8], b"ftyp")
        self.assertEqual(self.work_files(), [])

    def test_export_library_copies_the_files_out_of_the_bucket(self) -> None:
        clip = self.uploaded_video()
        target = self.work.parent / "export"
        call_command("export_library", str(target), stdout=StringIO())
        manifest = json.loads((target / "manifest.json").read_text())
        [entry] = manifest["clips"]
        self.assertEqual(entry["file"], f"media/{clip.slug}.mp4")
        exported = (target / entry["file"]).read_bytes()
        self.assertEqual(exported, self.stored_bytes(clip.media_file.name))

    def test_a_bucket_restored_from_a_copy_passes_check_media_and_serves(self) -> None:
        clip = self.uploaded_video()
        self.publish(clip)
        # The restore of docs/deployment.md: the objects copied into a fresh bucket (what
        # `aws s3 sync` does), the site pointed at it, then check_media before serving.
        restored = self.s3.bucket()
        client = self.s3.client()
        for key in self.keys():
            client.copy_object(
                Bucket=restored, Key=key, CopySource={"Bucket": self.bucket, "Key": key}
            )
        with override_settings(STORAGES=self.s3.storages(restored)):
            out = StringIO()
            call_command("check_media", stdout=out)
            self.assertIn("all present", out.getvalue())
            response = self.client.get(clip.media_url, HTTP_RANGE="bytes=0-9")
            self.assertEqual(response.status_code, 206)
            self.assertEqual(body(response), self.stored_bytes(clip.media_file.name)[:10])

    def test_the_environment_alone_points_a_process_at_the_bucket(self) -> None:
        # MEDIA_S3_* as an operator sets them, read by config/settings.py in a new process.
        code = (
            "from django.core.files.base import ContentFile;"
            "from django.core.files.storage import default_storage as storage;"
            "print(storage.save('probe/configured.txt', ContentFile(b'set by the environment')))"
        )
        env = {**os.environ, **self.s3.env(self.bucket), "TELLTALE_ALLOW_DEV_SECRET": "1"}
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.strip(), "probe/configured.txt")
        self.assertEqual(self.stored_bytes("probe/configured.txt"), b"set by the environment")

    def test_the_detector_analyses_a_clip_read_from_the_bucket(self) -> None:
        clip = self.uploaded_video()
        with self.captureOnCommitCallbacks(execute=True):
            analysis = clip.enqueue_analysis()
        analysis.refresh_from_db()
        self.assertTrue(analysis.is_done, analysis.error)
        self.assertEqual(self.work_files(), [])

    def test_the_admin_names_stored_files_and_never_links_the_bucket(self) -> None:
        clip = self.uploaded_video()
        tell = add_tell(clip, TellCategory.FACE_EDGES, box_x=0.1, box_y=0.1, box_w=0.5, box_h=0.5)
        self.assertTrue(tell.render_still())
        tell.refresh_from_db()
        admin = make_user("site-admin", is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        page = self.client.get(reverse("admin:media_library_clip_change", args=[clip.pk]))
        self.assertEqual(page.status_code, 200)
        for name in (clip.source_file.name, clip.media_file.name, tell.still.name):
            self.assertContains(page, name)
        # No presigned URL to the raw upload, a draft's files or a still: access stays Django's.
        self.assertNotContains(page, "X-Amz-Signature=")
        self.assertNotContains(page, self.s3.endpoint)


@pytest.mark.worker
@override_settings(TASKS=DB_TASKS)
class WorkerWithoutSharedDiskTests(TransactionTestCase):
    """A real `db_worker` process that shares only the database and the bucket with the web
    side: its own MEDIA_ROOT and MEDIA_WORK_DIR, as on another machine."""

    @classmethod
    def setUpClass(cls) -> None:
        skip_unless_sqlite_run()
        cls.s3 = MotoServer.start()
        cls.addClassCleanup(cls.s3.stop)
        super().setUpClass()

    def setUp(self) -> None:
        super().setUp()
        self.web_media, self.web_work, self.worker_media, self.worker_work = isolated_media(
            self, "web-media", "web-work", "worker-media", "worker-work"
        )
        self.bucket = self.s3.bucket()
        overrides = override_settings(
            STORAGES=self.s3.storages(self.bucket),
            MEDIA_ROOT=self.web_media,
            MEDIA_WORK_DIR=self.web_work,
        )
        overrides.enable()
        self.addCleanup(overrides.disable)
        self.curator = make_user("curator", curator=True)
        self.client.force_login(self.curator)

    def test_a_worker_elsewhere_processes_an_upload_through_the_bucket(self) -> None:
        source = make_video(self.web_work.parent / "elsewhere.mp4", seconds=1.0)
        with source.open("rb") as handle:
            response = self.client.post(
                UPLOAD_URL,
                {"file": handle, "title": "Far away", "verdict": "real", "technique": "none"},
            )
        self.assertEqual(response.status_code, 302)
        clip = Clip.objects.get()
        self.assertEqual(clip.processing_status, ProcessingStatus.PENDING)
        self.assertEqual(self.s3.keys(self.bucket), [clip.source_file.name])

        env = {
            **worker_env(),
            **self.s3.env(self.bucket),
            "MEDIA_ROOT": str(self.worker_media),
            "MEDIA_WORK_DIR": str(self.worker_work),
        }
        subprocess.run(
            worker_command("--batch"),
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
            timeout=180,
            capture_output=True,
        )
        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        names = [clip.source_file.name, *(getattr(clip, f).name for f in clip.PROCESSED_FIELDS)]
        self.assertEqual(self.s3.keys(self.bucket), sorted(names))
        # Neither side's disk holds a media file: the bucket is all they share.
        for folder in (self.web_media, self.web_work, self.worker_media, self.worker_work):
            self.assertEqual([p for p in folder.rglob("*") if p.is_file()], [], folder)
        # And the web side serves what the worker made.
        clip.licence, clip.depicts_people, clip.teaching_example = "CC0", False, True
        clip.save(update_fields=["licence", "depicts_people", "teaching_example"])
        self.assertTrue(clip.submit_for_review(self.curator))
        self.assertTrue(clip.publish(make_user("teammate", curator=True)))
        response = self.client.get(clip.media_url, HTTP_RANGE="bytes=0-7")
        self.assertEqual(response.status_code, 206)
        self.assertEqual(body(response)[4:8], b"ftyp")
