"""Processing through the model API and the task: real clips made by ffmpeg, real outputs."""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import time
from pathlib import Path

import av
from django.test import override_settings
from PIL import Image, ImageStat

from media_library.ffmpeg import ffmpeg_binary
from media_library.models import Clip, MediaKind, ProcessingStatus, Tell, TellCategory, Verdict
from media_library.processing.workdir import STALE_AFTER_SECONDS, new_work_path, sweep_stale
from media_library.tasks import process_clip, render_tell_still
from tests.base import IsolatedMediaTestCase
from tests.factories import dev_clip, make_image, make_video, requires_dev_media, top_level_boxes


class VideoProcessingTests(IsolatedMediaTestCase):
    def test_it_transcodes_mp4_to_h264_aac_with_faststart(self) -> None:
        source = self.fixture("clip.mp4", make_video)
        clip = self.create_clip(source)

        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        self.assertEqual(clip.processing_progress, 100)
        self.assertEqual(clip.kind, MediaKind.VIDEO)
        self.assertEqual((clip.width, clip.height), (320, 240))
        self.assertAlmostEqual(clip.duration_seconds, 2.0, delta=0.1)
        self.assertAlmostEqual(clip.frame_rate, 25, delta=0.1)
        self.assertTrue(clip.has_audio)
        self.assertEqual(clip.media_content_type, "video/mp4")
        self.assertIn("h264", clip.source_format)
        self.assertIsNotNone(clip.processed_at)
        self.assertEqual(clip.processing_attempts, 1)

        output = Path(clip.media_file.path)
        boxes = top_level_boxes(output)
        self.assertLess(boxes.index(b"moov"), boxes.index(b"mdat"), boxes)
        with av.open(str(output)) as container:
            self.assertEqual(container.streams.video[0].codec_context.name, "h264")
            self.assertEqual(container.streams.video[0].codec_context.pix_fmt, "yuv420p")
            self.assertEqual(container.streams.audio[0].codec_context.name, "aac")
            self.assertEqual(len(container.streams), 2)

        with Image.open(clip.poster.path) as poster:
            self.assertEqual((poster.format, poster.size), ("JPEG", (320, 240)))
        with Image.open(clip.thumbnail_strip.path) as strip:
            self.assertEqual(strip.format, "JPEG")
            self.assertEqual(strip.size, (160 * clip.thumbnail_count, 120))
        self.assertEqual(clip.thumbnail_count, 10)
        # The upload stays, under its uid, never under the uploader's name.
        self.assertEqual(clip.source_file.name, f"uploads/{clip.uid.hex}")
        self.assertEqual(self.work_files(), [])

    def test_it_scales_down_to_720p_without_upscaling(self) -> None:
        wide = self.fixture("wide.mp4", make_video, seconds=0.5, width=1366, height=768)
        tall = self.fixture("tall.mp4", make_video, seconds=0.5, width=360, height=1000)
        odd = self.fixture("odd.mp4", make_video, seconds=0.5, width=322, height=242)
        sizes = [
            (self.create_clip(p, p.stem).width, Clip.objects.get(title=p.stem).height)
            for p in (wide, tall, odd)
        ]
        self.assertEqual(sizes, [(1280, 720), (360, 1000), (322, 242)])
        for clip in Clip.objects.all():
            with av.open(clip.media_file.path) as container:
                stream = container.streams.video[0].codec_context
                self.assertEqual((stream.width, stream.height), (clip.width, clip.height))

    def test_the_strip_shows_the_clip_in_order_from_keyframes_two_seconds_apart(self) -> None:
        # Brightness rises with time (0 at 0 s to 250 at 10 s), so each tile's brightness
        # tells which moment of the clip it shows.
        source = self.fixtures / "brightening.mp4"
        subprocess.run(
            [
                ffmpeg_binary(), "-nostdin", "-v", "error", "-y", "-f", "lavfi",
                "-i", "color=c=black:s=320x240:r=25:d=10,format=gray,geq=lum='T*25'",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "250", "-pix_fmt", "yuv420p",
                str(source),
            ],
            check=True,
        )  # fmt: skip
        clip = self.create_clip(source)

        with av.open(clip.media_file.path) as container:
            stream = container.streams.video[0]
            keyframe_times = [
                float(packet.pts * stream.time_base)
                for packet in container.demux(stream)
                if packet.is_keyframe and packet.pts is not None
            ]
        # The source had one keyframe in 10 s; the processed clip has one at least every 2 s
        # (x264 may add more at what it takes for scene changes).
        gaps = [b - a for a, b in itertools.pairwise([*keyframe_times, 10.0])]
        self.assertEqual(keyframe_times[0], 0.0)
        self.assertLessEqual(max(gaps), 2.0 + 1e-6, keyframe_times)

        with Image.open(clip.thumbnail_strip.path) as strip:
            gray = strip.convert("L")
            levels = [
                ImageStat.Stat(gray.crop((i * 160, 0, (i + 1) * 160, gray.height))).mean[0]
                for i in range(clip.thumbnail_count)
            ]
        # Tile i shows the keyframe nearest (i + 0.5) s, so its brightness is 25 x that time.
        for i, level in enumerate(levels):
            nearest = min(keyframe_times, key=lambda t, i=i: abs(t - (i + 0.5)))
            self.assertAlmostEqual(level, 25 * nearest, delta=8, msg=(i, levels, keyframe_times))
        self.assertEqual(levels, sorted(levels))

    def test_it_processes_webm_without_audio(self) -> None:
        source = self.fixture(
            "clip.webm", make_video, seconds=1, video_codec="libvpx", container="webm", audio=False
        )
        clip = self.create_clip(source)
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        self.assertFalse(clip.has_audio)
        self.assertIn("WebM", clip.source_format)
        with av.open(clip.media_file.path) as container:
            self.assertEqual(container.streams.video[0].codec_context.name, "h264")
            self.assertEqual(len(container.streams.audio), 0)

    def test_it_is_harmless_to_run_the_task_twice(self) -> None:
        clip = self.create_clip(self.fixture("clip.mp4", make_video))
        files = self.stored_files()
        process_clip.enqueue(clip.pk)
        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.READY)
        self.assertEqual(clip.processing_attempts, 1)
        self.assertEqual(self.stored_files(), files)

    def test_only_one_claim_wins(self) -> None:
        clip = self.create_clip(self.fixture("clip.mp4", make_video))
        Clip.objects.filter(pk=clip.pk).update(processing_status=ProcessingStatus.PENDING)
        first, second = Clip.objects.get(pk=clip.pk), Clip.objects.get(pk=clip.pk)
        self.assertTrue(first.claim_for_processing())
        self.assertFalse(second.claim_for_processing())
        self.assertFalse(second.process())

    def test_a_failed_clip_can_be_retried_and_succeed(self) -> None:
        source = self.fixture("clip.mp4", make_video)
        with override_settings(MEDIA_MAX_DURATION_SECONDS=1):
            clip = self.create_clip(source)
        self.assertEqual(clip.processing_status, ProcessingStatus.FAILED)
        self.assertIn("at most 0:00:01", clip.processing_error)
        self.assert_nothing_left(clip)

        with self.captureOnCommitCallbacks(execute=True):
            self.assertTrue(clip.retry_processing(self.teammate))
        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        self.assertEqual(clip.processing_error, "")
        self.assertEqual(clip.processing_attempts, 2)
        # upload, video, poster, strip, quiz video, quiz poster, feed video
        self.assertEqual(len(self.stored_files()), 7)

    @override_settings(MEDIA_TRANSCODE_TIMEOUT_SECONDS=0)
    def test_a_transcode_past_the_time_limit_is_killed(self) -> None:
        clip = self.create_clip(self.fixture("clip.mp4", make_video))
        self.assertEqual(clip.processing_status, ProcessingStatus.FAILED)
        self.assertIn("took longer than", clip.processing_error)
        self.assert_nothing_left(clip)

    def test_stale_work_files_are_swept_before_a_job(self) -> None:
        stale, fresh = new_work_path(".mp4"), new_work_path(".mp4")
        old = time.time() - STALE_AFTER_SECONDS - 60
        os.utime(stale, (old, old))
        self.assertEqual(sweep_stale(), 1)
        self.assertFalse(stale.exists())
        self.assertTrue(fresh.exists())
        os.utime(fresh, (old, old))
        self.create_clip(self.fixture("clip.mp4", make_video))
        self.assertEqual(self.work_files(), [])


