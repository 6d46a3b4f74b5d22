"""A compact perceptual fingerprint of a video, for finding a clip's original in a library.

Made from the grey thumbnails `footage.read_footage` already produces (no second decode): twice a
second of clip time, one keyframe gets two 64-bit hashes.

- a DCT hash (pHash): the signs of the lowest 8 x 8 frequencies of a 32 x 32 shrink, against
  their median. Re-encoding, a slight crop or scale, brightness and contrast barely move them.
- a difference hash (dHash): whether each of 8 x 8 cells is brighter than its right neighbour,
  a second view of the same frame that fails in different ways.

Neither hash depends on timing, so a clip slowed, sped up, or with stretches removed still shows
frames whose hashes are (nearly) those of its original's frames. For an index, each DCT hash is
cut into four 16-bit bands: two frames a few bits apart most likely share at least one band
exactly, so "clips sharing several band keys with this one" is an indexed equality lookup, not a
scan of every fingerprint (locality-sensitive hashing). `similarity` then compares the whole
hash sequences of the few candidates, and `describe_match` turns an alignment of the decoded
clips (`signals.alignment`) into the facts a curator reads: which stretch of the original, at
what speed, with what removed.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from media_library.detector.footage import Footage
from media_library.detector.signals.alignment import (
    MATCH_RATIO,
    Alignment,
    align,
    removed_stretches,
    speed_stretches,
)

FINGERPRINT_VERSION = 1
SAMPLES_PER_SECOND = 2.0
BANDS = 4
BAND_BITS = 16
# A lookup asks the index about this many keyframes at most (a long clip's, evenly spread):
# 32 x 4 bands x 17 probes = 2,176 keys, one indexed equality each.
QUERY_KEYFRAMES = 32
# A keyframe with less detail than this (mean absolute DCT coefficient, grey levels) is a flat
# or black frame: its hash is noise, so it makes no key and counts for nothing.
MIN_DETAIL = 1.5
# Two keyframes are "the same picture" at most this many DCT-hash bits apart (of 64; unrelated
# frames are ~32 apart), and their difference hashes at most DHASH_BITS apart.
PHASH_BITS = 12
DHASH_BITS = 16
# A candidate is worth decoding when this share of the clip's keyframes has a near twin in it.
MIN_SIMILARITY = 0.3
# Near-identical: the same speed to within 2 %, nothing removed, nearly all of the original.
DUPLICATE_SPEED = math.log(1.02)
DUPLICATE_COVERAGE = 0.9


@dataclass
class Fingerprint:
    times: np.ndarray  # (n,) clip seconds of each keyframe
    phash: np.ndarray  # (n,) uint64
    dhash: np.ndarray  # (n,) uint64
    informative: np.ndarray  # (n,) bool: frames with enough detail to count
    duration: float

    def band_keys(self) -> set[tuple[int, int]]:
        """(band, 16-bit value) of every informative keyframe's DCT hash, without repeats: what
        the index keeps of this clip."""
        return band_keys(self.phash[self.informative])

    def query_keys(self, max_keyframes: int = QUERY_KEYFRAMES) -> set[tuple[int, int]]:
        """What to ask the index: the band keys of (at most `max_keyframes`, evenly spread)
        keyframes, each with its 16 neighbours one bit away (multi-probe). A crop of a few
        per cent moves 6 to 10 of 64 bits, enough to break every band of most keyframes
        exactly; one bit of slack per band brings most of them back."""
        hashes = self.phash[self.informative]
        if len(hashes) > max_keyframes:
            hashes = hashes[np.linspace(0, len(hashes) - 1, max_keyframes).round().astype(int)]
        keys = band_keys(hashes)
        probes = {(band, key ^ (1 << bit)) for band, key in keys for bit in range(BAND_BITS)}
        return keys | probes

    def as_json(self) -> dict:
        return {
            "version": FINGERPRINT_VERSION,
            "duration": round(self.duration, 3),
            "times": [round(float(t), 3) for t in self.times],
            "phash": [f"{int(h):016x}" for h in self.phash],
            "dhash": [f"{int(h):016x}" for h in self.dhash],
            "informative": [bool(i) for i in self.informative],
        }

    @classmethod
    def from_json(cls, data: dict) -> Fingerprint:
        return cls(
            times=np.asarray(data["times"], dtype=np.float64),
            phash=np.asarray([int(h, 16) for h in data["phash"]], dtype=np.uint64),
            dhash=np.asarray([int(h, 16) for h in data["dhash"]], dtype=np.uint64),
            informative=np.asarray(data["informative"], dtype=bool),
            duration=float(data["duration"]),
        )

    def __len__(self) -> int:
        return len(self.times)


def band_keys(hashes: np.ndarray) -> set[tuple[int, int]]:
    mask = np.uint64((1 << BAND_BITS) - 1)
    keys: set[tuple[int, int]] = set()
    for band in range(BANDS):
        values = (hashes >> np.uint64(band * BAND_BITS)) & mask
        keys.update((band, int(v)) for v in np.unique(values))
    return keys


@functools.cache
def _resampler(size: int, out: int) -> np.ndarray:
    """(out, size) box-filter matrix: each output cell is the mean of the inputs it covers."""
    edges = np.linspace(0, size, out + 1)
    matrix = np.zeros((out, size))
    for row in range(out):
        start, end = edges[row], edges[row + 1]
        for col in range(int(start), min(size, math.ceil(end))):
            matrix[row, col] = min(end, col + 1) - max(start, col)
        matrix[row] /= end - start
    return matrix


def _dct_matrix(size: int) -> np.ndarray:
    k, n = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    matrix = np.cos(np.pi * (2 * n + 1) * k / (2 * size)) * math.sqrt(2 / size)
    matrix[0] /= math.sqrt(2)
    return matrix


_DCT32 = _dct_matrix(32)
_WEIGHTS = np.uint64(1) << np.arange(64, dtype=np.uint64)


def _pack(bits: np.ndarray) -> np.ndarray:
    """(n, 64) booleans -> (n,) uint64."""
    return (bits.astype(np.uint64) * _WEIGHTS).sum(axis=1, dtype=np.uint64)


def frame_hashes(thumbs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """DCT hash, difference hash and "has detail" of each (h, w) grey frame."""
    count, height, width = thumbs.shape
    frames = thumbs.astype(np.float64)
    small = _resampler(height, 32) @ frames @ _resampler(width, 32).T  # (n, 32, 32)
    spectrum = _DCT32 @ small @ _DCT32.T
    low = spectrum[:, :8, 1:9].reshape(count, 64)  # the lowest frequencies, without the mean
    phash = _pack(low > np.median(low, axis=1, keepdims=True))
    detail = np.abs(low).mean(axis=1) / 32 >= MIN_DETAIL / 8
    cells = _resampler(height, 8) @ frames @ _resampler(width, 9).T  # (n, 8, 9)
    dhash = _pack((cells[:, :, 1:] > cells[:, :, :-1]).reshape(count, 64))
    return phash, dhash, detail


def fingerprint(footage: Footage) -> Fingerprint | None:
    """The fingerprint of a video's footage; None for a still or a clip of under two frames."""
    if footage.kind != "video" or len(footage.times) < 2:
        return None
    times = footage.times - footage.times[0]
    wanted = np.arange(0, times[-1] + 1e-9, 1 / SAMPLES_PER_SECOND)
    picks = np.unique(np.clip(np.searchsorted(times, wanted), 0, len(times) - 1))
    phash, dhash, detail = frame_hashes(footage.thumbs[picks])
    return Fingerprint(
        times=times[picks],
        phash=phash,
        dhash=dhash,
        informative=detail,
        duration=footage.video_duration,
    )


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bits that differ between every hash of `a` and every hash of `b`: (len(a), len(b))."""
    return np.bitwise_count(a[:, None] ^ b[None, :]).astype(np.int16)


def similarity(clip: Fingerprint, reference: Fingerprint) -> float:
    """The share of the clip's informative keyframes that have a near twin in `reference`
    (0 to 1). Order and timing do not matter, so speed changes and cuts keep it high."""
    ours, theirs = clip.informative, reference.informative
    if not ours.any() or not theirs.any():
        return 0.0
    near = (hamming(clip.phash[ours], reference.phash[theirs]) <= PHASH_BITS) & (
        hamming(clip.dhash[ours], reference.dhash[theirs]) <= DHASH_BITS
    )
    return float(near.any(axis=1).mean())


@dataclass
class Match:
    """How a clip relates to one it was found to come from. Times are seconds."""

    original_from: float
    original_to: float
    original_duration: float
    speed: float  # original seconds per clip second, over the whole clip
    stretches: list[tuple[float, float, float]]  # (clip from, clip to, speed) off 1x
    removed: list[tuple[float, float]]  # (clip time, seconds removed there)
    match_ratio: float
    similarity: float

    @property
    def is_duplicate(self) -> bool:
        covered = (self.original_to - self.original_from) / max(self.original_duration, 1e-6)
        return (
            abs(math.log(max(self.speed, 1e-3))) < DUPLICATE_SPEED
            and not self.stretches
            and not self.removed
            and covered >= DUPLICATE_COVERAGE
        )

    def as_json(self) -> dict:
        return {
            "kind": "duplicate" if self.is_duplicate else "re-edit",
            "original_from": round(self.original_from, 2),
            "original_to": round(self.original_to, 2),
            "original_duration": round(self.original_duration, 2),
            "speed": round(self.speed, 3),
            "stretches": [[round(a, 2), round(b, 2), round(s, 3)] for a, b, s in self.stretches],
            "removed": [[round(at, 2), round(seconds, 2)] for at, seconds in self.removed],
            "match_ratio": round(self.match_ratio, 3),
            "similarity": round(self.similarity, 3),
        }


def describe_match(alignment: Alignment, original: Footage, similarity: float) -> Match:
    clip_t, orig_t = alignment.clip_times, alignment.original_times
    frame = float(np.median(np.diff(clip_t))) if len(clip_t) > 1 else 0.0
    removed = removed_stretches(alignment)
    removed_seconds = sum(to - start for _, start, to in removed)
    played = float(orig_t[-1] - orig_t[0]) - removed_seconds
    speed = played / max(float(clip_t[-1] - clip_t[0]), 1e-6)
    stretches = [(s.start, s.end, s.speed) for s in speed_stretches(alignment)]
    # A clip slowed or sped up throughout is one stretch the length of the clip: say it once,
    # as the clip's speed.
    whole = float(clip_t[-1] - clip_t[0] + frame)
    if len(stretches) == 1 and stretches[0][1] - stretches[0][0] >= 0.8 * whole:
        speed, stretches = stretches[0][2], []
    start0 = float(original.times[0])
    return Match(
        original_from=float(orig_t[0]) - start0,
        original_to=min(float(orig_t[-1]) - start0 + frame, original.video_duration),
        original_duration=original.video_duration,
        speed=speed,
        stretches=stretches,
        removed=[(at, to - start) for at, start, to in removed],
        match_ratio=alignment.match_ratio,
        similarity=similarity,
    )


def verify(clip: Footage, original: Footage, similarity: float) -> Match | None:
    """Align the decoded clip with a candidate: a Match when the frames line up, else None."""
    alignment = align(clip, original)
    if alignment is None or alignment.match_ratio > MATCH_RATIO:
        return None
    return describe_match(alignment, original, similarity)
