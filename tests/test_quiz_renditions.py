"""Blind quiz renditions and feed renditions: real clips processed by real ffmpeg, the outputs
probed with PyAV and Pillow."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import av
from django.core.management import CommandError, call_command
from PIL import Image

from media_library.models import Clip, ProcessingStatus, PublicationState, Technique, Verdict
from media_library.processing import MediaRejected
from media_library.processing.marks import RECIPE_TAG, mark_for
from tests.base import IsolatedMediaTestCase
from tests.factories import make_image, make_video, top_level_boxes

RECIPE = {"kind": "workshop", "operation": "slow_speech", "summary": "speed_change 0.75x"}
GENERATED = {"verdict": Verdict.SHALLOWFAKE, "technique": Technique.SPEED_CHANGE, "recipe": RECIPE}

# What the MP4 muxer writes for every file: brands, default handler names, undefined language.
UNIVERSAL_CONTAINER_TAGS = {
    "major_brand": "isom",
    "minor_version": "512",
    "compatible_brands": "isomiso2avc1mp41",
}
UNIVERSAL_STREAM_TAGS = {
    "video": {"language": "und", "handler_name": "VideoHandler"},
    "audio": {"language": "und", "handler_name": "SoundHandler"},
}
# Bytes that would name the maker, the encoder build or the recipe.
TELLING_BYTES = (b"telltale", b"x264", b"lavf", b"libx264", b"slow_speech", b"speed_change")


def make_photo(path: Path, *, size: tuple[int, int] = (1200, 900), fmt: str = "JPEG") -> Path:
    """Detail and noise like a photograph (make_image's flat squares compress to nothing)."""
    channels = (
        Image.effect_mandelbrot(size, (-2.2, -1.2, 1.0, 1.2), 60),
        Image.linear_gradient("L").resize(size),
        Image.effect_noise(size, 30),
    )
    Image.merge("RGB", channels).save(path, fmt)
    return path


def mp4_tags(path: Path) -> tuple[dict, list[dict]]:
    with av.open(str(path)) as container:
        return dict(container.metadata), [dict(s.metadata) for s in container.streams]


def mp4_facts(path: Path) -> dict:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        return {
            "size": (video.codec_context.width, video.codec_context.height),
            "duration": container.duration / av.time_base,
            "bit_rate": container.bit_rate,
            "video_codec": video.codec_context.name,
            "audio_codecs": [s.codec_context.name for s in container.streams.audio],
        }


def video_packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(container.streams.video[0]) if p.size]


class RenditionTestCase(IsolatedMediaTestCase):
    def assert_bare_mp4(self, path: Path) -> None:
        """No tag beyond what the muxer writes for any file, no name of maker or build."""
        container_tags, stream_tags = mp4_tags(path)
        self.assertEqual(container_tags, UNIVERSAL_CONTAINER_TAGS)
        with av.open(str(path)) as container:
            kinds = [stream.type for stream in container.streams]
        self.assertEqual(stream_tags, [UNIVERSAL_STREAM_TAGS[kind] for kind in kinds])
        data = path.read_bytes().lower()
        for telling in TELLING_BYTES:
            self.assertNotIn(telling, data)
        boxes = top_level_boxes(path)
        self.assertLess(boxes.index(b"moov"), boxes.index(b"mdat"), boxes)

    def assert_bare_image(self, path: Path, fmt: str) -> Image.Image:
        with Image.open(path) as image:
            self.assertEqual(image.format, fmt)
            self.assertEqual(dict(image.getexif()), {})
            # A JPEG keeps only its JFIF header (the same in every file Pillow writes).
            self.assertLessEqual(
                set(image.info), {"jfif", "jfif_version", "jfif_unit", "jfif_density"}
            )
            image.load()
            return image.copy()

    def assert_opaque_names(self, clip: Clip) -> None:
        names = [getattr(clip, field).name for field in Clip.QUIZ_FIELDS]
        self.assertEqual(len(set(names)), 3)
        for name in names:
            self.assertRegex(name, r"^quiz/[0-9a-f]{32}\.(mp4|png|jpg)$")
            self.assertNotIn(clip.uid.hex, name)
            self.assertTrue(Path(clip.media_file.storage.path(name)).is_file())

    def ready(self, path: Path, title: str = "A clip", **fields) -> Clip:
        clip = self.create_clip(path, title, **fields)
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        return clip