def jpeg_with_exif(path: Path, *, orientation: int = 6) -> Path:
    image = make_image(path, size=(400, 200))
    with Image.open(image) as img:
        exif = img.getexif()
        exif[0x0112] = orientation  # rotate 90° clockwise to display
        exif[0x010F] = "SpyCam"
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = "N", (51.0, 30.0, 0.0)
        img.save(path, "JPEG", exif=exif)
    return path


class ImageProcessingTests(IsolatedMediaTestCase):
    def test_it_strips_exif_and_applies_orientation(self) -> None:
        source = jpeg_with_exif(self.fixtures / "gps.jpg")
        with Image.open(source) as original:
            self.assertEqual(original.getexif().get_ifd(0x8825)[1], "N")
        clip = self.create_clip(source)
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        self.assertEqual(clip.kind, MediaKind.IMAGE)
        self.assertEqual(clip.media_content_type, "image/jpeg")
        self.assertEqual((clip.width, clip.height), (200, 400))  # turned upright
        data = Path(clip.media_file.path).read_bytes()
        self.assertNotIn(b"Exif", data)
        self.assertNotIn(b"SpyCam", data)
        with Image.open(io.BytesIO(data)) as output:
            self.assertEqual(output.format, "JPEG")
            self.assertEqual(len(output.getexif()), 0)
        self.assertTrue(clip.media_file.name.endswith(".jpg"))
        with Image.open(clip.poster.path) as poster:
            self.assertEqual((poster.format, poster.size), ("JPEG", (200, 400)))
        self.assertFalse(clip.thumbnail_strip)

    def test_png_and_webp_keep_their_format_and_large_ones_shrink(self) -> None:
        png = make_image(self.fixtures / "big.png", size=(3000, 1500), fmt="PNG")
        webp = make_image(self.fixtures / "small.webp", size=(300, 200), fmt="WEBP")
        png_clip, webp_clip = self.create_clip(png, "png"), self.create_clip(webp, "webp")
        self.assertEqual((png_clip.width, png_clip.height), (2048, 1024))
        self.assertEqual(png_clip.media_content_type, "image/png")
        self.assertEqual(webp_clip.media_content_type, "image/webp")
        with Image.open(png_clip.media_file.path) as out:
            self.assertEqual(out.format, "PNG")
        with Image.open(webp_clip.media_file.path) as out:
            self.assertEqual(out.format, "WEBP")


