"""Decide what an upload is from its first bytes, never from its name or declared type.

Only containers and image formats we can process safely get through. Playlists (HLS, ffconcat)
are refused outright: they make a demuxer open other files, which is how a "video" reads
/etc/passwd or another curator's upload.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from media_library.choices import MediaKind
from media_library.processing import MediaRejected

HEAD_BYTES = 64

# The demuxers ffmpeg/PyAV may use, by the name we force with `-f`/`format=`.
VIDEO_DEMUXERS = ("mov", "matroska", "avi")


@dataclass(frozen=True)
class Sniffed:
    kind: MediaKind
    demuxer: str  # ffmpeg demuxer for video, Pillow format for images
    label: str  # what a curator calls it: "MP4/MOV", "PNG"...


# ISO-BMFF brands that are still images, not video; the mov demuxer would misread them.
_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
_ACCEPTED = "MP4, MOV, WebM, MKV, AVI, PNG, JPEG, WebP"


def sniff(head: bytes) -> Sniffed:
    """What `head` (the first bytes of a file) is, or MediaRejected saying why it is refused."""
    if not head:
        raise MediaRejected(_("The file is empty."))
    if len(head) >= 12 and head[4:8] == b"ftyp":
        if head[8:12] in _IMAGE_BRANDS:
            raise MediaRejected(
                _("HEIC/AVIF images are not supported. Export the picture as JPEG or PNG.")
            )
        return Sniffed(MediaKind.VIDEO, "mov", "MP4/MOV")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Sniffed(MediaKind.VIDEO, "matroska", "WebM/Matroska")
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return Sniffed(MediaKind.VIDEO, "avi", "AVI")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return Sniffed(MediaKind.IMAGE, "WEBP", "WebP")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(MediaKind.IMAGE, "PNG", "PNG")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(MediaKind.IMAGE, "JPEG", "JPEG")
    raise MediaRejected(_refusal(head))


def _refusal(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"#extm3u"):
        return _(
            "This is an HLS playlist (a text file that points at other files), not a video. "
            "Upload the video file itself."
        )
    if text.startswith(b"ffconcat") or text.startswith(b"file "):
        return _(
            "This is an ffmpeg concat list (a text file that points at other files), not a "
            "video. Upload the video file itself."
        )
    if b"<svg" in text or text.startswith(b"<?xml"):
        return _("SVG and XML documents are not accepted as media. Upload a PNG or JPEG.")
    if text.startswith(b"<"):
        return _("This is a web page (HTML), not a video or image.")
    if _looks_like_text(head):
        return _("This is a text file, not a video or image.")
    return _("This file is not a supported video or image. Accepted formats: %(formats)s.") % {
        "formats": _ACCEPTED
    }


def _looks_like_text(head: bytes) -> bool:
    try:
        decoded = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the sample is still text.
        try:
            decoded = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return all(ch.isprintable() or ch in "\r\n\t" for ch in decoded)
