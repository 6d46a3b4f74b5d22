"""The detector as a library: it runs in an interpreter where Django is not even imported, reads
files by safe rules of its own unless given media_library's, and its tell strings are the
library's tell categories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from media_library.demo.sources import COLLINS
from media_library.detector import tells
from media_library.detector.footage import SAFE_RULES, ContainerRules, DecodeError, read_footage
from media_library.detector.scoring import SIGNALS_VERSION
from media_library.detector.signals.face import ALL_NAMES as FACE_SIGNALS
from media_library.models import TellCategory
from media_library.processing.probe import detector_rules
from tests.factories import make_image, make_video

# Run in a fresh interpreter: make a clip of a portrait with the imageio-ffmpeg binary, analyse
# it, and report what was imported.
SCRIPT = """
import json, subprocess, sys
from pathlib import Path

import imageio_ffmpeg

from media_library.detector.analysis import analyze_file

photo, clip = Path(sys.argv[1]), Path(sys.argv[2])
subprocess.run(
    [
        imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y",
        "-loop", "1", "-i", str(photo), "-f", "lavfi", "-i", "sine=frequency=220:duration=4",
        "-t", "4", "-r", "25", "-vf", "scale=256:-2", "-c:v", "libx264", "-preset", "ultrafast",
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(clip),
    ],
    check=True,
)
result = analyze_file(clip)
modules = sorted(name for name in sys.modules if name.split(".")[0] in ("django", "media_library"))
print(json.dumps({"modules": modules, "analysis": result.as_json()}))
"""


class FreshInterpreterTests(SimpleTestCase):
    def test_it_analyses_a_clip_without_django_or_the_rest_of_media_library(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix="telltale-detector-library-"))
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        photo = folder / "portrait.png"
        photo.write_bytes(COLLINS.read_bytes())
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(photo), str(folder / "held.mp4")],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        report = json.loads(done.stdout)
        self.assertNotIn("django", report["modules"])
        outside = [
            name
            for name in report["modules"]
            if name != "media_library" and not name.startswith("media_library.detector")
        ]
        self.assertEqual(outside, [])
        self.assertIn("media_library.detector.signals.blinking", report["modules"])
        analysis = report["analysis"]
        self.assertEqual(analysis["kind"], "video")
        # Every face signal and the 11 editing signals, measured or not.
        self.assertEqual(len(analysis["measurements"]), len(FACE_SIGNALS) + 11)
        # The portrait's face was tracked all along and the face family gave a score.
        self.assertGreater(analysis["face_seconds"], 3)
        self.assertFalse(analysis["scores"]["face"]["abstained"])
        self.assertEqual(analysis["detector"]["weights_version"], f"default-{SIGNALS_VERSION}")


class ContainerRulesTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.folder = Path(tempfile.mkdtemp(prefix="telltale-detector-rules-"))
        cls.addClassCleanup(shutil.rmtree, cls.folder, ignore_errors=True)

    def playlist(self, name: str) -> Path:
        """An HLS playlist that points at a local file, named like a video."""
        path = self.folder / name
        path.write_text("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n/etc/hostname\n")
        return path

    def test_its_own_rules_refuse_a_playlist_dressed_as_a_video(self) -> None:
        with self.assertRaises(DecodeError):
            read_footage(self.playlist("playlist.mp4"), rules=SAFE_RULES)

    def test_its_own_rules_read_videos_and_images(self) -> None:
        video = read_footage(
            make_video(self.folder / "clip.webm", video_codec="libvpx-vp9", container="webm")
        )
        self.assertEqual(video.kind, "video")
        self.assertGreater(len(video.times), 40)
        image = read_footage(make_image(self.folder / "still.jpg"))
        self.assertEqual(image.kind, "image")

    def test_its_own_rules_refuse_pictures_over_the_pixel_cap(self) -> None:
        video = make_video(self.folder / "wide.mp4", width=640, height=480, audio=False)
        rules = ContainerRules(max_pixels=320 * 240)
        with self.assertRaises(DecodeError):
            read_footage(video, rules=rules)
        self.assertEqual(read_footage(video, rules=SAFE_RULES).width, 640)

    def test_media_library_rules_give_the_upload_checks_reasons(self) -> None:
        with self.assertRaisesMessage(DecodeError, "HLS playlist"):
            read_footage(self.playlist("other.mp4"), rules=detector_rules())
        text = self.folder / "notes.txt"
        text.write_text("not a video\n")
        with self.assertRaisesMessage(DecodeError, "text file"):
            read_footage(text, rules=detector_rules())


class TellStringTests(SimpleTestCase):
    def test_every_detector_tell_is_a_tell_category(self) -> None:
        constants = {
            value for name, value in vars(tells).items() if name.isupper() and name != "ALL"
        }
        self.assertEqual(constants, set(tells.ALL))
        for tell in tells.ALL:
            with self.subTest(tell):
                self.assertIn(tell, TellCategory.values)
