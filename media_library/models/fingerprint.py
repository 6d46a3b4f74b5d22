"""Every ready video clip's perceptual fingerprint, and finding a clip's original by it.

The fingerprint itself is `media_library.detector.fingerprint` (numpy, no Django). Here it is
kept per clip, with its band keys in an indexed table: a lookup asks that table which clips share
at least `MIN_SHARED_KEYS` keys with this one (an index range read per key, whatever the size of
the library), compares the whole hash sequences of the best few, and aligns the decoded clip with
the decoded candidates (`signals.alignment`) before it calls anything a match. The match found is
stored, so a page only reads it; the words are made when the page is shown, in its language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from media_library.choices import MediaKind, ProcessingStatus
from media_library.detector import fingerprint as fp
from media_library.detector.footage import DecodeError, Footage, read_footage
from media_library.detector.measurements import clock
from media_library.models.clip import Clip
from media_library.processing.probe import detector_rules

# A candidate shares at least this many distinct band keys with the clip.
MIN_SHARED_KEYS = 3
# At most this many candidates are compared hash by hash, and this many decoded and aligned.
CANDIDATES = 8
VERIFIED = 3
TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass
class Found:
    """A verified match: the clip found, the facts of the match, and its decoded footage."""

    clip: Clip
    match: fp.Match
    footage: Footage


class ClipFingerprintQuerySet(models.QuerySet["ClipFingerprint"]):
    def current(self) -> ClipFingerprintQuerySet:
        return self.filter(version=fp.FINGERPRINT_VERSION)

    def record(self, clip: Clip, footage: Footage) -> ClipFingerprint | None:
        """Keep the fingerprint of `footage` (the clip's own decoded frames) and its band keys,
        replacing any older ones. None for a still."""
        made = fp.fingerprint(footage)
        if made is None:
            return None
        with transaction.atomic():
            record, _created = self.update_or_create(
                clip=clip,
                defaults={
                    "version": fp.FINGERPRINT_VERSION,
                    "data": made.as_json(),
                    "computed_at": timezone.now(),
                },
            )
            FingerprintKey.objects.filter(clip=clip).delete()
            FingerprintKey.objects.bulk_create(
                FingerprintKey(clip=clip, band=band, key=key)
                for band, key in sorted(made.band_keys())
            )
        return record

    def fingerprint_and_match(self, clip: Clip, footage: Footage | None = None) -> Found | None:
        """Record the clip's fingerprint (decoding it unless its footage is given) and look it up
        in the library; the verified match is stored on the fingerprint and returned."""
        if footage is None:
            footage = decode(clip)
            if footage is None:
                return None
        record = self.record(clip, footage)
        if record is None:
            return None
        return record.look_up(footage)


def decode(clip: Clip) -> Footage | None:
    """The clip's grey thumbnails and times (no face frames), or None when it cannot be read."""
    with clip.detector_file() as path:
        if path is None:
            return None
        try:
            return read_footage(path, rules=detector_rules())
        except DecodeError:
            return None


class ClipFingerprint(models.Model):
    """One video clip's keyframe hashes (`data`, see detector.fingerprint) and what the last
    lookup found: the clip it most likely comes from and how, or nothing."""

    clip = models.OneToOneField(Clip, on_delete=models.CASCADE, related_name="fingerprint")
    version = models.PositiveSmallIntegerField(default=fp.FINGERPRINT_VERSION)
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)
    matched_clip = models.ForeignKey(
        Clip, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    match = models.JSONField(default=dict, blank=True)  # fp.Match.as_json(), or {}
    looked_up_at = models.DateTimeField(null=True, blank=True)

    objects = ClipFingerprintQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Fingerprint of {self.clip}"

    @property
    def fingerprint(self) -> fp.Fingerprint:
        return fp.Fingerprint.from_json(self.data)

    def candidates(self) -> list[tuple[int, int]]:
        """(clip id, shared keys) of the clips sharing the most band keys with this one (or keys
        one bit away), at least MIN_SHARED_KEYS: indexed equality lookups, counted per clip."""
        by_band: dict[int, list[int]] = {}
        for band, key in sorted(self.fingerprint.query_keys()):
            by_band.setdefault(band, []).append(key)
        if not by_band:
            return []
        wanted = Q()
        for band, values in by_band.items():
            wanted |= Q(band=band, key__in=values)
        rows = (
            FingerprintKey.objects.filter(wanted)
            .exclude(clip_id=self.clip_id)
            .values("clip_id")
            .annotate(shared=Count("id"))
            .filter(shared__gte=MIN_SHARED_KEYS)
            .order_by("-shared", "clip_id")[:CANDIDATES]
        )
        return [(row["clip_id"], row["shared"]) for row in rows]

    def look_up(self, footage: Footage | None = None) -> Found | None:
        """The clip of the library this one most likely comes from, verified by aligning the
        decoded frames; stores it (or that there is none). A clip's own derivatives and clips
        added after it are never its original. The clip is decoded only when a candidate is
        worth aligning, unless its `footage` is given."""
        ours = self.fingerprint
        ids = [clip_id for clip_id, _shared in self.candidates()]
        others = {
            clip.pk: clip
            for clip in Clip.objects.filter(
                pk__in=ids,
                kind=MediaKind.VIDEO,
                processing_status=ProcessingStatus.READY,
                created_at__lt=self.clip.created_at,
            )
            .exclude(original_id=self.clip_id)
            .select_related("fingerprint")
        }
        scored = []
        for clip_id in ids:
            other = others.get(clip_id)
            record = getattr(other, "fingerprint", None) if other else None
            if record is None or record.version != fp.FINGERPRINT_VERSION:
                continue
            similarity = fp.similarity(ours, record.fingerprint)
            if similarity >= fp.MIN_SIMILARITY:
                scored.append((similarity, other))
        scored.sort(key=lambda pair: -pair[0])
        if scored and footage is None:
            footage = decode(self.clip)
        verified = [
            Found(other, match, theirs)
            for similarity, other in (scored[:VERIFIED] if footage is not None else [])
            if (theirs := decode(other)) is not None
            and (match := fp.verify(footage, theirs, similarity)) is not None
        ]
        # Two re-edits of one original match each other too: an original that matched nothing
        # itself is preferred, and a re-edit's own original is tried before the re-edit.
        found = max(verified, key=_preference, default=None)
        root = _matched(found.clip) if found else None
        if root is not None and root.pk not in {f.clip.pk for f in verified}:
            theirs = decode(root) if root.created_at < self.clip.created_at else None
            record = getattr(root, "fingerprint", None)
            if theirs is not None and record is not None:
                similarity = fp.similarity(ours, record.fingerprint)
                match = fp.verify(footage, theirs, similarity)
                if match is not None:
                    found = Found(root, match, theirs)
        self.matched_clip = found.clip if found else None
        self.match = found.match.as_json() if found else {}
        self.looked_up_at = timezone.now()
        self.save(update_fields=["matched_clip", "match", "looked_up_at"])
        return found

    # What the curator page shows ---------------------------------------------------------------

    @property
    def is_duplicate(self) -> bool:
        return self.match.get("kind") == "duplicate"

    def describe(self) -> str:
        """The match in plain words, in the current language; "" when there is none."""
        if not self.match or self.matched_clip is None:
            return ""
        return describe(self.match, self.matched_clip.title)


def _matched(clip: Clip) -> Clip | None:
    """The clip `clip` was itself found to come from, if any."""
    record = getattr(clip, "fingerprint", None)
    return record.matched_clip if record is not None else None


def _preference(found: Found) -> tuple:
    is_root = _matched(found.clip) is None
    return (is_root, found.match.similarity, -found.match.match_ratio)


def describe(match: dict, title: str) -> str:
    """ "This clip matches 0:12–0:40 of Original X, slowed to 0.75×, 2.0 s removed at 0:31"."""
    parts = [
        _("This clip matches %(start)s–%(end)s of “%(title)s”")
        % {
            "start": clock(match["original_from"]),
            "end": clock(match["original_to"]),
            "title": title,
        }
    ]
    speed = match["speed"]
    if abs(math.log(max(speed, 1e-3))) >= fp.DUPLICATE_SPEED:
        words = _("slowed to %(ratio)s") if speed < 1 else _("sped up to %(ratio)s")
        parts.append(words % {"ratio": f"{speed:.2f}{TIMES}"})
    for start, end, ratio in match["stretches"]:
        words = (
            _("slowed to %(ratio)s from %(start)s to %(end)s")
            if ratio < 1
            else _("sped up to %(ratio)s from %(start)s to %(end)s")
        )
        parts.append(
            words % {"ratio": f"{ratio:.2f}{TIMES}", "start": clock(start), "end": clock(end)}
        )
    for at, seconds in match["removed"]:
        parts.append(_("%(seconds).1f s removed at %(at)s") % {"seconds": seconds, "at": clock(at)})
    return _(", ").join(parts) + "."


class FingerprintKey(models.Model):
    """One 16-bit band of one keyframe hash of a clip (distinct per clip): the lookup's index."""

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="+")
    band = models.PositiveSmallIntegerField()
    key = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # The lookup: which clips have this key in this band (ClipFingerprint.candidates).
            models.Index(fields=["band", "key"], name="fingerprint_band_key"),
        ]
        verbose_name = gettext_lazy("fingerprint key")

    def __str__(self) -> str:
        return f"{self.band}:{self.key:04x}"
