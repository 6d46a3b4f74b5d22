"""import_dataset through call_command: real dev clips, and small datasets the tests write.

These are TransactionTestCases: the command runs in autocommit like it does in real use, so
the immediate tasks backend processes each clip during the command (as a worker would later).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil

from django.core.management import CommandError
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from media_library.choices import TellOrigin
from media_library.importers import IMPORTERS
from media_library.importers.base import OutsideDataset, open_beneath
from media_library.models import Clip, ProcessingStatus, PublicationState, Technique, Verdict
from tests.base import ImportTestCase
from tests.factories import DEV_MEDIA, make_video, requires_dev_media


@requires_dev_media
class DevMediaTests(ImportTestCase):
    def link_dev(self, *relatives: str) -> None:
        """A FaceForensics++ layout holding only some of the dev clips (copies: a link to a file
        outside the dataset folder is refused, see LinkTests)."""
        for relative in relatives:
            source = DEV_MEDIA / "ffpp" / relative
            if not source.is_file():
                self.skipTest(f"dev clip {relative} is absent")
            target = self.data / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)

    def test_it_reports_the_dfdc_files_the_metadata_lists_but_the_sample_lacks(self) -> None:
        dfdc = DEV_MEDIA / "dfdc"
        output = self.run_import("dfdc", dfdc, "--dry-run")
        self.assertIn("Would import 2, already imported 0, skipped 3.", output)
        for name in ("aagfhgtpmv", "aapnvogymq", "abarnvbtwb"):
            self.assertIn(
                f"train_sample_videos/{name}.mp4: missing: listed in "
                "train_sample_videos/metadata.json but not on disk",
                output,
            )
        self.assertEqual(Clip.objects.count(), 0)

        output = self.run_import("dfdc", dfdc, "--limit", "1")
        self.assertIn("Imported 1, already imported 0, skipped 3.", output)
        clip = self.clip("train_sample_videos/abofeumbvv.mp4")
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        self.assertEqual((clip.verdict, clip.technique), (Verdict.DEEPFAKE, Technique.FACE_SWAP))
        self.assertEqual(clip.import_source, "dfdc")
        self.assertEqual(clip.title, "DFDC abofeumbvv")
        self.assertEqual(clip.licence, "DFDC dataset terms (research only)")
        # Paid, consenting actors: the one dataset fact that allows consent_on_file.
        self.assertTrue(clip.consent_on_file)
        self.assertIn("consenting actors", clip.consent_notes)
        # Its original (atvmxvwyns.mp4) is not in the sample: no link, and the summary says so.
        self.assertIsNone(clip.original)

    def test_it_imports_real_ffpp_clips_and_links_a_fake_to_an_original_from_a_later_run(
        self,
    ) -> None:
        self.assertIn(
            "Would import 26, already imported 0, skipped 0.",
            self.run_import("ffpp", DEV_MEDIA / "ffpp", "--dry-run"),
        )
        self.link_dev("manipulated_sequences/Deepfakes/c40/videos/183_253.mp4")
        output = self.run_import("ffpp", self.data)
        self.assertIn("Imported 1, already imported 0, skipped 0.", output)
        self.assertIn("Original not in the library for 1 clip(s)", output)
        swap = self.clip("manipulated_sequences/Deepfakes/c40/videos/183_253.mp4")
        self.assertEqual(swap.processing_status, ProcessingStatus.READY, swap.processing_error)
        self.assertEqual((swap.verdict, swap.technique), (Verdict.DEEPFAKE, Technique.FACE_SWAP))
        self.assertEqual(swap.title, "FaceForensics++ Deepfakes 183_253")
        self.assertEqual(swap.licence, "FaceForensics++ terms of use (research only)")
        self.assertFalse(swap.consent_on_file)  # made from YouTube footage: nobody consented
        self.assertIsNone(swap.original)

        # The original arrives in a later run: the fake made from it links to it then.
        self.link_dev("original_sequences/youtube/c40/videos/183.mp4")
        output = self.run_import("ffpp", self.data, "--licence", "Classroom licence 7")
        self.assertIn("Imported 1, already imported 1, skipped 0.", output)
        original = self.clip("original_sequences/youtube/c40/videos/183.mp4")
        self.assertEqual(
            (original.verdict, original.title), (Verdict.REAL, "FaceForensics++ YouTube 183")
        )
        self.assertEqual(original.licence, "Classroom licence 7")
        swap.refresh_from_db()
        self.assertEqual(swap.original, original)

        files = self.stored_files()
        output = self.run_import("ffpp", self.data)
        self.assertIn("Imported 0, already imported 2, skipped 0.", output)
        self.assertEqual(Clip.objects.count(), 2)
        self.assertEqual(self.stored_files(), files)


class FaceForensicsLayoutTests(ImportTestCase):
    def test_each_method_gets_its_technique_and_actors_their_consent(self) -> None:
        methods = ["Deepfakes", "FaceSwap", "FaceShifter", "Face2Face", "NeuralTextures"]
        self.video("original_sequences/youtube/c23/videos/007.mp4", 1.0)
        self.video("original_sequences/actors/c23/videos/01__walking.mp4", 1.1)
        for i, method in enumerate(methods):
            self.video(f"manipulated_sequences/{method}/c23/videos/007_009.mp4", 1.2 + i / 10)
        self.video("manipulated_sequences/DeepFakeDetection/c23/videos/01_02__walk.mp4", 1.8)
        self.video("manipulated_sequences/Deepfakes/c23/videos/nounderscore.mp4", 1.9)

        output = self.run_import("ffpp", self.data)

        self.assertIn("Imported 7, already imported 0, skipped 2.", output)
        self.assertIn(
            "manipulated_sequences/DeepFakeDetection/c23/videos/01_02__walk.mp4: "
            "unknown method 'DeepFakeDetection'",
            output,
        )
        self.assertIn("nounderscore.mp4: malformed name: expected <target>_<source>", output)
        original = self.clip("original_sequences/youtube/c23/videos/007.mp4")
        techniques = {}
        for method in methods:
            fake = self.clip(f"manipulated_sequences/{method}/c23/videos/007_009.mp4")
            self.assertEqual((fake.verdict, fake.original), (Verdict.DEEPFAKE, original))
            techniques[method] = fake.technique
        self.assertEqual(
            techniques,
            {
                "Deepfakes": Technique.FACE_SWAP,
                "FaceSwap": Technique.FACE_SWAP,
                "FaceShifter": Technique.FACE_SWAP,
                "Face2Face": Technique.REENACTMENT,
                "NeuralTextures": Technique.REENACTMENT,
            },
        )
        actor = self.clip("original_sequences/actors/c23/videos/01__walking.mp4")
        self.assertEqual((actor.verdict, actor.consent_on_file), (Verdict.REAL, True))
        self.assertFalse(original.consent_on_file)
        self.assertIsNone(original.depicts_public_figure)


class CelebDFTests(ImportTestCase):
    def make_dataset(self) -> None:
        self.video("Celeb-real/id0_0000.mp4", 1.0)
        self.video("Celeb-synthesis/id0_id1_0000.mp4", 1.2)
        self.video("YouTube-real/00001.mp4", 1.4)
        self.video("YouTube-real/00002.mp4", 1.4)  # the same bytes as 00001
        self.video("Celeb-synthesis/id4_id1_0002.mp4", 1.6)
        self.video("Celeb-real/id5_0005.mp4", 1.8)
        self.video("Celeb-synthesis/id7_id8_0003.mp4", 2.0)  # not in the list: training part
        self.write("Celeb-real/id6_0006.mp4", "not a video at all\n")
        self.truncated_video("Celeb-real/id9_0009.mp4")
        self.write(
            "List_of_testing_videos.txt",
            "1 Celeb-real/id0_0000.mp4\n"
            "0 Celeb-synthesis/id0_id1_0000.mp4\n"
            "1 YouTube-real/00001.mp4\n"
            "1 YouTube-real/00002.mp4\n"
            "0 Celeb-synthesis/id2_id3_0001.mp4\n"
            "1 Celeb-synthesis/id4_id1_0002.mp4\n"
            "7 Celeb-real/id5_0005.mp4\n"
            "1 Celeb-real/id6_0006.mp4\n"
            "1 Celeb-real/id9_0009.mp4\n",
        )

    def test_it_reads_one_as_real_and_zero_as_fake_and_reports_every_skip(self) -> None:
        self.make_dataset()
        output = self.run_import("celebdf", self.data)

        self.assertIn("Imported 4, already imported 0, skipped 6.", output)
        real = self.clip("Celeb-real/id0_0000.mp4")
        fake = self.clip("Celeb-synthesis/id0_id1_0000.mp4")
        youtube = self.clip("YouTube-real/00001.mp4")
        unlisted = self.clip("Celeb-synthesis/id7_id8_0003.mp4")
        self.assertEqual((real.verdict, real.technique), (Verdict.REAL, Technique.NONE))
        self.assertEqual((fake.verdict, fake.technique), (Verdict.DEEPFAKE, Technique.FACE_SWAP))
        self.assertEqual(youtube.verdict, Verdict.REAL)
        self.assertEqual(unlisted.verdict, Verdict.DEEPFAKE)
        self.assertEqual(fake.original, real)
        self.assertIsNone(unlisted.original)  # Celeb-real/id7_0003.mp4 is not there
        self.assertTrue(real.depicts_public_figure)
        self.assertIsNone(youtube.depicts_public_figure)
        self.assertEqual(real.licence, "Celeb-DF terms of use (research only)")
        for clip in Clip.objects.all():
            self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)

        self.assertIn(
            "Celeb-synthesis/id2_id3_0001.mp4: missing: listed in List_of_testing_videos.txt",
            output,
        )
        self.assertIn("Celeb-real/id5_0005.mp4: unknown label '7'", output)
        self.assertIn(
            "Celeb-synthesis/id4_id1_0002.mp4: label 1 in List_of_testing_videos.txt "
            "contradicts the folder Celeb-synthesis",
            output,
        )
        self.assertIn("YouTube-real/00002.mp4: refused: This file was already uploaded as", output)
        self.assertIn("Celeb-real/id6_0006.mp4: refused: This is a text file", output)
        self.assertIn("Celeb-real/id9_0009.mp4: refused by the pipeline:", output)
        # Refused files leave nothing behind: four clips, and only their files.
        self.assertEqual(Clip.objects.count(), 4)
        uploads = [f for f in self.stored_files() if f.startswith("uploads/")]
        self.assertEqual(len(uploads), 4)
        self.assertEqual(list(self.work.iterdir()), [])

    def test_a_dry_run_stores_nothing(self) -> None:
        self.make_dataset()
        output = self.run_import("celebdf", self.data, "--dry-run")
        # The dry run cannot see what only processing finds (the truncated clip).
        self.assertIn("Would import 5, already imported 0, skipped 5.", output)
        self.assertIn("Celeb-real/id6_0006.mp4: refused: This is a text file", output)
        self.assertEqual(Clip.objects.count(), 0)
        self.assertEqual(self.stored_files(), [])
        self.assertEqual(list(self.work.iterdir()), [])

    def test_limit_brings_in_originals_first(self) -> None:
        self.video("Celeb-synthesis/id0_id1_0000.mp4", 1.2)
        self.video("Celeb-real/id0_0000.mp4", 1.0)
        output = self.run_import("celebdf", self.data, "--limit", "1")
        self.assertIn("Imported 1, already imported 0, skipped 0.", output)
        self.assertEqual(Clip.objects.get().import_key, "Celeb-real/id0_0000.mp4")


class FakeAVCelebTests(ImportTestCase):
    HEADER = "source,target1,target2,method,category,type,race,gender,path,\n"

    def test_it_maps_categories_and_methods_and_skips_malformed_rows(self) -> None:
        rows = [
            ("id00076", "real", "A", "RealVideo-RealAudio", "00109.mp4", 1.0),
            ("id00076", "rtvc", "B", "RealVideo-FakeAudio", "00109_fake.mp4", 1.1),
            ("id00166", "wav2lip", "C", "FakeVideo-RealAudio", "00010_wav2lip.mp4", 1.2),
            ("id00166", "fsgan", "C", "FakeVideo-RealAudio", "00010_fsgan.mp4", 1.3),
            ("id00173", "fsgan-wav2lip", "D", "FakeVideo-FakeAudio", "00118_a.mp4", 1.4),
            ("id00173", "faceswap", "D", "FakeVideo-FakeAudio", "00118_b.mp4", 1.5),
        ]
        lines = [self.HEADER]
        for source, method, category, kind, name, seconds in rows:
            folder = f"FakeAVCeleb/{kind}/African/men/{source}"
            self.video(f"{kind}/African/men/{source}/{name}", seconds)
            lines.append(f"{source},-,-,{method},{category},{kind},African,men,{name},{folder}\n")
        lines += [
            "id00200,-,-,real,A,RealVideo-RealAudio,Asian,women,00001.mp4\n",  # 9 fields
            "id00201,-,-,real,E,RealVideo-RealAudio,Asian,women,00002.mp4,RealVideo-RealAudio\n",
            "id00202,-,-,deepfacelab,C,FakeVideo-RealAudio,Asian,women,00003.mp4,FakeVideo-RealAudio\n",
            "id00203,-,-,wav2lip,A,RealVideo-RealAudio,Asian,women,00004.mp4,RealVideo-RealAudio\n",
            "id00204,-,-,real,A,RealVideo-RealAudio,Asian,women,00005.mp4,RealVideo-RealAudio\n",
        ]
        self.write("meta_data.csv", "".join(lines))

        output = self.run_import("fakeavceleb", self.data)

        self.assertIn("Imported 6, already imported 0, skipped 5.", output)
        expected = {
            "00109.mp4": (Verdict.REAL, Technique.NONE),
            "00109_fake.mp4": (Verdict.DEEPFAKE, Technique.VOICE_CLONE),
            "00010_wav2lip.mp4": (Verdict.DEEPFAKE, Technique.LIP_SYNC),
            "00010_fsgan.mp4": (Verdict.DEEPFAKE, Technique.FACE_SWAP),
            "00118_a.mp4": (Verdict.DEEPFAKE, Technique.LIP_SYNC),
            "00118_b.mp4": (Verdict.DEEPFAKE, Technique.FACE_SWAP),
        }
        found = {
            clip.import_key.rsplit("/", 1)[-1]: (clip.verdict, clip.technique)
            for clip in Clip.objects.filter(import_source="fakeavceleb")
        }
        self.assertEqual(found, expected)
        self.assertEqual(
            self.clip("RealVideo-RealAudio/African/men/id00076/00109.mp4").title,
            "FakeAVCeleb id00076 00109 (real)",
        )
        self.assertIn("meta_data.csv line 8: malformed row: 9 fields, expected 10", output)
        self.assertIn("RealVideo-RealAudio/00002.mp4: unknown category 'E'", output)
        self.assertIn("FakeVideo-RealAudio/00003.mp4: unknown method 'deepfacelab'", output)
        self.assertIn("00004.mp4: method 'wav2lip' does not fit category A", output)
        self.assertIn(
            "RealVideo-RealAudio/00005.mp4: missing: listed in meta_data.csv line 12", output
        )

    def test_a_file_that_is_not_the_metadata_is_a_clear_error(self) -> None:
        self.write("meta_data.csv", "name,label\nx.mp4,1\n")
        with self.assertRaisesMessage(CommandError, "does not start with the header"):
            self.run_import("fakeavceleb", self.data)
        with self.assertRaisesMessage(CommandError, "is this a DFDC folder?"):
            self.run_import("dfdc", self.data)
        with self.assertRaisesMessage(CommandError, "does not exist"):
            self.run_import("ffpp", self.data / "nowhere")
        self.assertEqual(Clip.objects.count(), 0)


class ManifestTests(ImportTestCase):
    def good_entries(self) -> list[dict]:
        self.video("clips/original.mp4", 1.0)
        self.video("clips/swap.mp4", 1.2)
        self.video("clips/slowed.mp4", 1.4)
        common = {
            "licence": "CC BY 4.0",
            "attribution": "Jane Doe",
            "depicts_people": True,
            "depicts_public_figure": False,
            "consent_on_file": True,
            "consent_notes": "Signed release, 2024-03-01",
        }
        return [
            # The fakes come first: the links must not depend on the order.
            {
                "file": "clips/swap.mp4",
                "verdict": "deepfake",
                "technique": "face_swap",
                "title": "Swapped interview",
                "original": "The interview",
                "source_url": "https://example.org/swap",
                "tells": [
                    {
                        "category": "face_edges",
                        "start": 0.2,
                        "end": 0.8,
                        "box": [0.25, 0.1, 0.5, 0.6],
                        "explanation": "The jaw line flickers.",
                    },
                    {
                        "category": "lip_sync",
                        "start": 0.5,
                        "end": 0.9,
                        "box": None,
                        "explanation": "Lips lag the voice.",
                    },
                ],
                **common,
            },
            {
                "file": "clips/slowed.mp4",
                "verdict": "shallowfake",
                "technique": "speed_change",
                "original": "clips/original.mp4",
                **common,
            },
            {"file": "clips/original.mp4", "verdict": "real", "title": "The interview", **common},
        ]

    def test_it_imports_a_json_manifest_with_tells_and_originals_and_publishes(self) -> None:
        entries = self.good_entries()
        self.video("clips/not-really.mp4", 1.6)
        self.write("clips/corrupt.mp4", b"\x00\x01garbage" * 10)
        entries += [
            {"file": "clips/absent.mp4", "verdict": "real"},
            {"file": "../outside.mp4", "verdict": "real"},
            {"file": "clips/not-really.mp4", "verdict": "maybe"},
            {"file": "clips/not-really.mp4", "verdict": "real", "technique": "face_swap"},
            {
                "file": "clips/not-really.mp4",
                "verdict": "deepfake",
                "tells": [
                    {
                        "category": "skin",
                        "start": 0,
                        "end": 1,
                        "box": [0.5, 0.5, 2, 0.1],
                        "explanation": "Too big a box.",
                    }
                ],
            },
            {"file": "clips/corrupt.mp4", "verdict": "real"},
        ]
        self.write(
            "manifest.json",
            json.dumps({"format": "telltale-manifest", "version": 1, "clips": entries}),
        )

        output = self.run_import("manifest", self.data, "--publish")

        self.assertIn("Imported 3, already imported 0, skipped 6.", output)
        self.assertIn("Published 3.", output)
        original, swap = (
            Clip.objects.get(title="The interview"),
            Clip.objects.get(title="Swapped interview"),
        )
        slowed = self.clip("clips/slowed.mp4")
        self.assertEqual(slowed.title, "slowed")  # no title given: the file's stem
        self.assertEqual((swap.original, slowed.original), (original, original))
        self.assertEqual(
            (slowed.verdict, slowed.technique), (Verdict.SHALLOWFAKE, Technique.SPEED_CHANGE)
        )
        self.assertEqual(swap.source_url, "https://example.org/swap")
        self.assertEqual((swap.licence, swap.attribution), ("CC BY 4.0", "Jane Doe"))
        for clip in (original, swap, slowed):
            self.assertEqual(clip.publication_state, PublicationState.PUBLISHED)
            self.assertEqual(clip.import_source, "manifest")
        tells = list(swap.tells.all())
        self.assertEqual([t.category for t in tells], ["face_edges", "lip_sync"])
        self.assertEqual(tells[0].box, (0.25, 0.1, 0.5, 0.6))
        self.assertIsNone(tells[1].box)
        self.assertEqual({t.origin for t in tells}, {TellOrigin.IMPORT})
        # Queued after the clip's processing, so the stills found the media.
        self.assertTrue(all(t.still for t in tells))

        self.assertIn("clips/absent.mp4: missing: the file is not on disk", output)
        self.assertIn("manifest.json entry 5: malformed row: `file` must be a path inside", output)
        self.assertIn("clips/not-really.mp4: malformed row: unknown verdict 'maybe'", output)
        self.assertIn(
            "clips/not-really.mp4: malformed row: A real clip has no manipulation", output
        )
        self.assertIn("clips/not-really.mp4: malformed row: tell 1:", output)
        self.assertIn("clips/corrupt.mp4: refused: This file is not a supported video", output)
        self.assertEqual(Clip.objects.count(), 3)

        files = self.stored_files()
        output = self.run_import("manifest", self.data / "manifest.json", "--publish")
        self.assertIn("Imported 0, already imported 3, skipped 6.", output)
        self.assertEqual(self.stored_files(), files)

    def test_process_now_imports_and_publishes_in_one_run_without_a_worker(self) -> None:
        self.write(
            "manifest.json",
            json.dumps({"format": "telltale-manifest", "version": 1, "clips": self.good_entries()}),
        )
        # The worker's backend: nothing runs the queued tasks during this test.
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            output = self.run_import("manifest", self.data, "--publish", "--process-now")

        self.assertIn("Published 3.", output)
        self.assertNotIn("queued for processing", output)
        for clip in Clip.objects.all():
            self.assertEqual(clip.processing_status, ProcessingStatus.READY)
            self.assertEqual(clip.publication_state, PublicationState.PUBLISHED)
        # The processing tasks are still queued; when the worker runs them they do nothing.
        swap = Clip.objects.get(title="Swapped interview")
        media = swap.media_file.name
        self.assertFalse(swap.process())
        swap.refresh_from_db()
        self.assertEqual(swap.media_file.name, media)
        self.assertTrue(DBTaskResult.objects.filter(status="READY").exists())

    def test_it_reads_a_csv_manifest_and_reports_what_blocks_publication(self) -> None:
        self.video("a.mp4", 1.0)
        tells = json.dumps(
            [
                {
                    "category": "blinking",
                    "start": 0.1,
                    "end": 0.4,
                    "box": [0, 0, 0.5, 0.5],
                    "explanation": "No blink.",
                }
            ]
        )
        rows = [
            "file,verdict,technique,title,licence,depicts_people,tells\n",
            "a.mp4,deepfake,fully_synthetic,Made up face,CC0,,"
            f'"{tells.replace(chr(34), chr(34) * 2)}"\n',
        ]
        self.write("manifest.csv", "".join(rows))

        output = self.run_import("manifest", self.data, "--publish")

        self.assertIn("Imported 1, already imported 0, skipped 0.", output)
        self.assertIn("Published 0.", output)
        self.assertIn("a.mp4: Say whether anyone is shown or heard in the clip.", output)
        clip = self.clip("a.mp4")
        self.assertEqual(
            (clip.technique, clip.title, clip.licence), ("fully_synthetic", "Made up face", "CC0")
        )
        self.assertEqual(clip.publication_state, PublicationState.DRAFT)
        self.assertEqual(clip.tells.get().box, (0.0, 0.0, 0.5, 0.5))


class LinkTests(ImportTestCase):
    """Nothing outside the dataset folder is read, whichever importer, whatever the link."""

    def setUp(self) -> None:
        super().setUp()
        # Beside the dataset folder, like another site's media or /etc would be.
        self.outside = self.data.parent / "outside"
        self.outside.mkdir()
        self.secret = make_video(self.outside / "secret.mp4", seconds=2.2, width=160, height=120)

    def link(self, relative: str, target) -> None:
        path = self.data / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)

    def test_it_refuses_links_out_of_the_folder_imports_the_rest_and_publishes_nothing_else(
        self,
    ) -> None:
        self.video("clips/good.mp4", 1.0)
        self.video("store/kept.mp4", 1.3)
        self.link("clips/inside-link.mp4", self.data / "store/kept.mp4")  # stays inside: fine
        self.link("clips/passwd.mp4", self.secret)
        self.link("elsewhere", self.outside)  # a folder link: what is under it is outside too
        rows = ["good.mp4", "inside-link.mp4", "passwd.mp4"]
        record = {"verdict": "real", "licence": "CC0", "depicts_people": False}
        entries = [{"file": f"clips/{name}", **record} for name in rows]
        entries.append({"file": "elsewhere/secret.mp4", **record})
        self.write("manifest.json", json.dumps(entries))

        output = self.run_import("manifest", self.data, "--publish")

        self.assertIn("Imported 2, already imported 0, skipped 0, refused 2.", output)
        self.assertIn("Published 2.", output)
        self.assertIn("Refused 2 entries", output)
        self.assertIn(
            f"clips/passwd.mp4: points outside the dataset folder (it leads to {self.secret})",
            output,
        )
        self.assertIn(
            f"elsewhere/secret.mp4: points outside the dataset folder (it leads to {self.secret})",
            output,
        )
        self.assertEqual(
            sorted(Clip.objects.values_list("import_key", flat=True)),
            ["clips/good.mp4", "clips/inside-link.mp4"],
        )
        secret = hashlib.sha256(self.secret.read_bytes()).hexdigest()
        self.assertFalse(Clip.objects.filter(source_sha256=secret).exists())

        # A re-run says it again: a refused link is never "already imported".
        output = self.run_import("manifest", self.data)
        self.assertIn("Imported 0, already imported 2, skipped 0, refused 2.", output)

    def test_it_refuses_a_metadata_file_that_is_a_link_out_of_the_folder(self) -> None:
        (self.outside / "manifest.json").write_text(
            json.dumps([{"file": "secret.mp4", "verdict": "real"}]), encoding="utf-8"
        )
        self.link("manifest.json", self.outside / "manifest.json")
        with self.assertRaisesMessage(
            CommandError, "manifest.json points outside the dataset folder"
        ):
            self.run_import("manifest", self.data)
        (self.outside / "meta_data.csv").write_text(FakeAVCelebTests.HEADER, encoding="utf-8")
        self.link("meta_data.csv", self.outside / "meta_data.csv")
        with self.assertRaisesMessage(
            CommandError, "meta_data.csv points outside the dataset folder"
        ):
            self.run_import("fakeavceleb", self.data)
        (self.outside / "List_of_testing_videos.txt").write_text(
            "1 Celeb-real/id0_0000.mp4\n", encoding="utf-8"
        )
        self.link("List_of_testing_videos.txt", self.outside / "List_of_testing_videos.txt")
        with self.assertRaisesMessage(
            CommandError, "List_of_testing_videos.txt points outside the dataset folder"
        ):
            self.run_import("celebdf", self.data)
        self.assertEqual(Clip.objects.count(), 0)

    def test_every_folder_importer_refuses_files_and_folders_that_lead_outside(self) -> None:
        (self.outside / "videos").mkdir()
        shutil.copyfile(self.secret, self.outside / "videos" / "001.mp4")
        # FaceForensics++: a linked file, and a linked compression folder.
        self.link("original_sequences/youtube/c23/videos/000.mp4", self.secret)
        self.link("original_sequences/youtube/c40", self.outside)
        output = self.run_import("ffpp", self.data, "--dry-run")
        self.assertIn("Would import 0, already imported 0, skipped 0, refused 2.", output)
        self.assertIn("original_sequences/youtube/c23/videos/000.mp4: points outside", output)
        self.assertIn("original_sequences/youtube/c40/videos/001.mp4: points outside", output)
        # Celeb-DF: a linked clip in a class folder.
        self.link("Celeb-real/id0_0000.mp4", self.secret)
        output = self.run_import("celebdf", self.data, "--dry-run")
        self.assertIn("refused 1.", output)
        self.assertIn("Celeb-real/id0_0000.mp4: points outside the dataset folder", output)
        # FakeAVCeleb: a row naming a linked file.
        self.link("RealVideo-RealAudio/African/men/id00076/00109.mp4", self.secret)
        self.write(
            "meta_data.csv",
            FakeAVCelebTests.HEADER + "id00076,-,-,real,A,RealVideo-RealAudio,African,men,"
            "00109.mp4,FakeAVCeleb/RealVideo-RealAudio/African/men/id00076\n",
        )
        output = self.run_import("fakeavceleb", self.data, "--dry-run")
        self.assertIn("Would import 0, already imported 0, skipped 0, refused 1.", output)
        # DFDC: a linked clip, and a part folder whose metadata.json is a link.
        self.link("part_0/abc.mp4", self.secret)
        self.write("part_0/metadata.json", json.dumps({"abc.mp4": {"label": "REAL"}}))
        (self.outside / "metadata.json").write_text(
            json.dumps({"secret.mp4": {"label": "REAL"}}), encoding="utf-8"
        )
        self.link("part_1/metadata.json", self.outside / "metadata.json")
        output = self.run_import("dfdc", self.data)
        self.assertIn("Imported 0, already imported 0, skipped 0, refused 2.", output)
        self.assertIn("part_0/abc.mp4: points outside the dataset folder", output)
        self.assertIn("part_1/metadata.json: points outside the dataset folder", output)
        self.assertEqual(Clip.objects.count(), 0)

    def test_a_link_swapped_in_after_the_check_is_not_followed(self) -> None:
        importer = IMPORTERS["dfdc"](self.data)
        clip = self.video("part_0/abc.mp4", 1.0)
        self.video("part_0/real/abc.mp4", 1.1)
        # What the import checked: a real file and a real folder inside the dataset.
        parts = (
            importer.inside(self.data / "part_0" / "real" / "abc.mp4")
            .relative_to(importer.root)
            .parts
        )
        # Then someone replaces them with links out of the folder before the file is opened.
        shutil.rmtree(self.data / "part_0" / "real")
        os.symlink(self.outside, self.data / "part_0" / "real")
        with self.assertRaisesMessage(OutsideDataset, "a link appeared while it was read"):
            open_beneath(importer.root, parts)
        clip.unlink()
        os.symlink(self.secret, clip)
        with self.assertRaisesMessage(OutsideDataset, "a link appeared while it was read"):
            open_beneath(importer.root, ("part_0", "abc.mp4"))
        with self.assertRaisesMessage(OutsideDataset, "points outside the dataset folder"):
            importer.open(clip)


class MalformedDFDCMetadataTests(ImportTestCase):
    def test_it_reports_each_malformed_row_and_imports_the_good_ones(self) -> None:
        self.video("part_0/good.mp4", 1.0)
        for name in ("list_label", "number_original", "no_label", "not_object", "odd_original"):
            self.video(f"part_0/{name}.mp4", 1.1 + len(name) / 100)
        metadata = {
            "good.mp4": {"label": "REAL", "original": None},
            "list_label.mp4": {"label": ["FAKE"], "original": "good.mp4"},
            "number_original.mp4": {"label": "FAKE", "original": 5},
            "no_label.mp4": {"original": "good.mp4"},
            "not_object.mp4": 3,
            "odd_original.mp4": {"label": "FAKE", "original": "../../etc/passwd"},
            "": {"label": "REAL"},
        }
        self.write("part_0/metadata.json", json.dumps(metadata))
        self.write("part_1/metadata.json", "{not json at all")
        self.write("part_2/metadata.json", json.dumps(["a", "list"]))
        self.write("part_3/metadata.json", b"\xff\xfe\x00binary")

        output = self.run_import("dfdc", self.data)

        self.assertIn("Imported 1, already imported 0, skipped 9.", output)
        self.assertIn(
            "part_0/list_label.mp4: unknown label ['FAKE'] in part_0/metadata.json", output
        )
        self.assertIn(
            "part_0/number_original.mp4: malformed row in part_0/metadata.json: original 5 is "
            "not a file name",
            output,
        )
        self.assertIn("part_0/no_label.mp4: unknown label None in part_0/metadata.json", output)
        self.assertIn(
            "part_0/not_object.mp4: malformed row in part_0/metadata.json: not an", output
        )
        self.assertIn(
            "part_0/odd_original.mp4: malformed row in part_0/metadata.json: original", output
        )
        self.assertIn("part_0/metadata.json: '': malformed row: not a plain file name", output)
        self.assertIn("part_1/metadata.json: unreadable metadata:", output)
        self.assertIn("part_2/metadata.json: malformed metadata: not a JSON object", output)
        self.assertIn("part_3/metadata.json: unreadable metadata:", output)
        self.assertEqual(Clip.objects.get().import_key, "part_0/good.mp4")
