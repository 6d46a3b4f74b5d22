"""check_media: every file a row names is in storage, or the missing ones are listed and the
command fails (the check that ends a restore, docs/deployment.md)."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from tests.base import IsolatedMediaTestCase
from tests.factories import make_clip


class CheckMediaTests(IsolatedMediaTestCase):
    def check_media(self, *args: str) -> str:
        out = io.StringIO()
        call_command("check_media", *args, stdout=out)
        return out.getvalue()

    def test_it_says_all_present_when_every_named_file_is_in_storage(self) -> None:
        stored = default_storage.save("clips/kept/clip.mp4", ContentFile(b"bytes of a clip"))
        make_clip("Kept clip", media_file=stored)
        make_clip("Clip with no files yet")
        self.assertIn("Checked 1 files named by", self.check_media())
        self.assertEqual(self.check_media("--quiet"), "")

    def test_it_lists_each_missing_file_and_fails(self) -> None:
        stored = default_storage.save("clips/kept/clip.mp4", ContentFile(b"bytes of a clip"))
        clip = make_clip("Half-restored clip", media_file=stored, poster="clips/lost/poster.jpg")
        out = io.StringIO()
        with self.assertRaisesMessage(CommandError, "1 files are missing from media storage"):
            call_command("check_media", stdout=out)
        self.assertIn("Missing 1 of 2 files:", out.getvalue())
        self.assertIn(f"media_library.Clip {clip.pk} poster: clips/lost/poster.jpg", out.getvalue())
        self.assertNotIn("clips/kept/clip.mp4", out.getvalue())
