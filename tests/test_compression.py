"""Pages and static files reach browsers compressed, under runserver (DEBUG) and in production."""

from __future__ import annotations

import gzip
import shutil
import tempfile
from pathlib import Path

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client, override_settings

from tests.base import BaseTestCase, IsolatedMediaTestCase
from tests.factories import make_item, make_quiz, quizzable_clip, start

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
PRODUCTION_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class PageCompressionTests(IsolatedMediaTestCase):
    def setUp(self) -> None:
        super().setUp()
        clip = quizzable_clip("Harbour at dawn")
        default_storage.save(clip.quiz_media.name, ContentFile(b"\0\0\0\x18ftypmp42" * 500))
        quiz = make_quiz([make_item(clip)])
        self.item_url = f"/attempts/{start(self.client, quiz).uid}/items/1/"

    def test_it_gzips_a_quiz_page_for_a_browser_that_accepts_it(self) -> None:
        plain = self.client.get(self.item_url)
        compressed = self.client.get(self.item_url, **GZIP)
        self.assertNotIn("Content-Encoding", plain)
        self.assertEqual(compressed["Content-Encoding"], "gzip")
        self.assertIn("Accept-Encoding", compressed["Vary"])
        page = gzip.decompress(compressed.content)
        self.assertIn(b"Lock in my answer", page)
        self.assertLess(len(compressed.content), len(plain.content) / 2)

    def test_it_leaves_media_alone(self) -> None:
        # The media views answer Range requests in the stored file's bytes; gzip would break them.
        response = self.client.get(f"{self.item_url}a/media/", **GZIP)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Content-Encoding", response)


class DevelopmentStaticTests(BaseTestCase):
    @override_settings(DEBUG=True)
    def test_it_gzips_static_files_served_from_the_source_folder_under_debug(self) -> None:
        # runserver_nostatic leaves /static/ to whitenoise, which reads static/ directly.
        client = Client()
        plain = client.get("/static/css/site.css")
        compressed = client.get("/static/css/site.css", **GZIP)
        self.assertEqual(compressed.status_code, 200)
        self.assertEqual(compressed["Content-Encoding"], "gzip")
        sent, original = body(compressed), body(plain)
        self.assertEqual(gzip.decompress(sent), original)
        self.assertLess(len(sent), len(original) / 2)

    @override_settings(DEBUG=True)
    def test_it_answers_a_conditional_request_with_an_empty_304(self) -> None:
        client = Client()
        first = client.get("/static/css/site.css", **GZIP)
        again = client.get(
            "/static/css/site.css", HTTP_IF_NONE_MATCH=first["ETag"].removeprefix("W/"), **GZIP
        )
        self.assertEqual(again.status_code, 304)
        self.assertNotIn("Content-Encoding", again)
        self.assertEqual(body(again), b"")


class ProductionStaticTests(BaseTestCase):
    def setUp(self) -> None:
        root = Path(tempfile.mkdtemp(prefix="telltale-static-"))
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        production = override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STATIC, DEBUG=False)
        production.enable()
        self.addCleanup(production.disable)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.root = root

    def test_it_serves_the_hashed_stylesheet_precompressed_and_cached_for_good(self) -> None:
        url = staticfiles_storage.url("css/site.css")
        self.assertRegex(url, r"/static/css/site\.[0-9a-f]{12}\.css$")
        hashed = url.removeprefix("/static/")
        self.assertTrue((self.root / f"{hashed}.gz").exists(), "collectstatic made no .gz")
        response = Client().get(url, **GZIP)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Encoding"], "gzip")
        self.assertEqual(body(response), (self.root / f"{hashed}.gz").read_bytes())
        self.assertIn("max-age=315360000", response["Cache-Control"])
        self.assertIn("immutable", response["Cache-Control"])

    def test_pages_name_the_hashed_stylesheet(self) -> None:
        page = self.client.get("/").content.decode()
        self.assertRegex(page, r'href="/static/css/site\.[0-9a-f]{12}\.css"')
