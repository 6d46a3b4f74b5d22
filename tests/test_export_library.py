"""export_library through call_command, and the round trip back through import_dataset."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings

from media_library.choices import TellOrigin
from media_library.models import Clip, ProcessingStatus, Tell, TellCategory, Verdict
from tests.base import ImportTestCase
from tests.factories import make_image

COMPARED = [
    "title",
    "verdict",
    "technique",
    "kind",
    "source_url",
    "licence",
    "attribution",
    "depicts_people",
    "depicts_public_figure",
    "consent_on_file",
    "consent_notes",
    "content_notes",
    "language",
    "transcript",
    "captions_vtt",
]


def library() -> dict[str, dict]:
    """Everything an export must carry, by title: fields, original, tells with boxes."""
    return {
        clip.title: {
            **{name: getattr(clip, name) for name in COMPARED},
            "original": clip.original.title if clip.original else None,
            "tells": [
                (t.category, t.start_seconds, t.end_seconds, t.box, t.explanation)
                for t in clip.tells.all()
            ],
        }
        for clip in Clip.objects.select_related("original").prefetch_related("tells")
    }


class ExportLibraryTests(ImportTestCase):
    maxDiff = None

    def upload(self, path: Path, **fields) -> Clip:
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        clip = Clip.objects.create_from_upload(upload, None, **fields)
        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        return clip

    def build_library(self) -> None:
        rights = {
            "licence": "CC BY 4.0",
            "attribution": "Newsroom Ltd",
            "source_url": "https://example.org/a",
            "depicts_people": True,
            "depicts_public_figure": True,
            "consent_notes": "Public figure, newsworthy broadcast footage",
        }
        original = self.upload(
            self.video("in/original.mp4", 1.0),
            title="Speech, as given",
            verdict=Verdict.REAL,
            language="en",
            transcript="Good evening.",
            captions_vtt="WEBVTT\n\n00:00.000 --> 00:01.000\nGood evening.\n",
            **rights,
        )
        slowed = self.upload(
            self.video("in/slowed.mp4", 1.5),
            title="Speech, slowed",
            verdict=Verdict.SHALLOWFAKE,
            technique="speed_change",
            original=original,
            content_notes="Political speech.",
            **rights,
        )
        Tell.objects.create(
            clip=slowed,
            category=TellCategory.SPEED_CHANGE,
            start_seconds=0.2,
            end_seconds=1.1,
            explanation="The voice drags.",
        )
        Tell.objects.create(
            clip=slowed,
            category=TellCategory.TEETH_MOUTH,
            start_seconds=0.5,
            end_seconds=0.5,
            box_x=0.4,
            box_y=0.5,
            box_w=0.2,
            box_h=0.125,
            explanation="Mouth smears.",
        )
        photo = self.upload(
            make_image(self.data / "in/photo.jpg"),
            title="Flood photo, wrong caption",
            verdict=Verdict.SHALLOWFAKE,
            technique="out_of_context",
            licence="CC0",
            depicts_people=False,
        )
        for clip in (original, photo):
            self.assertTrue(clip.submit_for_review(None) and clip.publish(None))

    def export(self, path: Path, *args: str) -> str:
        out = io.StringIO()
        call_command("export_library", str(path), *args, stdout=out, stderr=io.StringIO())
        return out.getvalue()

    def test_an_export_imported_into_an_empty_library_recreates_it(self) -> None:
        self.build_library()
        before = library()
        target = self.data / "export"

        output = self.export(target)

        self.assertIn("Exported 3 clip(s)", output)
        manifest = json.loads((target / "manifest.json").read_text())
        self.assertEqual((manifest["format"], manifest["version"]), ("telltale-manifest", 1))
        entries = {e["title"]: e for e in manifest["clips"]}
        self.assertEqual(entries["Speech, slowed"]["original"], entries["Speech, as given"]["file"])
        self.assertEqual(entries["Speech, slowed"]["tells"][1]["box"], [0.4, 0.5, 0.2, 0.125])
        for entry in manifest["clips"]:
            self.assertTrue((target / entry["file"]).is_file(), entry["file"])
        # Originals come first, so a --limit import brings them in before their fakes.
        self.assertLess(
            [e["title"] for e in manifest["clips"]].index("Speech, as given"),
            [e["title"] for e in manifest["clips"]].index("Speech, slowed"),
        )

        # Another deployment: an empty database and empty storage.
        for clip in Clip.objects.all():
            clip.delete_with_files()
        fresh = Path(tempfile.mkdtemp(prefix="telltale-fresh-"))
        self.addCleanup(shutil.rmtree, fresh, ignore_errors=True)
        with override_settings(MEDIA_ROOT=fresh):
            output = self.run_import("manifest", target)
            self.assertIn("Imported 3, already imported 0, skipped 0.", output)
            self.assertEqual(library(), before)
            for clip in Clip.objects.all():
                self.assertEqual(clip.processing_status, ProcessingStatus.READY)
                self.assertEqual(clip.import_source, "manifest")
            self.assertEqual(
                set(Tell.objects.values_list("origin", flat=True)), {TellOrigin.IMPORT}
            )

    def test_published_only_leaves_drafts_out_and_names_their_originals_by_title(self) -> None:
        self.build_library()
        target = self.data / "public"
        self.assertIn("Exported 2 clip(s)", self.export(target, "--published-only"))
        titles = {e["title"] for e in json.loads((target / "manifest.json").read_text())["clips"]}
        self.assertEqual(titles, {"Speech, as given", "Flood photo, wrong caption"})
        self.assertEqual(len(list((target / "media").iterdir())), 2)

    def test_it_refuses_a_folder_with_something_in_it_and_a_dry_run_writes_nothing(self) -> None:
        self.build_library()
        busy = self.data / "busy"
        busy.mkdir()
        (busy / "keep.txt").write_text("mine")
        with self.assertRaisesMessage(CommandError, "is not an empty folder"):
            self.export(busy)
        self.assertEqual([p.name for p in busy.iterdir()], ["keep.txt"])

        output = self.export(self.data / "dry", "--dry-run")
        self.assertIn("Would export 3 clip(s)", output)
        self.assertFalse((self.data / "dry").exists())