class VideoRenditionTests(RenditionTestCase):
    def test_it_makes_a_bare_stream_copy_of_a_generated_video(self) -> None:
        clip = self.ready(self.fixture("clip.mp4", make_video), **GENERATED)
        media, quiz = Path(clip.media_file.path), Path(clip.quiz_media.path)
        # The library file is marked, so the checks below can fail.
        mark = mark_for(clip)
        self.assertIn(mark.encode(), media.read_bytes())
        self.assertEqual(json.loads(mp4_tags(media)[0][RECIPE_TAG]), RECIPE)

        self.assertNotIn(mark.encode(), quiz.read_bytes())
        self.assert_bare_mp4(quiz)
        copy_facts, media_facts = mp4_facts(quiz), mp4_facts(media)
        for fact in ("size", "video_codec", "audio_codecs"):
            self.assertEqual(copy_facts[fact], media_facts[fact])
        self.assertAlmostEqual(copy_facts["duration"], media_facts["duration"], delta=0.01)
        # A stream copy: every picture packet is the library file's, bit for bit (the first
        # loses only the encoder's SEI message).
        copied, library = video_packets(quiz), video_packets(media)
        self.assertEqual(len(copied), len(library))
        self.assertEqual(copied[1:], library[1:])
        self.assertLess(len(copied[0]), len(library[0]))
        self.assertIn(b"x264", library[0])
        self.assert_opaque_names(clip)
        with Image.open(clip.quiz_poster.path) as poster:
            self.assertEqual((poster.format, poster.size), ("JPEG", (320, 240)))
            self.assertNotIn("comment", poster.info)
            self.assertEqual(dict(poster.getexif()), {})
        self.assertEqual(self.work_files(), [])

    def test_a_generated_and_a_real_clip_get_identical_quiz_metadata(self) -> None:
        real = self.ready(self.fixture("real.mp4", make_video, seconds=1.5), "Real")
        fake = self.ready(self.fixture("fake.mp4", make_video, seconds=1), "Fake", **GENERATED)
        self.assertNotEqual(mp4_tags(real.media_file.path), mp4_tags(fake.media_file.path))
        for field in ("quiz_media", "feed_media"):
            real_path, fake_path = (Path(getattr(c, field).path) for c in (real, fake))
            self.assertEqual(mp4_tags(real_path), mp4_tags(fake_path))
            self.assertEqual(top_level_boxes(real_path), top_level_boxes(fake_path))
        with (
            Image.open(real.quiz_poster.path) as real_poster,
            Image.open(fake.quiz_poster.path) as fake_poster,
        ):
            self.assertEqual(real_poster.info, fake_poster.info)

    def test_the_feed_rendition_is_phone_sized_and_recompressed(self) -> None:
        source = self.fixture("wide.mp4", make_video, seconds=1, width=960, height=540)
        clip = self.ready(source, **GENERATED)
        media, feed = mp4_facts(Path(clip.media_file.path)), mp4_facts(Path(clip.feed_media.path))
        self.assertEqual(media["size"], (960, 540))
        self.assertEqual(feed["size"], (640, 360))
        self.assertEqual((feed["video_codec"], feed["audio_codecs"]), ("h264", ["aac"]))
        self.assertAlmostEqual(feed["duration"], media["duration"], delta=0.1)
        self.assertLess(feed["bit_rate"], media["bit_rate"] / 3)
        self.assertLess(clip.feed_media.size, clip.media_file.size / 3)
        self.assert_bare_mp4(Path(clip.feed_media.path))

    def test_a_portrait_clip_without_sound_keeps_its_shape(self) -> None:
        source = self.fixture(
            "tall.mp4", make_video, seconds=0.5, width=360, height=720, audio=False
        )
        clip = self.ready(source)
        quiz, feed = mp4_facts(Path(clip.quiz_media.path)), mp4_facts(Path(clip.feed_media.path))
        self.assertEqual(quiz["size"], (360, 720))
        self.assertEqual(feed["size"], (320, 640))
        self.assertEqual(quiz["audio_codecs"] + feed["audio_codecs"], [])
        self.assert_bare_mp4(Path(clip.quiz_media.path))


