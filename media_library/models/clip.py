from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from media_library.models.choices import (
    MediaKind,
    ProcessingStatus,
    ProvenanceStatus,
    PublicationState,
    Technique,
    Verdict,
)
from media_library.stored_files import delete_stored_files


class ClipQuerySet(models.QuerySet["Clip"]):
    def published(self) -> ClipQuerySet:
        return self.filter(publication_state=PublicationState.PUBLISHED)

    def ready(self) -> ClipQuerySet:
        return self.filter(processing_status=ProcessingStatus.READY)

    def in_review(self) -> ClipQuerySet:
        return self.filter(publication_state=PublicationState.IN_REVIEW)

    def quizzable(self) -> ClipQuerySet:
        """Clips a quiz may show: published, processed, with their blind quiz rendition."""
        return self.published().ready().exclude(quiz_media="")

    def lacking_quiz_media(self) -> ClipQuerySet:
        """Processed clips missing a quiz or feed rendition (processed before they existed)."""
        missing = Q()
        for field in self.model.QUIZ_FIELDS:
            missing |= Q(**{field: ""})
        return self.ready().exclude(media_file="").filter(missing)

    def workshop_sources(self) -> ClipQuerySet:
        """Clips the shallowfake workshop may edit: published real videos, processed."""
        return (
            self.published()
            .ready()
            .filter(verdict=Verdict.REAL, kind=MediaKind.VIDEO)
            .exclude(media_file="")
        )

    def create_from_upload(self, upload, user, **fields) -> Clip:
        """A new PENDING clip from an uploaded file, processing queued on commit.

        Raises ValidationError with a curator-readable message when the file is refused (too
        big, not a supported format, a duplicate of an existing clip's upload).
        """
        from media_library.processing.pipeline import create_from_upload

        return create_from_upload(self, upload, user, **fields)


def upload_path(instance: Clip, filename: str) -> str:
    # The uploader's file name is untrusted: it never becomes part of a path.
    return f"uploads/{instance.uid.hex}"


def clip_media_path(instance: Clip, filename: str) -> str:
    # Opaque names: a served URL must never hint at the clip's verdict or title.
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"clips/{instance.uid.hex}/{uuid.uuid4().hex}.{suffix}"


