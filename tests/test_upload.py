"""The upload page: access, the form's checks, file names, duplicates and the happy paths."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from media_library.models import Clip, MediaKind, ProcessingStatus, Technique, Verdict
from media_library.processing.names import display_filename
from tests.base import IsolatedMediaTestCase
from tests.factories import make_image, make_video

UPLOAD_URL = reverse("media_library:clip-upload")
BOUNDARY = "telltale-test-boundary"


def multipart(filename: bytes, content: bytes, **fields: str) -> bytes:
    """A multipart body written by hand, so the file name can hold any bytes at all.

    A name starting with `*=` is sent as an RFC 2231 `filename*` parameter (percent-encoded
    bytes in a declared charset): the way a client sends bytes that are not UTF-8.
    """
    param = b"filename" + filename if filename.startswith(b"*=") else b'filename="%s"' % filename
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '.encode()
        + param
        + b"\r\nContent-Type: application/octet-stream\r\n\r\n"
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


class UploadAccessTests(IsolatedMediaTestCase):
    def test_anonymous_visitors_are_sent_to_log_in(self) -> None:
        response = self.client.get(UPLOAD_URL)
        self.assertRedirects(response, f"{reverse('login')}?next={UPLOAD_URL}")

    def test_non_curators_get_403(self) -> None:
        for user in (self.student, self.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(UPLOAD_URL).status_code, 403)
            response = self.client.post(UPLOAD_URL, {"title": "x"})
            self.assertEqual(response.status_code, 403)
        self.assertFalse(Clip.objects.exists())

    def test_curators_see_the_form(self) -> None:
        self.client.force_login(self.curator)
        response = self.client.get(UPLOAD_URL)
        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, "csrfmiddlewaretoken")


class UploadTests(IsolatedMediaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.curator)

    def post(self, upload, **fields):
        data = {"title": "Senator at a rally", "verdict": "real", "technique": "none", **fields}
        data["file"] = upload
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(UPLOAD_URL, data)

    def test_it_creates_and_processes_an_mp4(self) -> None:
        source = self.fixture("clip.mp4", make_video)
        response = self.post(
            SimpleUploadedFile("rally.mp4", source.read_bytes()),
            verdict="shallowfake",
            technique="speed_change",
        )
        clip = Clip.objects.get()
        self.assertRedirects(response, clip.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual((clip.created_by, clip.updated_by), (self.curator, self.curator))
        self.assertEqual((clip.verdict, clip.technique), (Verdict.SHALLOWFAKE, "speed_change"))
        self.assertEqual(clip.original_filename, "rally.mp4")
        self.assertEqual(clip.source_size, source.stat().st_size)
        self.assertEqual(len(clip.source_sha256), 64)
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        self.assertEqual(clip.kind, MediaKind.VIDEO)

    def test_it_still_requires_the_csrf_token(self) -> None:
        # The view checks CSRF itself (after the length check), not through the middleware.
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.curator)
        source = self.fixture("clip.mp4", make_video)
        data = {"title": "Forged", "verdict": "real", "technique": "none"}
        forged = client.post(
            UPLOAD_URL, {**data, "file": SimpleUploadedFile("a.mp4", source.read_bytes())}
        )
        self.assertEqual(forged.status_code, 403)
        self.assertFalse(Clip.objects.exists())
        self.assertEqual(self.stored_files(), [])

        token = client.get(UPLOAD_URL).context["csrf_token"]
        with self.captureOnCommitCallbacks(execute=True):
            genuine = client.post(
                UPLOAD_URL,
                {
                    **data,
                    "file": SimpleUploadedFile("a.mp4", source.read_bytes()),
                    "csrfmiddlewaretoken": str(token),
                },
            )
        self.assertEqual(genuine.status_code, 302)
        self.assertTrue(Clip.objects.filter(title="Forged").exists())

    def test_it_accepts_an_image_and_links_the_original(self) -> None:
        original = self.create_clip(self.fixture("clip.mp4", make_video), "The original")
        image = make_image(self.fixtures / "still.png", fmt="PNG")
        self.post(
            SimpleUploadedFile("still.png", image.read_bytes()),
            title="Doctored still",
            verdict="deepfake",
            technique="face_swap",
            original=str(original.pk),
        )
        clip = Clip.objects.get(title="Doctored still")
        self.assertEqual(clip.original, original)
        self.assertEqual(clip.kind, MediaKind.IMAGE)
        self.assertEqual(clip.media_content_type, "image/png")

    def test_a_duplicate_upload_is_refused_naming_the_clip(self) -> None:
        content = self.fixture("clip.mp4", make_video).read_bytes()
        self.post(SimpleUploadedFile("first.mp4", content), title="First upload")
        files = self.stored_files()
        response = self.post(SimpleUploadedFile("again.mp4", content), title="Second")
        self.assertContains(response, "already uploaded as “First upload”")
        self.assertEqual(Clip.objects.count(), 1)
        self.assertEqual(self.stored_files(), files)
        self.assertEqual(self.work_files(), [])

    def test_a_real_clip_with_a_technique_is_a_form_error(self) -> None:
        content = self.fixture("clip.mp4", make_video).read_bytes()
        response = self.post(SimpleUploadedFile("a.mp4", content), technique="face_swap")
        self.assertContains(response, "A real clip has no manipulation technique")
        self.assertFalse(Clip.objects.exists())
        self.assertEqual(self.stored_files() + self.work_files(), [])

    @override_settings(MEDIA_MAX_UPLOAD_BYTES=50_000)
    def test_the_exact_cap_is_checked_by_the_form(self) -> None:
        # Over the cap, but within the multipart allowance of the up-front length check.
        content = self.fixture("clip.mp4", make_video).read_bytes()[:60_000]
        response = self.post(SimpleUploadedFile("a.mp4", content))
        self.assertContains(response, "uploads may be at most 0.1 MB")
        self.assertFalse(Clip.objects.exists())
        self.assertEqual(self.stored_files() + self.work_files(), [])

    def upload_named(self, filename: bytes) -> Clip:
        content = make_image(self.fixtures / f"{len(filename)}.jpg", size=(64, 48)).read_bytes()
        body = multipart(filename, content, title="Named", verdict="real", technique="none")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                UPLOAD_URL, body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
            )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        clip = Clip.objects.get()
        self.assertEqual(clip.source_file.name, f"uploads/{clip.uid.hex}")
        clip.delete()
        return clip

    def test_hostile_file_names_are_kept_only_as_safe_display_copies(self) -> None:
        cases = {
            b"../../etc/passwd.jpg": "passwd.jpg",
            b"..\\..\\boot.ini.jpg": "boot.ini.jpg",
            b"-rf --no-preserve-root.jpg": "rf --no-preserve-root.jpg",
            b"...hidden.jpg": "hidden.jpg",
            b"nul\x00byte.jpg": "nulbyte.jpg",
            b"*=utf-8''caf%E9-%FF%00.jpg": "caf\ufffd-\ufffd.jpg",
            b"\xe2\x80\xaegpj.exe": "gpj.exe",  # a right-to-left override is dropped
        }
        for raw, expected in cases.items():
            with self.subTest(raw=raw):
                self.assertEqual(self.upload_named(raw).original_filename, expected)
        long_name = self.upload_named(b"a" * 300 + b".jpg").original_filename
        self.assertEqual(len(long_name), 120)
        self.assertTrue(long_name.endswith("aaa.jpg"))
        self.assertEqual(
            [p for p in self.stored_files() if not p.startswith(("uploads/", "clips/", "quiz/"))],
            [],
        )

    def test_a_file_name_too_long_to_parse_is_a_clear_refusal(self) -> None:
        # Django refuses a multipart part whose headers pass 1 KB; a 2 KB file name did that and
        # got a bare 400. Now the upload page says what to do, and nothing is stored.
        content = make_image(self.fixtures / "long.jpg", size=(64, 48)).read_bytes()
        body = multipart(b"a" * 2048 + b".jpg", content, title="Named", verdict="real")
        response = self.client.post(
            UPLOAD_URL, body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
        )
        self.assertContains(response, "The file name is too long to upload", status_code=400)
        self.assertContains(response, "nothing was saved", status_code=400)
        self.assertContains(response, 'enctype="multipart/form-data"', status_code=400)
        self.assertFalse(Clip.objects.exists())
        self.assertEqual(self.stored_files() + self.work_files(), [])
        # Just under the limit, the name is accepted and kept as a shortened display copy.
        self.assertEqual(len(self.upload_named(b"b" * 880 + b".jpg").original_filename), 120)

    def test_a_malformed_upload_body_is_a_clear_refusal(self) -> None:
        body = b"--" + BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; name="file"'
        response = self.client.post(UPLOAD_URL, body, content_type="multipart/form-data; boundary=")
        self.assertContains(response, "The upload could not be read", status_code=400)

    def test_display_filename_handles_raw_bytes_and_surrogates(self) -> None:
        self.assertEqual(display_filename(b"../\xff\x00x.mp4"), "\ufffdx.mp4")
        self.assertEqual(display_filename("a\udcffb.mp4"), "a\ufffdb.mp4")
        self.assertEqual(display_filename("-.-.."), "")
        self.assertEqual(display_filename("x" * 300), "x" * 120)


class CreateFromUploadTests(IsolatedMediaTestCase):
    def test_the_model_api_refuses_what_the_form_refuses(self) -> None:
        from django.core.exceptions import ValidationError

        upload = SimpleUploadedFile("clip.mp4", b"#EXTM3U\nfile:///etc/passwd\n")
        with self.assertRaisesMessage(ValidationError, "HLS playlist"):
            Clip.objects.create_from_upload(
                upload, self.curator, title="x", verdict=Verdict.REAL, technique=Technique.NONE
            )
        image = make_image(self.fixtures / "x.jpg").read_bytes()
        with self.assertRaisesMessage(ValidationError, "no manipulation technique"):
            Clip.objects.create_from_upload(
                SimpleUploadedFile("x.jpg", image),
                self.curator,
                title="x",
                verdict=Verdict.REAL,
                technique=Technique.FACE_SWAP,
            )
        self.assertFalse(Clip.objects.exists())
        self.assertEqual(self.stored_files() + self.work_files(), [])