class TellStillTests(IsolatedMediaTestCase):
    def test_it_draws_the_box_on_the_frame_at_the_tell(self) -> None:
        clip = self.create_clip(self.fixture("clip.mp4", make_video))
        tell = Tell.objects.create(
            clip=clip,
            category=TellCategory.FACE_EDGES,
            start_seconds=1.0,
            end_seconds=1.5,
            box_x=0.25,
            box_y=0.25,
            box_w=0.5,
            box_h=0.5,
            explanation="Flicker at the edge.",
        )
        with self.captureOnCommitCallbacks(execute=True):
            tell.enqueue_still()
        tell.refresh_from_db()
        self.assertTrue(tell.still.name.startswith(f"clips/{clip.uid.hex}/tells/"))
        with Image.open(tell.still.path) as still:
            self.assertEqual(still.size, (320, 240))
            # The box outline is the bright yellow we draw; the test pattern has none there.
            r, g, b = still.convert("RGB").getpixel((80, 120))
            self.assertGreater(r, 200)
            self.assertGreater(g, 170)
            self.assertLess(b, 80)
        first = tell.still.name
        render_tell_still.enqueue(tell.pk)
        tell.refresh_from_db()
        self.assertNotEqual(tell.still.name, first)
        self.assertNotIn(first, self.stored_files())
        self.assertEqual(self.work_files(), [])

    def test_image_tells_use_the_image_and_pending_clips_have_none(self) -> None:
        clip = self.create_clip(make_image(self.fixtures / "plain.jpg"))
        tell = Tell.objects.create(clip=clip, category=TellCategory.SKIN, explanation="Skin.")
        self.assertTrue(tell.render_still())
        with Image.open(tell.still.path) as still:
            self.assertEqual(still.size, (640, 480))
        Clip.objects.filter(pk=clip.pk).update(processing_status=ProcessingStatus.PENDING)
        tell = Tell.objects.get(pk=tell.pk)
        self.assertFalse(tell.render_still())


@requires_dev_media
class DevMediaTests(IsolatedMediaTestCase):
    def test_it_processes_an_ffpp_original(self) -> None:
        source = dev_clip("ffpp/original_sequences/youtube/c40/videos/183.mp4")
        clip = self.create_clip(source)
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        self.assertFalse(clip.has_audio)
        self.assertLessEqual(clip.height, 720)

    def test_it_scales_the_dfdc_1080p_clip_to_720p(self) -> None:
        source = dev_clip("dfdc/train_sample_videos/abofeumbvv.mp4")
        clip = self.create_clip(source, verdict=Verdict.DEEPFAKE, technique="face_swap")
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        self.assertEqual((clip.width, clip.height), (1280, 720))
        self.assertTrue(clip.has_audio)
