"""A full disk, on a real small filesystem: uploads and processing say the server is out of space
and leave nothing behind.

The filesystem is a 2 MB tmpfs this module mounts (so it needs root; it skips otherwise), filled
with a filler file to within a few kilobytes before the write that must fail.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from media_library.models import Clip, ProcessingStatus, Verdict
from tests.base import IsolatedMediaTestCase
from tests.factories import make_image, make_video

UPLOAD_URL = reverse("media_library:clip-upload")
OUT_OF_SPACE_UPLOAD = "The server is out of space; nothing was saved."
OUT_OF_SPACE_PROCESSING = "The server ran out of space while processing this clip"
DAMAGED = "the file may be damaged"


class DiskFullTestCase(IsolatedMediaTestCase):
    """`self.disk` is an empty 2 MB filesystem; `fill()` leaves it nearly full."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        if os.geteuid() != 0:
            raise unittest.SkipTest("mounting a small filesystem needs root")
        cls.mount_point = Path(tempfile.mkdtemp(prefix="telltale-small-disk-"))
        cls.addClassCleanup(shutil.rmtree, cls.mount_point, ignore_errors=True)
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(cls.mount_point)],
            capture_output=True,
            text=True,
            check=False,
        )
        if mounted.returncode != 0:
            raise unittest.SkipTest(f"cannot mount a tmpfs: {mounted.stderr.strip()}")
        cls.addClassCleanup(
            subprocess.run,
            ["umount", "-l", str(cls.mount_point)],
            check=False,
        )

    def setUp(self) -> None:
        super().setUp()
        self.disk = self.mount_point
        self.addCleanup(self.empty_disk)

    def empty_disk(self) -> None:
        for entry in self.disk.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()

    def fill(self, leave: int = 4096) -> None:
        """Write a filler file so that only about `leave` bytes stay free."""
        stats = os.statvfs(self.disk)
        free = stats.f_bavail * stats.f_frsize
        with open(self.disk / "filler", "wb") as filler, contextlib.suppress(OSError):
            filler.write(b"\0" * max(0, free - leave))

    def unfill(self) -> None:
        (self.disk / "filler").unlink()

    def files_on_disk(self) -> list[str]:
        return sorted(
            str(path.relative_to(self.disk))
            for path in self.disk.rglob("*")
            if path.is_file() and path.name != "filler"
        )

    def post_upload(self, path: Path, title: str):
        self.client.force_login(self.curator)
        with path.open("rb") as handle:
            return self.client.post(
                UPLOAD_URL,
                {"file": handle, "title": title, "verdict": "real", "technique": "none"},
            )


class UploadOntoAFullDiskTests(DiskFullTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.video = self.fixture("upload.mp4", make_video, seconds=4, width=640, height=360)

    def assert_refused_with_nothing_saved(self, response) -> None:
        self.assertEqual(response.status_code, 507)
        self.assertContains(response, OUT_OF_SPACE_UPLOAD, status_code=507)
        self.assertFalse(Clip.objects.exists())
        self.assertEqual(self.files_on_disk(), [])
        self.assertEqual(self.stored_files(), [])
        self.assertEqual(self.work_files(), [])

    def test_it_says_so_when_the_media_volume_is_full_and_leaves_no_empty_file(self) -> None:
        # The work dir has room; the upload's copy into storage is what fails.
        with override_settings(MEDIA_ROOT=self.disk / "media"):
            self.fill()
            response = self.post_upload(self.video, "Onto a full volume")
            self.assert_refused_with_nothing_saved(response)

    def test_it_says_so_when_the_work_dir_is_full(self) -> None:
        with override_settings(MEDIA_ROOT=self.disk / "media", MEDIA_WORK_DIR=self.disk / "work"):
            self.fill()
            response = self.post_upload(self.video, "Into a full work dir")
            self.assert_refused_with_nothing_saved(response)

    def test_it_says_so_when_the_upload_cannot_be_spooled(self) -> None:
        # Django writes a large upload to FILE_UPLOAD_TEMP_DIR while it reads the body.
        with override_settings(
            FILE_UPLOAD_TEMP_DIR=str(self.disk), FILE_UPLOAD_MAX_MEMORY_SIZE=1024
        ):
            self.fill()
            response = self.post_upload(self.video, "Spooled onto a full disk")
            self.assert_refused_with_nothing_saved(response)

    def test_the_same_upload_works_once_space_is_freed(self) -> None:
        with override_settings(MEDIA_ROOT=self.disk / "media"):
            self.fill()
            self.assertEqual(self.post_upload(self.video, "Later").status_code, 507)
            self.unfill()
            response = self.post_upload(self.video, "Later")
            clip = Clip.objects.get()
            self.assertRedirects(response, clip.get_absolute_url())


class ProcessingOntoAFullDiskTests(DiskFullTestCase):
    def upload_then_fill(self, path: Path, *, work_on_disk: bool, leave: int = 4096) -> Clip:
        """A stored upload (plenty of room), then a full disk before it is processed."""
        media = self.disk / "media"
        folders = {"MEDIA_ROOT": media}
        if work_on_disk:
            folders["MEDIA_WORK_DIR"] = self.disk / "work"
        override = override_settings(**folders)
        override.enable()
        self.addCleanup(override.disable)
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        # Processing is not run on commit here: the disk is filled first.
        clip = Clip.objects.create_from_upload(
            upload, self.curator, title="Full disk clip", verdict=Verdict.REAL
        )
        self.fill(leave)
        return clip

    def assert_out_of_space(self, clip: Clip) -> None:
        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.FAILED)
        self.assertIn(OUT_OF_SPACE_PROCESSING, clip.processing_error)
        self.assertIn("Retry when space is freed", clip.processing_error)
        self.assertNotIn(DAMAGED, clip.processing_error)
        # Only the upload, kept for the retry: no partly written file anywhere.
        self.assertEqual(self.files_on_disk(), [f"media/{clip.source_file.name}"])
        self.assertEqual(self.work_files(), [])
        self.assertTrue(clip.can_retry_processing)

    def test_ffmpeg_filling_the_work_dir_fails_the_clip_as_out_of_space(self) -> None:
        video = self.fixture("process.mp4", make_video, seconds=3)
        clip = self.upload_then_fill(video, work_on_disk=True)
        self.assertTrue(clip.process())
        self.assert_out_of_space(clip)

    def test_storing_the_results_on_a_full_volume_fails_the_clip_and_keeps_no_part(self) -> None:
        # ffmpeg has room in the work dir; moving its output into storage runs out.
        video = self.fixture("process.mp4", make_video, seconds=3)
        clip = self.upload_then_fill(video, work_on_disk=False)
        self.assertTrue(clip.process())
        self.assert_out_of_space(clip)

    def test_a_python_write_filling_the_disk_fails_the_clip_as_out_of_space(self) -> None:
        # Images are re-encoded by Pillow in the worker itself.
        image = self.fixture("process.png", make_image, size=(640, 480), fmt="PNG")
        clip = self.upload_then_fill(image, work_on_disk=True, leave=2048)
        self.assertTrue(clip.process())
        self.assert_out_of_space(clip)

    def test_a_retry_once_space_is_freed_processes_the_clip(self) -> None:
        video = self.fixture("process.mp4", make_video, seconds=3)
        clip = self.upload_then_fill(video, work_on_disk=True)
        clip.process()
        self.unfill()
        with self.captureOnCommitCallbacks(execute=True):
            self.assertTrue(clip.retry_processing(self.curator))
        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
