from __future__ import annotations

import contextlib
import hashlib
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    REAL = "real", _("Real")
    DEEPFAKE = "deepfake", _("Deepfake")
    SHALLOWFAKE = "shallowfake", _("Shallowfake")

    @property
    def is_manipulated(self) -> bool:
        return self != Verdict.REAL


class Technique(models.TextChoices):
    FACE_SWAP = "face_swap", _("Face swap")
    LIP_SYNC = "lip_sync", _("Lip sync")
    REENACTMENT = "reenactment", _("Facial reenactment")
    FULLY_SYNTHETIC = "fully_synthetic", _("Fully synthetic face")
    VOICE_CLONE = "voice_clone", _("Voice clone")
    SPEED_CHANGE = "speed_change", _("Speed change")
    SPLICE = "splice", _("Selective edit / splice")
    OUT_OF_CONTEXT = "out_of_context", _("Out of context / false caption")
    CROP = "crop", _("Crop")
    NONE = "none", _("None")


class MediaKind(models.TextChoices):
    VIDEO = "video", _("Video")
    IMAGE = "image", _("Image")


class ProcessingStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be processed")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")

    @property
    def is_finished(self) -> bool:
        return self in (ProcessingStatus.READY, ProcessingStatus.FAILED)


class PublicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")


class TellCategory(models.TextChoices):
    BLINKING = "blinking", _("Blinking")
    TEETH_MOUTH = "teeth_mouth", _("Teeth & mouth")
    LIGHTING = "lighting", _("Lighting & reflections")
    FACE_EDGES = "face_edges", _("Face edges & flicker")
    SKIN = "skin", _("Skin tone & texture")
    HAIR_DETAIL = "hair_detail", _("Hair & fine detail")
    ACCESSORIES = "accessories", _("Accessories")
    LIP_SYNC = "lip_sync", _("Lip sync")
    VOICE_AUDIO = "voice_audio", _("Voice & audio")
    BACKGROUND = "background", _("Background")
    SPEED_CHANGE = "speed_change", _("Speed change")
    CUT_SPLICE = "cut_splice", _("Cut / splice")
    CONTEXT_CAPTION = "context_caption", _("Context / caption")
    CROP = "crop", _("Crop")


class ClipQuerySet(models.QuerySet["Clip"]):
    def published(self) -> ClipQuerySet:
        return self.filter(publication_state=PublicationState.PUBLISHED)

    def ready(self) -> ClipQuerySet:
        return self.filter(processing_status=ProcessingStatus.READY)

    def in_review(self) -> ClipQuerySet:
        return self.filter(publication_state=PublicationState.IN_REVIEW)

    # --- upload (media_library/processing) ---

    def create_from_upload(self, upload, user, **fields) -> Clip:
        """A new PENDING clip from an uploaded file, processing queued on commit.

        Raises ValidationError with a curator-readable message when the file is refused (too
        big, not a supported format, a duplicate of an existing clip's upload).
        """
        from media_library.processing.pipeline import create_from_upload

        return create_from_upload(self, upload, user, **fields)

    # --- end upload ---


def upload_path(instance: Clip, filename: str) -> str:
    # The uploader's file name is untrusted: it never becomes part of a path.
    return f"uploads/{instance.uid.hex}"


def clip_media_path(instance: Clip, filename: str) -> str:
    # Opaque names: a served URL must never hint at the clip's verdict or title.
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"clips/{instance.uid.hex}/{uuid.uuid4().hex}.{suffix}"


def tell_still_path(instance: Tell, filename: str) -> str:
    return f"clips/{instance.clip.uid.hex}/tells/{uuid.uuid4().hex}.jpg"


