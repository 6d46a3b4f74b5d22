"""Property tests (hypothesis) over what reads untrusted bytes: the upload sniffer and header
check, the video probe, and the importers' metadata parsers (DFDC metadata.json, the manifest
in JSON and CSV).

The property is always the same: whatever the input, the code answers with a result or with
our own refusal (MediaRejected for media, a Skip or DatasetError for metadata), never with
another exception. Inputs are random bytes and mutations of real files (a tiny MP4, PNG and
JPEG made here), and JSON built from the formats' own field names with values of every type.

Bounded for CI: a fixed number of examples per property, a deadline per example, and
`derandomize=True` with no example database, so every run tries the same inputs (the whole
module takes well under 30 s on one core).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from media_library.importers import DatasetError
from media_library.importers.base import Entry, Skip
from media_library.importers.dfdc import DFDCImporter
from media_library.importers.manifest import ManifestImporter
from media_library.processing import MediaRejected
from media_library.processing.ingest import check_upload
from media_library.processing.probe import VideoInfo, probe_video
from media_library.processing.sniff import HEAD_BYTES, VIDEO_DEMUXERS, Sniffed, sniff
from tests.factories import make_image, make_video

BOUNDED = settings(
    derandomize=True,
    database=None,
    # Generous: a bound per example that a loaded CI machine does not turn into a flaky failure.
    deadline=10_000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def bounded(examples: int) -> settings:
    return settings(BOUNDED, max_examples=examples)


# The first bytes of every format the sniffer knows, and of those it must refuse by name.
MAGICS = [
    b"\x00\x00\x00\x18ftypisom",
    b"\x00\x00\x00\x18ftypheic",
    b"\x00\x00\x00\x18ftypavif",
    b"\x1a\x45\xdf\xa3",
    b"RIFF\x00\x00\x00\x00AVI ",
    b"RIFF\x00\x00\x00\x00WEBP",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"#EXTM3U\n",
    b"ffconcat version 1.0\n",
    b"file '/etc/passwd'\n",
    b"<?xml version='1.0'?><svg",
    b"<html>",
    b"\xef\xbb\xbf",
]

heads = st.one_of(
    st.binary(max_size=HEAD_BYTES * 2),
    st.builds(lambda m, tail: m + tail, st.sampled_from(MAGICS), st.binary(max_size=HEAD_BYTES)),
    st.text(max_size=HEAD_BYTES).map(lambda t: t.encode("utf-8")),
)


def mutated(seed: bytes) -> st.SearchStrategy[bytes]:
    """`seed` cut short, with bytes overwritten, inserted or removed: a damaged real file."""

    def apply(data: bytes, edits: list[tuple[int, int, bytes]], cut: int | None) -> bytes:
        out = bytearray(data)
        for kind, where, chunk in edits:
            if not out:
                break
            at = where % len(out)
            if kind == 0:
                out[at : at + len(chunk)] = chunk
            elif kind == 1:
                out[at:at] = chunk
            else:
                del out[at : at + len(chunk) + 1]
        return bytes(out if cut is None else out[: cut % (len(out) + 1)])

    edit = st.tuples(st.integers(0, 2), st.integers(0, 2**31), st.binary(min_size=1, max_size=16))
    return st.builds(
        apply, st.just(seed), st.lists(edit, max_size=8), st.none() | st.integers(0, 2**31)
    )


# Box types and codec tags of an MP4: renaming one is how a damaged or hostile file declares a
# codec nobody knows (the probe once crashed on exactly that).
FOURCCS = [
    b"ftyp",
    b"moov",
    b"trak",
    b"mdia",
    b"hdlr",
    b"vide",
    b"soun",
    b"stsd",
    b"avc1",
    b"avcC",
    b"mp4a",
    b"esds",
    b"stts",
    b"stsz",
    b"stco",
    b"mdat",
    b"elst",
    b"mvhd",
]


def retagged(seed: bytes) -> st.SearchStrategy[bytes]:
    present = [tag for tag in FOURCCS if tag in seed]

    def apply(tag: bytes, new: bytes, nth: int) -> bytes:
        at = -1
        for _ in range(nth % seed.count(tag) + 1):
            at = seed.index(tag, at + 1)
        return seed[:at] + new + seed[at + 4 :]

    return st.builds(
        apply, st.sampled_from(present), st.binary(min_size=4, max_size=4), st.integers(0, 7)
    )


class Seeds:
    """Real files to mutate, made once per class in a temporary folder."""

    @classmethod
    def make_seeds(cls) -> None:
        cls.folder = Path(tempfile.mkdtemp(prefix="telltale-fuzz-"))
        cls.addClassCleanup(shutil.rmtree, cls.folder, ignore_errors=True)
        video = make_video(cls.folder / "seed.mp4", seconds=0.4, width=64, height=48, fps=10)
        cls.mp4 = video.read_bytes()
        cls.png = make_image(cls.folder / "seed.png", size=(48, 32), fmt="PNG").read_bytes()
        cls.jpeg = make_image(cls.folder / "seed.jpg", size=(48, 32), fmt="JPEG").read_bytes()


class SniffTests(Seeds, SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.make_seeds()

    @bounded(300)
    @given(heads)
    def test_it_names_a_format_or_refuses_in_words_for_any_first_bytes(self, head: bytes) -> None:
        try:
            sniffed = sniff(head)
        except MediaRejected as error:
            self.assertTrue(str(error))
            return
        self.assertIsInstance(sniffed, Sniffed)
        if sniffed.demuxer in VIDEO_DEMUXERS:
            self.assertEqual(sniffed.kind, "video")

    @bounded(120)
    @given(st.data())
    def test_the_upload_check_refuses_damaged_images_and_videos_in_words(self, data) -> None:
        seed = data.draw(st.sampled_from(["mp4", "png", "jpeg"]))
        content = data.draw(mutated(getattr(self, seed)))
        upload = SimpleUploadedFile(f"upload.{seed}", content)
        try:
            check_upload(upload)
        except MediaRejected as error:
            self.assertTrue(str(error))


class ProbeTests(Seeds, SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.make_seeds()

    def probe(self, content: bytes, demuxer: str) -> VideoInfo | None:
        path = self.folder / "probed"
        path.write_bytes(content)
        try:
            return probe_video(path, demuxer)
        except MediaRejected as error:
            self.assertTrue(str(error))
            return None

    @bounded(120)
    @given(st.binary(max_size=4096), st.sampled_from(VIDEO_DEMUXERS))
    def test_it_refuses_random_bytes_in_words(self, content, demuxer) -> None:
        self.probe(content, demuxer)

    @bounded(120)
    @given(st.data())
    def test_it_reads_or_refuses_a_damaged_real_video(self, data) -> None:
        content = data.draw(mutated(self.mp4))
        demuxer = data.draw(st.sampled_from(VIDEO_DEMUXERS))
        info = self.probe(content, demuxer)
        if info is not None:
            self.assertGreater(info.width * info.height, 0)
            self.assertGreater(info.duration, 0)

    @bounded(80)
    @given(st.data())
    def test_it_reads_or_refuses_a_real_video_with_a_box_or_codec_renamed(self, data) -> None:
        content = data.draw(retagged(self.mp4))
        self.probe(content, data.draw(st.sampled_from(VIDEO_DEMUXERS)))

    def test_it_refuses_a_video_whose_codec_tag_nobody_knows(self) -> None:
        # The case the properties found: no codec context at all, once an AttributeError.
        with self.assertRaisesMessage(MediaRejected, "The video codec “?” is not supported."):
            path = self.folder / "unknown-codec.mp4"
            path.write_bytes(self.mp4.replace(b"avc1", b"zzzz"))
            probe_video(path, "mov")

    def test_the_undamaged_seed_is_read(self) -> None:
        # Without this, a probe that refused everything would pass the properties above.
        self.assertEqual(self.probe(self.mp4, "mov").width, 64)


# JSON of every shape, small: what a hand-edited or hostile metadata file may hold.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
file_names = st.sampled_from(["a.mp4", "b.mp4", "", ".hidden", "../up.mp4", "x/y.mp4", "c\x00"])


def near(value, choices: list) -> st.SearchStrategy:
    """Mostly one of the format's own values (so rows get far), sometimes anything at all."""
    return st.one_of(st.sampled_from(choices), value)