def quiz_media_path(instance: Clip, filename: str) -> str:
    # Quiz renditions are shown before the learner answers: neither the folder nor the name
    # may tie the file to its clip (no uid, unlike clip_media_path).
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"quiz/{uuid.uuid4().hex}.{suffix}"


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
    # Who appears decides what consent record publication needs (see publication_blockers).
    depicts_people = models.BooleanField(
        _("people shown or heard"),
        null=True,
        blank=True,
        help_text=_("Does anyone appear, or can anyone be heard, in the clip?"),
    )
    depicts_public_figure = models.BooleanField(
        _("depicts a public figure"),
        null=True,
        blank=True,
        help_text=_(
            "Yes only if everyone recognisable is a public figure; "
            "a private person anywhere in the clip needs consent."
        ),
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

    # Provenance of the upload: C2PA Content Credentials, read when the file arrives.
    provenance_status = models.CharField(
        _("Content Credentials"),
        max_length=20,
        choices=ProvenanceStatus,
        default=ProvenanceStatus.NOT_CHECKED,
    )
    provenance_summary = models.JSONField(default=dict, blank=True)

    # Where the clip came from when it was not uploaded by hand.
    is_demo = models.BooleanField(
        _("demo item"), default=False, help_text=_("Made by seed_demo; badged “demo” everywhere.")
    )
    recipe = models.JSONField(
        _("generation recipe"),
        null=True,
        blank=True,
        help_text=_("For clips Telltale made itself: exactly how (operation and parameters)."),
    )
    import_source = models.CharField(max_length=30, blank=True)
    import_key = models.CharField(
        max_length=500,
        blank=True,
        help_text=_(
            "The file's place in its dataset, so a re-run of an import adds nothing twice."
        ),
    )

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
    # Blind renditions for quiz items (processing/renditions.py): no metadata, no mark, random
    # names, made alike for real and generated clips, so the file cannot give the answer away.
    # media_file (marked, under the clip's uid) is what the library and the reveal show.
    quiz_media = models.FileField(upload_to=quiz_media_path, blank=True, max_length=300)
    quiz_poster = models.FileField(upload_to=quiz_media_path, blank=True, max_length=300)
    # "Feed mode": phone-sized and re-compressed the way social platforms serve media.
    feed_media = models.FileField(upload_to=quiz_media_path, blank=True, max_length=300)

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

    # The record a curator keeps about a clip beyond what it is (verdict, technique, original):
    # its source and rights, the people in it, and what teachers and learners need. The edit
    # form, the importers and export_library all speak of exactly these.
    RECORD_FIELDS = (
        "source_url",
        "licence",
        "attribution",
        "depicts_people",
        "depicts_public_figure",
        "consent_on_file",
        "consent_notes",
        "content_notes",
        "language",
        "transcript",
        "captions_vtt",
    )

    # The blind renditions a quiz shows (processing/renditions.py), and every file processing
    # makes, in the order the pipeline stores them.
    QUIZ_FIELDS = ("quiz_media", "quiz_poster", "feed_media")
    PROCESSED_FIELDS = ("media_file", "poster", "thumbnail_strip", *QUIZ_FIELDS)

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
            models.UniqueConstraint(
                fields=["import_source", "import_key"],
                condition=~Q(import_key=""),
                name="clip_import_once",
            ),
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

    @property
    def is_generated(self) -> bool:
        """Telltale made this clip itself (workshop, demo pack); its file is marked so."""
        return self.recipe is not None

    # Serving: opaque URLs for templates (media_library/views/serving.py checks access).
    # The "?v=" part changes whenever the stored file does, so a versioned URL may be cached long.

    # The quiz renditions are deliberately absent: a URL with the clip's uid would tie them to
    # the clip. The quiz serves them behind its own opaque URLs.
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

    def enqueue_analysis(self):
        """Queue the detector on this clip (again); returns its ClipAnalysis."""
        from media_library.models.analysis import ClipAnalysis

        return ClipAnalysis.objects.queue_for(self)

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

    # The shallowfake workshop (media_library/workshop does the work).

    def make_shallowfake(self, recipe_name: str, params: dict, user, **fields) -> Clip:
        """A new PENDING shallowfake of this published real video, rendered by a task queued
        on commit. Raises ValidationError (by parameter) when the recipe, the parameters or
        this clip do not allow it; nothing is stored then. See workshop.RECIPES."""
        from media_library.workshop import make_shallowfake

        return make_shallowfake(self, recipe_name, params, user, **fields)

    # Processing (media_library/processing does the work).

    @property
    def missing_quiz_fields(self) -> list[str]:
        return [field for field in self.QUIZ_FIELDS if not getattr(self, field)]

    def prepare_quiz_media(self) -> list[str]:
        """Make the quiz and feed renditions a READY clip lacks, from its media_file; returns
        the fields made. Does nothing for a clip that has them all or is not READY; safe to run
        twice or concurrently. Raises MediaRejected (nothing stored) when they cannot be made.
        """
        from media_library.processing.renditions import prepare_quiz_media

        return prepare_quiz_media(self)

    def read_provenance(self, path) -> None:
        """Record the Content Credentials of the upload at `path`; never fails processing.

        Runs on the original upload, since processing strips every manifest. Saved on its own
        so the result stays whether or not the rest of processing succeeds.
        """
        from media_library.processing.provenance import read_provenance

        found = read_provenance(path)
        self.provenance_status = found.status
        self.provenance_summary = found.summary
        self.save(update_fields=["provenance_status", "provenance_summary", "updated_at"])

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
                "quiz_media",
                "quiz_poster",
                "feed_media",
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
        # Tells marked before the media existed (imports, manifests) get their stills now,
        # whichever worker runs first.
        for tell in self.tells.filter(still=""):
            tell.enqueue_still()
        if settings.DETECTOR_ANALYZE_AFTER_PROCESSING:
            self.enqueue_analysis()

    def mark_processing_failed(self, reason: str) -> None:
        self.processing_status = ProcessingStatus.FAILED
        self.processing_progress = 0
        self.processing_error = str(reason)
        for field in self.PROCESSED_FIELDS:
            setattr(self, field, "")
        self.thumbnail_count = 0
        self.save(
            update_fields=[
                "processing_status",
                "processing_progress",
                "processing_error",
                *self.PROCESSED_FIELDS,
                "thumbnail_count",
                "updated_at",
            ]
        )

    # Publication: draft -> in review -> published (and back to draft to withdraw).

    @property
    def publication_blockers(self) -> list[str]:
        """Why this clip cannot be submitted or published yet; empty when it can.

        Rights and consent come before any learner sees a clip:
        - a licence is always recorded (what allows us to show it);
        - the curator says whether anyone is shown or heard (depicts_people). Nobody: no consent
          is needed (a landscape, a caption on a photo of a flood);
        - someone is: the curator says whether they are public figures. A private person anywhere
          in the clip needs consent_on_file, because a teaching app has no news value that would
          justify showing a private person (and deepfake rules, e.g. China's 2023 provisions, ask
          for the depicted person's consent);
        - public figures only: no consent is required, but the consent record (consent_notes)
          states the basis, e.g. "Public figure, newsworthy broadcast footage", unless consent is
          on file anyway.
        """
        blockers = []
        if self.processing_status != ProcessingStatus.READY:
            blockers.append(_("Processing has not finished."))
        if not self.title.strip():
            blockers.append(_("The clip needs a title."))
        if not self.licence.strip():
            blockers.append(_("Record the licence that allows us to show the clip."))
        blockers.extend(self.consent_blockers)
        return blockers

    @property
    def consent_blockers(self) -> list[str]:
        if self.depicts_people is None:
            return [_("Say whether anyone is shown or heard in the clip.")]
        if not self.depicts_people or self.consent_on_file:
            return []
        if self.depicts_public_figure is None:
            return [_("Say whether the people in the clip are public figures.")]
        if not self.depicts_public_figure:
            return [
                _(
                    "A private person is shown or heard: record their consent and tick "
                    "“consent on file”."
                )
            ]
        if not self.consent_notes.strip():
            return [
                _(
                    "A public figure needs no consent, but the consent record must say why "
                    "showing them is justified (e.g. “Public figure, newsworthy broadcast "
                    "footage”)."
                )
            ]
        return []

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
        """Delete the clip, its tells and everything stored for it: upload, media, quiz
        renditions, stills."""
        storage = self.media_file.storage
        files = [self.source_file, *(getattr(self, field) for field in self.PROCESSED_FIELDS)]
        names = [f.name for f in files if f]
        names += [tell.still.name for tell in self.tells.all() if tell.still]
        folder = f"clips/{self.uid.hex}"
        with transaction.atomic():
            self.delete()
            transaction.on_commit(lambda: delete_stored_files(storage, names, folder))