class ImageRenditionTests(RenditionTestCase):
    def image(self, name: str, fmt: str, size: tuple[int, int] = (1200, 900)) -> Path:
        return self.fixture(name, make_photo, size=size, fmt=fmt)

    def test_a_generated_image_loses_its_mark_and_keeps_its_pixels(self) -> None:
        for fmt, suffix in (("JPEG", "jpg"), ("PNG", "png")):
            with self.subTest(fmt):
                clip = self.ready(self.image(f"fake.{suffix}", fmt), fmt, **GENERATED)
                mark = mark_for(clip).encode()
                self.assertIn(mark, Path(clip.media_file.path).read_bytes())
                for field in Clip.QUIZ_FIELDS:
                    data = Path(getattr(clip, field).path).read_bytes().lower()
                    self.assertNotIn(b"telltale", data)
                quiz = self.assert_bare_image(Path(clip.quiz_media.path), "PNG")
                with Image.open(clip.media_file.path) as library:
                    self.assertEqual(quiz.tobytes(), library.convert("RGB").tobytes())
                poster = self.assert_bare_image(Path(clip.quiz_poster.path), "JPEG")
                self.assertEqual(poster.size, (1200, 900))
                feed = self.assert_bare_image(Path(clip.feed_media.path), "JPEG")
                self.assertEqual(feed.size, (640, 480))
                self.assertLess(clip.feed_media.size, clip.media_file.size / 4)
                self.assertLess(clip.feed_media.size, clip.quiz_poster.size / 4)
                self.assert_opaque_names(clip)

    def test_a_real_jpeg_and_a_generated_png_look_alike_before_the_answer(self) -> None:
        real = self.ready(self.image("real.jpg", "JPEG", (500, 400)), "Real")
        fake = self.ready(self.image("other.png", "PNG", (400, 500)), "Fake", **GENERATED)
        self.assertNotEqual(real.media_content_type, fake.media_content_type)
        for field in Clip.QUIZ_FIELDS:
            names = [getattr(clip, field).name for clip in (real, fake)]
            self.assertEqual({Path(name).suffix for name in names}, {Path(names[0]).suffix})
            with (
                Image.open(getattr(real, field).path) as one,
                Image.open(getattr(fake, field).path) as other,
            ):
                self.assertEqual(
                    (one.format, one.mode, one.info), (other.format, other.mode, other.info)
                )


class ClipFileTests(RenditionTestCase):
    def test_only_clips_with_a_quiz_rendition_are_quizzable(self) -> None:
        clip = self.ready(self.fixture("clip.mp4", make_video, seconds=0.5))
        self.assertFalse(Clip.objects.quizzable().exists())  # a draft
        clip.publication_state = PublicationState.PUBLISHED
        clip.save(update_fields=["publication_state"])
        self.assertEqual(list(Clip.objects.quizzable()), [clip])
        Clip.objects.filter(pk=clip.pk).update(quiz_media="")
        self.assertFalse(Clip.objects.quizzable().exists())

    def test_deleting_the_clip_deletes_its_renditions(self) -> None:
        clip = self.ready(self.fixture("clip.mp4", make_video, seconds=0.5))
        quiz_names = [getattr(clip, field).name for field in Clip.QUIZ_FIELDS]
        self.assertLessEqual(set(quiz_names), set(self.stored_files()))
        with self.captureOnCommitCallbacks(execute=True):
            clip.delete_with_files()
        self.assertEqual(self.stored_files(), [])

    def test_processing_again_replaces_the_old_renditions(self) -> None:
        clip = self.ready(self.fixture("clip.mp4", make_video, seconds=0.5))
        old = {getattr(clip, field).name for field in Clip.PROCESSED_FIELDS}
        Clip.objects.filter(pk=clip.pk).update(processing_status=ProcessingStatus.PENDING)
        clip.refresh_from_db()
        self.assertTrue(clip.process())
        clip.refresh_from_db()
        new = {getattr(clip, field).name for field in Clip.PROCESSED_FIELDS}
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        self.assertFalse(old & new)
        self.assertEqual(self.stored_files(), sorted(new | {clip.source_file.name}))