class MetadataParserTests(TestCase):
    def setUp(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="telltale-fuzz-data-"))
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        for name in ("a.mp4", "b.mp4"):
            (self.root / name).write_bytes(b"\x00\x00\x00\x18ftypisom")

    def read_all(self, importer_class, name: str, content: str | bytes) -> list:
        path = self.root / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        try:
            items = list(importer_class(self.root).entries())
        except DatasetError as error:
            self.assertTrue(str(error))
            return []
        for item in items:
            self.assertIsInstance(item, Entry | Skip)
            self.assertTrue(item.key)
            if isinstance(item, Skip):
                self.assertTrue(item.reason)
            else:
                self.assertTrue(item.path.resolve().is_relative_to(self.root.resolve()))
        return items

    dfdc_rows = st.dictionaries(
        file_names | st.text(max_size=12),
        near(
            json_values,
            [{"label": "REAL"}, {"label": "FAKE", "original": "a.mp4"}],
        )
        | st.fixed_dictionaries(
            {},
            optional={
                "label": near(json_values, ["REAL", "FAKE", "fake"]),
                "original": near(json_values, ["a.mp4", "b.mp4", None, "../a.mp4"]),
                "split": json_values,
            },
        ),
        max_size=5,
    )

    @bounded(150)
    @given(st.one_of(dfdc_rows, json_values))
    def test_dfdc_metadata_of_any_shape_is_read_or_reported(self, metadata) -> None:
        self.read_all(DFDCImporter, "metadata.json", json.dumps(metadata))

    @bounded(60)
    @given(st.binary(max_size=200) | st.text(max_size=200))
    def test_dfdc_metadata_that_is_not_json_is_reported(self, content) -> None:
        self.read_all(DFDCImporter, "metadata.json", content)

    manifest_row = st.fixed_dictionaries(
        {},
        optional={
            "file": near(json_values, ["a.mp4", "b.mp4", "/etc/passwd", "../a.mp4", "a.mp4/"]),
            "verdict": near(json_values, ["real", "deepfake", "shallowfake", "REAL"]),
            "technique": near(json_values, ["none", "face_swap", "speed_change"]),
            "title": json_values,
            "original": near(json_values, ["a.mp4", "b.mp4", "A title"]),
            "licence": json_values,
            "depicts_people": near(json_values, [True, "yes", "0", ""]),
            "consent_on_file": json_values,
            "captions_vtt": json_values,
            "tells": near(
                json_values,
                [
                    [{"category": "face_edges", "start": 0, "end": 1, "box": None}],
                    [{"category": "blinking", "start": 0.5, "box": [0, 0, 0.5, 0.5]}],
                ],
            )
            | st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "category": near(json_values, ["face_edges", "lip_sync"]),
                        "start": json_values,
                        "end": json_values,
                        "box": st.lists(json_values, max_size=5) | json_values,
                        "explanation": json_values,
                    },
                ),
                max_size=3,
            ),
        },
    )

    @bounded(100)
    @given(
        st.one_of(
            st.lists(manifest_row | json_values, max_size=4),
            st.fixed_dictionaries(
                {"clips": st.lists(manifest_row, max_size=4)},
                optional={"format": json_values, "version": json_values},
            ),
            json_values,
        )
    )
    def test_a_json_manifest_of_any_shape_is_read_or_reported(self, manifest) -> None:
        self.read_all(ManifestImporter, "manifest.json", json.dumps(manifest))

    @bounded(70)
    @given(st.lists(manifest_row, max_size=4), st.text(max_size=40))
    def test_a_csv_manifest_of_any_content_is_read_or_reported(self, rows, junk) -> None:
        out = io.StringIO()
        names = ["file", "verdict", "technique", "title", "original", "depicts_people", "tells"]
        writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: v if isinstance(v, str) else json.dumps(v) for k, v in row.items()})
        self.read_all(ManifestImporter, "manifest.csv", out.getvalue() + junk)