class Clip(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=MediaKind, blank=True)

    # What the clip is: the answer a learner is judged against.
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict)
    technique = models.CharField(
        _("technique"), max_length=20, choices=Technique, default=Technique.NONE
    )
    original = models.ForeignKey(
        "self",
        verbose_name=_("original"),
        help_text=_("The real clip this fake was made from, when known."),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derivatives",
    )

    # Provenance, rights and consent.
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    attribution = models.CharField(_("attribution"), max_length=300, blank=True)
    depicts_public_figure = models.BooleanField(
        _("depicts a public figure"),
        null=True,
        blank=True,
        help_text=_("Leave unknown if nobody is recognisable."),
    )
    consent_on_file = models.BooleanField(
        _("consent on file"),
        default=False,
        help_text=_("The people depicted agreed to this use, and the record is kept."),
    )
    consent_notes = models.TextField(_("consent record"), blank=True)
    content_notes = models.TextField(
        _("content notes"), blank=True, help_text=_("Warnings a teacher should see first.")
    )
    language = models.CharField(_("language"), max_length=20, blank=True)
    transcript = models.TextField(_("transcript"), blank=True)
    captions_vtt = models.TextField(_("captions (WebVTT)"), blank=True)

    # The upload as received (never served) and what processing made of it.
    source_file = models.FileField(upload_to=upload_path, blank=True, max_length=300)
    original_filename = models.CharField(max_length=120, blank=True)
    source_sha256 = models.CharField(max_length=64, unique=True, null=True, blank=True)
    source_size = models.BigIntegerField(null=True, blank=True)
    media_file = models.FileField(upload_to=clip_media_path, blank=True, max_length=300)
    poster = models.FileField(upload_to=clip_media_path, blank=True, max_length=300)
    thumbnail_strip = models.FileField(upload_to=clip_media_path, blank=True, max_length=300)
    thumbnail_count = models.PositiveSmallIntegerField(default=0)
    media_content_type = models.CharField(max_length=50, blank=True)

    # Probed and processed properties.
    duration_seconds = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    frame_rate = models.FloatField(null=True, blank=True)
    has_audio = models.BooleanField(default=False)
    source_format = models.CharField(max_length=60, blank=True)

    processing_status = models.CharField(
        max_length=20, choices=ProcessingStatus, default=ProcessingStatus.PENDING
    )
    processing_progress = models.PositiveSmallIntegerField(default=0)
    processing_error = models.TextField(blank=True)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    processing_attempts = models.PositiveSmallIntegerField(default=0)

    publication_state = models.CharField(
        max_length=20, choices=PublicationState, default=PublicationState.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clips_created",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clips_updated",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClipQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The curator list filters by publication state, newest first.
            models.Index(fields=["publication_state", "-created_at"]),
            # Published clips by verdict feed quiz pools and lesson examples.
            models.Index(
                fields=["verdict", "technique"],
                condition=Q(publication_state="published"),
                name="clip_published_by_verdict",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(verdict="real") | Q(technique="none"),
                name="clip_real_has_no_technique",
                violation_error_message=_("A real clip has no manipulation technique."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = self.unique_slug(self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("media_library:clip-detail", args=[self.slug])

    @classmethod
    def unique_slug(cls, title: str) -> str:
        base = slugify(title)[:200] or "clip"
        slug, n = base, 2
        while cls.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    @property
    def is_manipulated(self) -> bool:
        return Verdict(self.verdict).is_manipulated

    # --- serving: opaque URLs for templates; media_library/views/serving.py checks access ---
    # The "?v=" part changes whenever the stored file does, so a versioned URL may be cached long.

    SERVED_FIELDS = {"media": "media_file", "poster": "poster", "strip": "thumbnail_strip"}

    @staticmethod
    def serving_version(key: str) -> str:
        """A short opaque token for a stored file name (or captions text) in served URLs."""
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    @property
    def is_published(self) -> bool:
        return self.publication_state == PublicationState.PUBLISHED

    def served_file(self, variant: str) -> FieldFile | None:
        """The stored file a variant serves; None for unknown variants and empty fields.

        source_file is deliberately absent: the raw upload is never served.
        """
        field = self.SERVED_FIELDS.get(variant)
        file = getattr(self, field) if field else None
        return file or None

    def file_url(self, variant: str) -> str:
        """URL of a processed file ("media", "poster" or "strip"); "" when there is none."""
        file = self.served_file(variant)
        if file is None:
            return ""
        url = reverse("media_library:clip-file", args=[self.uid, variant])
        return f"{url}?v={self.serving_version(file.name)}"

    @property
    def media_url(self) -> str:
        return self.file_url("media")

    @property
    def poster_url(self) -> str:
        return self.file_url("poster")

    @property
    def strip_url(self) -> str:
        return self.file_url("strip")

    @property
    def captions_url(self) -> str:
        if not self.captions_vtt.strip():
            return ""
        url = reverse("media_library:clip-captions", args=[self.uid])
        return f"{url}?v={self.serving_version(self.captions_vtt)}"

    # --- end serving ---

    @property
    def is_processing_stalled(self) -> bool:
        """A worker that died mid-job leaves the clip 'processing' with nobody on it."""
        if self.processing_status != ProcessingStatus.PROCESSING or not self.processing_started_at:
            return False
        limit = timedelta(seconds=settings.MEDIA_TRANSCODE_TIMEOUT_SECONDS + 120)
        return timezone.now() - self.processing_started_at > limit

    @property
    def can_retry_processing(self) -> bool:
        return self.processing_status == ProcessingStatus.FAILED or self.is_processing_stalled

    def enqueue_processing(self) -> None:
        """Queue the processing task once the surrounding transaction commits."""
        from media_library.tasks import process_clip

        transaction.on_commit(lambda: process_clip.enqueue(self.pk))

    def retry_processing(self, user) -> bool:
        if not self.can_retry_processing:
            return False
        self.processing_status = ProcessingStatus.PENDING
        self.processing_progress = 0
        self.processing_error = ""
        self.updated_by = user
        self.save(
            update_fields=[
                "processing_status",
                "processing_progress",
                "processing_error",
                "updated_by",
                "updated_at",
            ]
        )
        self.enqueue_processing()
        return True

    # --- processing (media_library/processing) ---

    def process(self) -> bool:
        """Run processing if this clip is PENDING; safe to call twice or concurrently."""
        from media_library.processing.pipeline import process_clip

        return process_clip(self)

    def claim_for_processing(self) -> bool:
        """Move PENDING -> PROCESSING in one conditional UPDATE: only one worker wins."""
        now = timezone.now()
        claimed = Clip.objects.filter(
            pk=self.pk, processing_status=ProcessingStatus.PENDING
        ).update(
            processing_status=ProcessingStatus.PROCESSING,
            processing_started_at=now,
            processing_attempts=models.F("processing_attempts") + 1,
            processing_progress=0,
            processing_error="",
            updated_at=now,
        )
        if claimed:
            self.refresh_from_db()
        return bool(claimed)

    def save_processing_progress(self, percent: int) -> None:
        self.processing_progress = max(0, min(100, int(percent)))
        self.save(update_fields=["processing_progress"])

    def mark_processing_ready(self) -> None:
        self.processing_status = ProcessingStatus.READY
        self.processing_progress = 100
        self.processing_error = ""
        self.processed_at = timezone.now()
        self.save(
            update_fields=[
                "kind",
                "media_file",
                "poster",
                "thumbnail_strip",
                "thumbnail_count",
                "media_content_type",
                "duration_seconds",
                "width",
                "height",
                "frame_rate",
                "has_audio",
                "source_format",
                "processing_status",
                "processing_progress",
                "processing_error",
                "processed_at",
                "updated_at",
            ]
        )

    def mark_processing_failed(self, reason: str) -> None:
        self.processing_status = ProcessingStatus.FAILED
        self.processing_progress = 0
        self.processing_error = str(reason)
        self.media_file = self.poster = self.thumbnail_strip = ""
        self.thumbnail_count = 0
        self.save(
            update_fields=[
                "processing_status",
                "processing_progress",
                "processing_error",
                "media_file",
                "poster",
                "thumbnail_strip",
                "thumbnail_count",
                "updated_at",
            ]
        )

    # --- end processing ---

    # Publication: draft -> in review -> published (and back to draft to withdraw).

    @property
    def publication_blockers(self) -> list[str]:
        """Why this clip cannot be published yet; empty when it can."""
        blockers = []
        if self.processing_status != ProcessingStatus.READY:
            blockers.append(_("Processing has not finished."))
        if not self.title.strip():
            blockers.append(_("The clip needs a title."))
        return blockers

    def submit_for_review(self, user) -> bool:
        if self.publication_state != PublicationState.DRAFT or self.publication_blockers:
            return False
        return self._move_to(PublicationState.IN_REVIEW, user)

    def publish(self, user) -> bool:
        if self.publication_state != PublicationState.IN_REVIEW or self.publication_blockers:
            return False
        self.published_at = timezone.now()
        return self._move_to(PublicationState.PUBLISHED, user, "published_at")

    def withdraw(self, user) -> bool:
        if self.publication_state == PublicationState.DRAFT:
            return False
        self.published_at = None
        return self._move_to(PublicationState.DRAFT, user, "published_at")

    def _move_to(self, state: PublicationState, user, *extra_fields: str) -> bool:
        self.publication_state = state
        self.updated_by = user
        self.save(update_fields=["publication_state", "updated_by", "updated_at", *extra_fields])
        return True

    # Deleting: rows first, then the files, and the files only once the delete has committed
    # (a rolled-back delete must not leave a clip whose media is gone).

    def delete_with_files(self) -> None:
        """Delete the clip, its tells and everything stored for it: upload, media, stills."""
        storage = self.media_file.storage
        names = [f.name for f in (self.source_file, self.media_file, self.poster) if f]
        names += [self.thumbnail_strip.name] if self.thumbnail_strip else []
        names += [tell.still.name for tell in self.tells.all() if tell.still]
        folder = f"clips/{self.uid.hex}"
        with transaction.atomic():
            self.delete()
            transaction.on_commit(lambda: delete_stored_files(storage, names, folder))


class Tell(models.Model):
    """A giveaway a curator marked on a clip: when it happens, where on the frame, and why."""

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="tells")
    category = models.CharField(_("category"), max_length=20, choices=TellCategory)
    start_seconds = models.FloatField(_("starts at (s)"), default=0)
    end_seconds = models.FloatField(_("ends at (s)"), default=0)
    # Region on the frame as a box normalised to 0..1 of width and height; empty for
    # tells that have no place on the frame (a cut, a false caption).
    box_x = models.FloatField(null=True, blank=True)
    box_y = models.FloatField(null=True, blank=True)
    box_w = models.FloatField(null=True, blank=True)
    box_h = models.FloatField(null=True, blank=True)
    explanation = models.TextField(_("explanation"))
    still = models.FileField(upload_to=tell_still_path, blank=True, max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_seconds", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_seconds__gte=0) & Q(end_seconds__gte=models.F("start_seconds")),
                name="tell_time_range_ordered",
                violation_error_message=_("A tell must end after it starts."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        box_x__isnull=True,
                        box_y__isnull=True,
                        box_w__isnull=True,
                        box_h__isnull=True,
                    )
                    | Q(
                        box_x__gte=0,
                        box_y__gte=0,
                        box_w__gt=0,
                        box_h__gt=0,
                        box_x__lte=1,
                        box_y__lte=1,
                        box_w__lte=1,
                        box_h__lte=1,
                    )
                ),
                name="tell_box_normalised",
                violation_error_message=_("The box must lie within the frame."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} @ {self.start_seconds:.1f}s"

    @property
    def has_box(self) -> bool:
        return self.box_w is not None

    # --- stills (media_library/processing/stills.py) ---

    @property
    def box(self) -> tuple[float, float, float, float] | None:
        if not self.has_box:
            return None
        return (self.box_x, self.box_y, self.box_w, self.box_h)

    def render_still(self) -> bool:
        """Draw the box on the frame at start_seconds and store it as `still` (replacing the
        old one). False when the clip has no processed media yet."""
        from media_library.processing.stills import render_tell_still

        return render_tell_still(self)

    def enqueue_still(self) -> None:
        """Queue render_still once the surrounding transaction commits."""
        from media_library.tasks import render_tell_still

        transaction.on_commit(lambda: render_tell_still.enqueue(self.pk))

    # --- end stills ---

    @property
    def still_url(self) -> str:
        """URL of the tell's still (served like its clip's files); "" when there is none."""
        if not self.still:
            return ""
        url = reverse("media_library:tell-still", args=[self.pk])
        return f"{url}?v={Clip.serving_version(self.still.name)}"

    @property
    def time_range_label(self) -> str:
        start, end = format_timestamp(self.start_seconds), format_timestamp(self.end_seconds)
        return start if start == end else f"{start}\N{EN DASH}{end}"

    def delete_with_still(self) -> None:
        still = self.still.name
        storage = self.still.storage
        with transaction.atomic():
            self.delete()
            if still:
                transaction.on_commit(lambda: delete_stored_files(storage, [still]))


def format_timestamp(seconds: float) -> str:
    """m:ss, the way players label a timeline."""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def delete_stored_files(storage, names: list[str], folder: str = "") -> None:
    """Delete the named files and whatever else lies under folder (variants made later)."""
    for name in names:
        storage.delete(name)
    if folder:
        _delete_folder(storage, folder)


def _delete_folder(storage, folder: str) -> None:
    try:
        subfolders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
    for sub in subfolders:
        _delete_folder(storage, f"{folder}/{sub}")
    # Object stores have no folders; on a filesystem the emptied folder goes too.
    with contextlib.suppress(NotImplementedError, OSError):
        Path(storage.path(folder)).rmdir()