class PrepareQuizMediaCommandTests(RenditionTestCase):
    def processed_before_renditions(self, path: Path, title: str, **fields) -> Clip:
        """A READY clip as a database from before this change holds it: no renditions."""
        clip = self.ready(path, title, **fields)
        for field in Clip.QUIZ_FIELDS:
            getattr(clip, field).delete(save=False)
        Clip.objects.filter(pk=clip.pk).update(**dict.fromkeys(Clip.QUIZ_FIELDS, ""))
        clip.refresh_from_db()
        return clip

    def call(self, *args: str) -> str:
        out = StringIO()
        call_command("prepare_quiz_media", *args, stdout=out, stderr=StringIO())
        return out.getvalue()

    def test_it_fills_in_a_ready_clip_and_is_idempotent(self) -> None:
        fields = {"publication_state": PublicationState.PUBLISHED, **GENERATED}
        video = self.processed_before_renditions(
            self.fixture("clip.mp4", make_video, seconds=0.5), "Video", **fields
        )
        image = self.processed_before_renditions(
            self.fixture("image.png", make_image, fmt="PNG"), "Image", **fields
        )
        before = self.stored_files()
        self.assertFalse(Clip.objects.quizzable().exists())

        output = self.call("--dry-run")
        self.assertIn("would make quiz_media, quiz_poster, feed_media for Video", output)
        self.assertIn("2 clips would be filled in.", output)
        self.assertEqual(self.stored_files(), before)

        self.assertIn("2 clips filled in.", self.call())
        for clip in (video, image):
            clip.refresh_from_db()
            self.assertEqual(clip.missing_quiz_fields, [])
            self.assert_opaque_names(clip)
        self.assert_bare_mp4(Path(video.quiz_media.path))
        self.assert_bare_mp4(Path(video.feed_media.path))
        self.assert_bare_image(Path(image.quiz_media.path), "PNG")
        self.assertEqual(set(Clip.objects.quizzable()), {video, image})
        self.assertEqual(self.work_files(), [])

        after = self.stored_files()
        self.assertIn("0 clips filled in.", self.call())
        self.assertEqual(self.stored_files(), after)
        self.assertEqual(video.prepare_quiz_media(), [])

    def test_it_makes_only_what_is_missing(self) -> None:
        clip = self.ready(self.fixture("clip.mp4", make_video, seconds=0.5))
        kept = clip.quiz_media.name
        clip.feed_media.delete(save=False)
        Clip.objects.filter(pk=clip.pk).update(feed_media="")
        clip.refresh_from_db()
        self.assertEqual(clip.prepare_quiz_media(), ["feed_media"])
        clip.refresh_from_db()
        self.assertEqual(clip.quiz_media.name, kept)
        self.assertTrue(Path(clip.feed_media.path).is_file())

    def test_it_takes_drafts_only_with_all(self) -> None:
        draft = self.processed_before_renditions(
            self.fixture("clip.mp4", make_video, seconds=0.5), "Draft"
        )
        self.assertIn("0 clips filled in.", self.call())
        draft.refresh_from_db()
        self.assertFalse(draft.quiz_media)
        self.assertIn("1 clip filled in.", self.call("--all"))
        draft.refresh_from_db()
        self.assertEqual(draft.missing_quiz_fields, [])

    def test_it_reports_a_clip_it_cannot_do_and_does_the_others(self) -> None:
        published = {"publication_state": PublicationState.PUBLISHED}
        broken = self.processed_before_renditions(
            self.fixture("image.jpg", make_image), "Broken", **published
        )
        fine = self.processed_before_renditions(
            self.fixture("image.png", make_image, fmt="PNG"), "Fine", **published
        )
        Path(broken.media_file.path).unlink()
        with self.assertRaises(MediaRejected):
            broken.prepare_quiz_media()
        errors = StringIO()
        with self.assertRaisesMessage(CommandError, "1 clip could not be done."):
            call_command("prepare_quiz_media", stdout=StringIO(), stderr=errors)
        self.assertIn("failed Broken", errors.getvalue())
        fine.refresh_from_db()
        self.assertEqual(fine.missing_quiz_fields, [])
        broken.refresh_from_db()
        self.assertEqual(broken.missing_quiz_fields, list(Clip.QUIZ_FIELDS))
        self.assertEqual(self.work_files(), [])
