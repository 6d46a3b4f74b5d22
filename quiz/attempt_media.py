"""The bytes one attempt gets for a clip before its answer: made for that attempt alone.

The stored blind renditions (media_library.processing.renditions) carry no metadata, but one
clip's rendition is one file: sent as it is, its hash, size and ETag would be the same in every
attempt, and a script could recognise a clip from a classmate's finished attempt (or any attempt
whose reveal it has seen) without looking at it. So nothing sent here is stable across attempts:

- an image, and a video's poster, is drawn again for the attempt: fitted onto one canvas size
  for every picture (IMAGE_CANVAS, FEED_CANVAS: a GAN's square 1024-pixel face and a phone's
  4:3 photo arrive the same size, so the pixel size says nothing of how a picture was made; it
  is also a screen-sized file instead of a lossless PNG), with a faint noise seeded by the
  attempt (one level up or down on a scattering of pixels, far below what an eye sees), and
  saved as a bare JPEG followed by attempt-random bytes (decoders stop at the end-of-image
  marker), so not even its size to the byte repeats;
- a video is the stored rendition followed by a `free` box of attempt-random length and bytes:
  ISO BMFF players skip such boxes, and the file's hash and size change per attempt. The frames
  are the clip's frames: a learner who has seen a clip's reveal can recognise it again, as a
  person would, but nothing in the bytes ties it to a truth;
- the ETag is a keyed hash of the attempt, the place in it and the stored file, and there is no
  Last-Modified (when a file was processed could date a workshop fake).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from io import BytesIO
from typing import IO

import numpy as np
from django.utils.crypto import salted_hmac
from PIL import Image

from quiz.models.choices import ItemKind

# Every quiz image is sent at this size (a laptop screen's worth), a feed image at a phone's.
IMAGE_CANVAS = (1280, 960)
FEED_CANVAS = (640, 640)
# The mat around a picture of another shape: the page's own dark media background.
MAT_COLOUR = (17, 17, 17)
JPEG_QUALITY = 88
# The shared, framed picture each attempt's image starts from: close to lossless.
BASE_QUALITY = 95
# A free box's payload: at least this long, so that the size changes by more than rounding.
PADDING_MIN = 256
PADDING_SPREAD = 32 * 1024
# The share of pixels an attempt's noise touches: enough that every 8x8 block of the JPEG is
# likely hit (so its bytes differ throughout), few enough to cost little per request.
NOISE_SHARE = 0.03


def attempt_key(*parts: object) -> bytes:
    """A secret, stable key for one file of one attempt (SECRET_KEY-derived, so nobody else can
    compute it, and unlike a random one it lets Range requests see the same bytes)."""
    return salted_hmac(
        "telltale.quiz.attempt-media", ":".join(map(str, parts)), algorithm="sha256"
    ).digest()


def etag_for(key: bytes) -> str:
    return f'"{key.hex()[:32]}"'


def canvas_for(variant: str) -> tuple[int, int]:
    return FEED_CANVAS if variant == "feed" else IMAGE_CANVAS


def is_matted(kind: str) -> bool:
    """Whether an item's pictures go on the mat: all but spot the tell, whose answers are
    fractions of the picture and which only ever shows fakes, so its shape gives nothing away."""
    return kind != ItemKind.SPOT_TELL


def sent_size(size: tuple[int, int], canvas: tuple[int, int], *, matted: bool) -> tuple[int, int]:
    """The pixel size an attempt's picture of `size` is sent at."""
    return canvas if matted else fitted_size(size, canvas)


def fitted_size(size: tuple[int, int], canvas: tuple[int, int]) -> tuple[int, int]:
    """`size` scaled to fit inside `canvas`, its aspect kept."""
    scale = min(canvas[0] / size[0], canvas[1] / size[1])
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def framed_picture(handle: IO[bytes], canvas: tuple[int, int], *, matted: bool = True) -> bytes:
    """The picture in `handle` fitted onto `canvas`, as a near-lossless JPEG: the part of an
    attempt's image that is the same for every attempt, made once and cached. `matted=False`
    (is_matted) gives the picture at its fitted size with no mat."""
    with Image.open(handle) as image:
        image.load()
        picture = image.convert("RGB")
    fitted = fitted_size(picture.size, canvas)
    if fitted != picture.size:
        picture = picture.resize(fitted, Image.Resampling.LANCZOS)
    canvas = sent_size(picture.size, canvas, matted=matted)
    # A new image: nothing of the stored file's info (comments, profiles) comes along.
    framed = Image.new("RGB", canvas, MAT_COLOUR)
    framed.paste(picture, ((canvas[0] - fitted[0]) // 2, (canvas[1] - fitted[1]) // 2))
    out = BytesIO()
    framed.save(out, "JPEG", quality=BASE_QUALITY)
    return out.getvalue()


def image_for_attempt(framed: bytes, key: bytes) -> bytes:
    """A framed picture (framed_picture) drawn again for one attempt: attempt-seeded noise on
    a scattering of pixels, a fresh JPEG encode, attempt-random trailing bytes."""
    with Image.open(BytesIO(framed)) as image:
        pixels = np.array(image.convert("RGB"), dtype=np.int16)
    rng = np.random.default_rng(int.from_bytes(key[:8], "big"))
    height, width = pixels.shape[:2]
    count = max(1, round(height * width * NOISE_SHARE))
    rows, columns = rng.integers(0, height, count), rng.integers(0, width, count)
    pixels[rows, columns] += rng.choice(np.array([-1, 1], dtype=np.int16), size=(count, 3))
    noisy = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    out = BytesIO()
    noisy.save(out, "JPEG", quality=JPEG_QUALITY)
    # Bytes after the end-of-image marker, which decoders ignore: without them two attempts'
    # files of one picture would often be the same size to the byte.
    return out.getvalue() + padding(key)


def padding(key: bytes) -> bytes:
    """Attempt-random bytes of attempt-random length."""
    length = PADDING_MIN + int.from_bytes(key[8:12], "big") % PADDING_SPREAD
    return hashlib.shake_256(key).digest(length)


def free_box(key: bytes) -> bytes:
    """A top-level ISO BMFF `free` box of attempt-random length and content."""
    payload = padding(key)
    return struct.pack(">I", 8 + len(payload)) + b"free" + payload


class PaddedRange:
    """Bytes `start` to `start + length` of a stored file of `size` bytes followed by `tail`,
    read as one file (what stream_bytes sends). `open_stored(start, length)` opens the stored
    part of the range, so only those bytes are fetched from storage (one ranged GET on S3)."""

    def __init__(
        self,
        open_stored: Callable[[int, int], IO[bytes]],
        size: int,
        tail: bytes,
        start: int,
        length: int,
    ) -> None:
        end = start + length
        stored = max(0, min(end, size) - start)
        self._handle = open_stored(start, stored) if stored else None
        self._stored_left = stored
        self._tail = tail[max(start, size) - size : end - size] if end > size else b""

    def read(self, size: int = -1) -> bytes:
        if self._handle is not None and self._stored_left > 0:
            wanted = self._stored_left if size < 0 else min(size, self._stored_left)
            data = self._handle.read(wanted)
            # A stored file that shrank under us ends its part rather than looping forever.
            self._stored_left = self._stored_left - len(data) if data else 0
            if data:
                return data
        data = self._tail if size < 0 else self._tail[:size]
        self._tail = self._tail[len(data) :]
        return data

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
