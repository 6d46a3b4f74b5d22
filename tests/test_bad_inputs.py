"""Every hostile or broken upload gets a clear reason and leaves nothing behind.

Refusals by the upload page leave no Clip row and no file; files that pass the upload checks
but fail processing leave a FAILED clip with a reason and only the kept upload.
"""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from media_library.ffmpeg import ffmpeg_binary
from media_library.models import Clip, ProcessingStatus
from tests.base import IsolatedMediaTestCase
from tests.factories import make_video

UPLOAD_URL = reverse("media_library:clip-upload")


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_binary(), "-nostdin", "-v", "error", "-y", *args], check=True)


# --- crafting an H.264 MP4 that declares a huge picture size -----------------------------


class BitReader:
    def __init__(self, data: bytes) -> None:
        self.bits, self.pos = "".join(f"{byte:08b}" for byte in data), 0

    def u(self, n: int) -> int:
        value = int(self.bits[self.pos : self.pos + n], 2)
        self.pos += n
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bits[self.pos] == "0":
            zeros += 1
            self.pos += 1
        self.pos += 1
        return (1 << zeros) - 1 + (self.u(zeros) if zeros else 0)


def exp_golomb(value: int) -> str:
    bits = bin(value + 1)[2:]
    return "0" * (len(bits) - 1) + bits


