"""The test case classes: the named users every access test speaks of, and the cases that give
each test its own media folders. The factories they use are in tests/factories.py."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase, TransactionTestCase, override_settings

from media_library.models import Clip, ProcessingStatus, Verdict
from media_library.roles import Role
from tests.factories import make_teacher, make_user, make_video


class BaseTestCase(TestCase):
    """The named users every access test speaks of: curator and teammate curate together;
    teacher and other_teacher teach (and must not see each other's work); organizer runs
    campaigns; student is a signed-in learner with no other role; outsider is a signed-in
    stranger. Nobody without the role may see a curator's or a teacher's data."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.curator = make_user("curator", Role.CURATOR)
        cls.teammate = make_user("teammate", Role.CURATOR)
        cls.teacher = make_teacher("teacher")
        cls.other_teacher = make_teacher("other_teacher")
        cls.organizer = make_user("organizer", Role.ORGANIZER)
        cls.student = make_user("student")
        cls.outsider = make_user("outsider")


def isolated_media(test: TestCase | TransactionTestCase, *folders: str) -> list[Path]:
    """Fresh MEDIA_ROOT ("media") and MEDIA_WORK_DIR ("work") folders for one test, plus any
    other `folders`, all removed afterwards; returns them in the order asked."""
    root = Path(tempfile.mkdtemp(prefix="telltale-media-"))
    test.addCleanup(shutil.rmtree, root, ignore_errors=True)
    paths = [root / name for name in folders]
    for path in paths:
        path.mkdir()
    settings_override = override_settings(MEDIA_ROOT=root / "media", MEDIA_WORK_DIR=root / "work")
    settings_override.enable()
    test.addCleanup(settings_override.disable)
    return paths


class IsolatedMediaTestCase(BaseTestCase):
    """Each test gets its own MEDIA_ROOT and MEDIA_WORK_DIR, so "nothing left behind" can be
    checked by listing them; clips made once per class live in `cls.fixtures`."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.fixtures = Path(tempfile.mkdtemp(prefix="telltale-fixtures-"))
        cls.addClassCleanup(shutil.rmtree, cls.fixtures, ignore_errors=True)

    def setUp(self) -> None:
        super().setUp()
        self.media_root, self.work = isolated_media(self, "media", "work")

    @classmethod
    def fixture(cls, name: str, maker, **options) -> Path:
        path = cls.fixtures / name
        if not path.exists():
            maker(path, **options)
        return path

    def stored_files(self) -> list[str]:
        return sorted(
            str(p.relative_to(self.media_root)) for p in self.media_root.rglob("*") if p.is_file()
        )

    def work_files(self) -> list[str]:
        return sorted(p.name for p in self.work.rglob("*"))

    def assert_nothing_left(self, clip: Clip | None = None) -> None:
        """No work files; in storage only the failed clip's upload (kept for a retry)."""
        self.assertEqual(self.work_files(), [])
        expected = [clip.source_file.name] if clip is not None else []
        self.assertEqual(self.stored_files(), expected)
        if clip is not None:
            clip.refresh_from_db()
            self.assertEqual(clip.processing_status, ProcessingStatus.FAILED)
            self.assertFalse(clip.media_file or clip.poster or clip.thumbnail_strip)

    def create_clip(self, path: Path, title: str = "A clip", **fields) -> Clip:
        """Store `path` as an upload and process it (the immediate task backend)."""
        fields.setdefault("verdict", Verdict.REAL)
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        with self.captureOnCommitCallbacks(execute=True):
            clip = Clip.objects.create_from_upload(upload, self.curator, title=title, **fields)
        clip.refresh_from_db()
        return clip


class ImportTestCase(TransactionTestCase):
    """Per-test MEDIA_ROOT, MEDIA_WORK_DIR and dataset folder; `run_import` calls the command.
    A TransactionTestCase: the import commits clip by clip, as it does for real."""

    def setUp(self) -> None:
        super().setUp()
        self.media_root, self.work, self.data = isolated_media(self, "media", "work", "data")

    def run_import(self, fmt: str, path: Path, *args: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        call_command("import_dataset", str(path), "--format", fmt, *args, stdout=out, stderr=err)
        # The progress bar is for terminals only: tests stay quiet.
        self.assertEqual(err.getvalue(), "")
        return out.getvalue()

    def video(self, relative: str, seconds: float = 1.0, **options) -> Path:
        """A real tiny clip at `relative` in the dataset; distinct lengths give distinct files."""
        path = self.data / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return make_video(path, seconds=seconds, width=160, height=120, **options)

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.data / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    def truncated_video(self, relative: str) -> Path:
        """Starts like an MP4 (passes the upload checks), but its media data is cut off."""
        whole = make_video(self.work.parent / "whole.mp4", seconds=2, width=160, height=120)
        data = whole.read_bytes()
        whole.unlink()
        return self.write(relative, data[: len(data) // 3])

    def stored_files(self) -> list[str]:
        return sorted(
            p.relative_to(self.media_root).as_posix()
            for p in self.media_root.rglob("*")
            if p.is_file()
        )

    def clip(self, key: str) -> Clip:
        return Clip.objects.get(import_key=key)