def patch_sps(nal: bytes, width: int, height: int) -> bytes:
    """A baseline-profile SPS NAL with its picture size in macroblocks rewritten."""
    rbsp = nal[1:].replace(b"\x00\x00\x03", b"\x00\x00")
    reader = BitReader(rbsp)
    assert reader.u(8) == 66  # baseline: no chroma/bit-depth fields to skip
    reader.u(16)
    reader.ue()  # seq_parameter_set_id
    reader.ue()  # log2_max_frame_num_minus4
    if reader.ue() == 0:  # pic_order_cnt_type
        reader.ue()
    reader.ue()  # max_num_ref_frames
    reader.u(1)
    start = reader.pos
    reader.ue()
    reader.ue()
    bits = reader.bits[:start] + exp_golomb(width // 16 - 1) + exp_golomb(height // 16 - 1)
    bits = (bits + reader.bits[reader.pos :]).rstrip("0")
    bits += "0" * (-len(bits) % 8)
    raw = int(bits, 2).to_bytes(len(bits) // 8, "big")
    escaped, zeros = bytearray(), 0
    for byte in raw:
        if zeros >= 2 and byte <= 3:
            escaped.append(3)
            zeros = 0
        escaped.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return nal[:1] + bytes(escaped)


def box_path(data: bytes, start: int, end: int, want: bytes) -> list[tuple[int, bytes]] | None:
    children = {b"moov": 8, b"trak": 8, b"mdia": 8, b"minf": 8, b"stbl": 8, b"stsd": 16}
    children[b"avc1"] = 86
    i = start
    while i < end:
        size, kind = struct.unpack(">I4s", data[i : i + 8])
        if kind == want:
            return [(i, kind)]
        if kind in children and (found := box_path(data, i + children[kind], i + size, want)):
            return [(i, kind), *found]
        i += size
    return None


def declare_size(source: Path, target: Path, width: int, height: int) -> Path:
    """Rewrite the SPS in avcC and the sizes in avc1/tkhd (moov is last, so no offsets move)."""
    data = bytearray(source.read_bytes())
    path = box_path(bytes(data), 0, len(data), b"avcC")
    sps_at = path[-1][0] + 8 + 6
    length = struct.unpack(">H", data[sps_at : sps_at + 2])[0]
    new = patch_sps(bytes(data[sps_at + 2 : sps_at + 2 + length]), width, height)
    delta = len(new) - length
    data[sps_at : sps_at + 2 + length] = struct.pack(">H", len(new)) + new
    for offset, kind in path:
        size = struct.unpack(">I", data[offset : offset + 4])[0]
        data[offset : offset + 4] = struct.pack(">I", size + delta)
        if kind == b"avc1":
            data[offset + 32 : offset + 36] = struct.pack(">HH", width, height)
        if kind == b"trak":
            tkhd = bytes(data).index(b"tkhd", offset) - 4
            at = tkhd + 8 + 20 + 4 + 8 + 8 + 36
            data[at : at + 8] = struct.pack(">II", width << 16, height << 16)
    target.write_bytes(data)
    return target


def patch_durations(source: Path, target: Path) -> Path:
    """Stretch every frame's duration in stts to 2**28 ticks (5.8 hours at 12800 a second)."""
    data = bytearray(source.read_bytes())
    stts = bytes(data).index(b"stts") - 4
    count = struct.unpack(">I", data[stts + 12 : stts + 16])[0]
    for entry in range(count):
        at = stts + 16 + entry * 8 + 4
        data[at : at + 4] = struct.pack(">I", 1 << 28)
    target.write_bytes(data)
    return target


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A valid PNG of width x height black pixels: a few hundred KB that decode to 400 MB."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)  # 1-bit greyscale, filter 0
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


class BadInputTestCase(IsolatedMediaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.curator)

    def upload(self, name: str, content: bytes, **fields):
        data = {"title": "Bad input", "verdict": "real", "technique": "none", **fields}
        data["file"] = SimpleUploadedFile(name, content, content_type="video/mp4")
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(UPLOAD_URL, data)

    def assert_refused(self, response, reason: str) -> None:
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, reason)
        self.assertFalse(Clip.objects.exists())
        self.assert_nothing_left()

    def assert_failed(self, response, reason: str) -> Clip:
        """Accepted by the upload page, refused by processing."""
        self.assertEqual(response.status_code, 302)
        clip = Clip.objects.get()
        self.assertEqual(clip.processing_status, ProcessingStatus.FAILED)
        self.assertIn(reason, clip.processing_error)
        self.assertNotIn("Traceback", clip.processing_error)
        self.assert_nothing_left(clip)
        return clip


class RefusedAtUploadTests(BadInputTestCase):
    def test_an_hls_playlist_pointing_at_a_local_file_is_refused(self) -> None:
        playlist = b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n"
        self.assert_refused(self.upload("clip.mp4", playlist), "This is an HLS playlist")

    def test_an_hls_playlist_pointing_at_another_upload_is_refused(self) -> None:
        other = self.create_clip(self.fixture("clip.mp4", make_video), "Someone else's")
        before = self.stored_files()
        playlist = f"#EXTM3U\n#EXTINF:2,\n../{other.source_file.name}\n#EXT-X-ENDLIST\n"
        response = self.upload("clip.mp4", playlist.encode())
        self.assertContains(response, "This is an HLS playlist")
        self.assertEqual(list(Clip.objects.all()), [other])
        self.assertEqual(self.stored_files(), before)
        self.assertEqual(self.work_files(), [])

    def test_an_ffconcat_list_is_refused(self) -> None:
        concat = b"ffconcat version 1.0\nfile '/etc/passwd'\n"
        self.assert_refused(self.upload("clip.mp4", concat), "ffmpeg concat list")

    def test_html_and_svg_with_script_are_refused(self) -> None:
        html = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
        self.assert_refused(self.upload("clip.mp4", html), "This is a web page (HTML)")
        svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x()</script>'
        self.assert_refused(self.upload("image.png", svg), "SVG and XML documents")

    def test_text_and_unknown_binaries_are_refused(self) -> None:
        self.assert_refused(self.upload("notes.mp4", b"just some words\n"), "a text file")
        self.assert_refused(
            self.upload("blob.mp4", bytes(range(256))), "not a supported video or image"
        )

    def test_a_zero_byte_file_is_refused(self) -> None:
        self.assert_refused(self.upload("empty.mp4", b""), "The submitted file is empty.")

    def test_a_png_bomb_is_refused_before_decoding(self) -> None:
        bomb = png_bomb()
        self.assertLess(len(bomb), 200_000)
        # Only the header is read: decoding it would take 400 MB.
        self.assert_refused(self.upload("bomb.png", bomb), "at most 40 megapixels are accepted")
        self.assert_refused(self.upload("bomb.png", png_bomb(8000, 8000)), "image is too large")

    @override_settings(MEDIA_MAX_UPLOAD_BYTES=10_000)
    def test_a_file_over_the_size_cap_is_refused(self) -> None:
        response = self.upload("big.mp4", b"\x00\x00\x00\x18ftypisom" + b"\x00" * 10_000)
        self.assert_refused(response, "uploads may be at most 0.0 MB")

    @override_settings(MEDIA_MAX_UPLOAD_BYTES=10_000)
    def test_a_declared_length_over_the_cap_is_refused_before_reading(self) -> None:
        response = self.client.post(
            UPLOAD_URL, {"title": "x"}, CONTENT_LENGTH=str(50 * 1024 * 1024)
        )
        self.assertEqual(response.status_code, 413)
        self.assertContains(response, "uploads may be at most", status_code=413)
        self.assertContains(response, 'type="file"', status_code=413)
        self.assertFalse(Clip.objects.exists())
        self.assert_nothing_left()


class FailedInProcessingTests(BadInputTestCase):
    def test_a_truncated_mp4_fails_with_a_reason(self) -> None:
        whole = self.fixture("clip.mp4", make_video).read_bytes()
        response = self.upload("cut.mp4", whole[: len(whole) // 2])
        self.assert_failed(response, "damaged or incomplete")

    def test_a_truncated_faststart_mp4_fails_with_a_reason(self) -> None:
        source = self.fixture("clip.mp4", make_video)
        faststart = self.fixtures / "faststart.mp4"
        ffmpeg("-i", str(source), "-c", "copy", "-movflags", "+faststart", str(faststart))
        data = faststart.read_bytes()
        self.assert_failed(self.upload("cut.mp4", data[: len(data) // 2]), "incomplete")

    def test_a_declared_16384_square_picture_is_refused(self) -> None:
        tiny = self.fixture("baseline.mp4", make_tiny_baseline)
        crafted = declare_size(tiny, self.fixtures / "huge.mp4", 16384, 16384)
        self.assert_failed(self.upload("huge.mp4", crafted.read_bytes()), "too large to decode")

    def test_a_declared_8192_square_picture_is_refused_by_the_cap(self) -> None:
        tiny = self.fixture("baseline.mp4", make_tiny_baseline)
        crafted = declare_size(tiny, self.fixtures / "big.mp4", 8192, 8192)
        self.assert_failed(
            self.upload("big.mp4", crafted.read_bytes()), "The video is 8192 x 8192 pixels"
        )

    def test_an_absurd_duration_is_refused(self) -> None:
        tiny = self.fixture("baseline.mp4", make_tiny_baseline)
        crafted = patch_durations(tiny, self.fixtures / "long.mp4")
        clip = self.assert_failed(self.upload("long.mp4", crafted.read_bytes()), "The video lasts")
        self.assertIn("5:49:31", clip.processing_error)

    def test_an_absurd_frame_rate_is_refused(self) -> None:
        fast = self.fixture("fast.mp4", make_video, seconds=0.1, fps=1000, audio=False)
        self.assert_failed(self.upload("fast.mp4", fast.read_bytes()), "1000 frames per second")

    def test_audio_only_is_refused(self) -> None:
        audio = self.fixtures / "tone.m4a"
        ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(audio))
        self.assert_failed(self.upload("tone.mp4", audio.read_bytes()), "no video stream")

    def test_too_many_streams_are_refused(self) -> None:
        source = self.fixture("clip.mp4", make_video)
        many = self.fixtures / "many.mkv"
        maps = [arg for _ in range(6) for arg in ("-map", "0:a")]
        ffmpeg("-i", str(source), "-map", "0:v", *maps, "-c", "copy", str(many))
        self.assert_failed(self.upload("many.mkv", many.read_bytes()), "The file has 7 streams")

    def test_an_unsupported_codec_is_refused(self) -> None:
        raw = self.fixtures / "raw.avi"
        ffmpeg(
            "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=5:duration=0.4",
            "-c:v", "rawvideo", str(raw),
        )  # fmt: skip
        self.assert_failed(self.upload("raw.avi", raw.read_bytes()), "“rawvideo” is not supported")


def make_tiny_baseline(path: Path) -> Path:
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=0.4",
        "-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "baseline",
        "-pix_fmt", "yuv420p", str(path),
    )  # fmt: skip
    return path
