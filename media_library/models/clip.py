"""The clip: a video or image, what it is (the answer a learner is judged against), its record
of source, rights and consent, and its files.

The model is split by feature: the queries (clip_queryset.py), processing state and steps
(clip_processing.py), publication and rights rules (clip_publication.py) and the served files
(clip_serving.py) are mixed into `Clip` here, where its fields and constraints live.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from languages.fallbacks import falls_back
from media_library import answer_records, workshop
from media_library.choices import (
    MediaKind,
    ProcessingStatus,
    ProvenanceStatus,
    PublicationState,
    Technique,
    Verdict,
)
from media_library.models.clip_processing import ClipProcessing
from media_library.models.clip_publication import ClipPublication
from media_library.models.clip_queryset import CLIP_TEXTS, TELL_TEXTS, ClipQuerySet
from media_library.models.clip_serving import ClipServing
from media_library.slugs import SlugFromTitle
from media_library.stored_files import delete_stored_files


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


# Each language's column of the texts that erasing clears (media_library/translation.py).
TRANSLATED_COLUMNS = [
    build_localized_fieldname(field, code)
    for field in ("title", "transcript", "captions_vtt")
    for code, _name in settings.LANGUAGES
]
# What erase_for_withdrawn_consent writes, by name: a worker may be writing other fields of the
# same row (its analysis, a late progress update), and a whole-row save would undo them.
ERASED_FIELDS = [
    "title",
    "slug",
    "source_file",
    "media_file",
    "poster",
    "thumbnail_strip",
    "quiz_media",
    "quiz_poster",
    "feed_media",
    "thumbnail_count",
    "source_url",
    "attribution",
    "original_filename",
    "transcript",
    "captions_vtt",
    "provenance_summary",
    "consent_notes",
    "publication_state",
    "published_at",
    "processing_status",
    "processing_error",
    "consent_withdrawn_at",
    "updated_by",
    "updated_at",
]


class Clip(SlugFromTitle, ClipServing, ClipPublication, ClipProcessing, models.Model):
    SLUG_FALLBACK = "clip"

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

    # Whether the clip's truth may be shown without an answer (quiz.docs: "exposed clips"). A
    # teaching example appears with its verdict in lessons and its library files are public;
    # assessments, pre/post tests and campaigns never deal it, nor any clip of its family.
    teaching_example = models.BooleanField(
        _("teaching example"),
        default=False,
        help_text=_(
            "Shown with its truth in lessons and the public library. Tests never use it, nor "
            "any clip made from the same original. Once published as an example, a clip stays "
            "one: its truth is out."
        ),
    )
    # When a teaching example was first published: from then on its truth is public for good,
    # so the flag can no longer be taken back.
    exposed_at = models.DateTimeField(_("truth shown since"), null=True, blank=True)

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
    # Set when the person shown withdrew consent and the media was erased (see
    # erase_for_withdrawn_consent): the clip can never be shown again.
    consent_withdrawn_at = models.DateTimeField(
        _("consent withdrawn"), null=True, blank=True, editable=False
    )
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
    # The lease of the run that claimed the clip: the worker writes the heartbeat as it works
    # and names itself in the holder (processing/liveness.py), so a dead worker's job can be
    # told from a slow one (ClipProcessing.is_processing_stalled).
    processing_heartbeat_at = models.DateTimeField(null=True, blank=True)
    processing_holder = models.CharField(max_length=64, blank=True)

    publication_state = models.CharField(
        max_length=20, choices=PublicationState, default=PublicationState.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # Who sent the clip to review: someone else must publish it (clip_publication.py).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clips_submitted",
    )

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

    def get_absolute_url(self) -> str:
        return reverse("media_library:clip-detail", args=[self.slug])

    @property
    def untranslated_languages(self) -> list[str]:
        """The names of the languages that some of its texts or its tells' still lack (the
        curator's list; prefetch `tells` for many clips)."""
        tells = list(self.tells.all())
        return [
            str(name)
            for code, name in settings.LANGUAGES
            if code != settings.LANGUAGE_CODE
            and (
                falls_back(self, *CLIP_TEXTS, language=code)
                or any(falls_back(tell, *TELL_TEXTS, language=code) for tell in tells)
            )
        ]

    @property
    def is_manipulated(self) -> bool:
        return Verdict(self.verdict).is_manipulated

    @property
    def is_generated(self) -> bool:
        """Telltale made this clip itself (workshop, demo pack); its file is marked so."""
        return self.recipe is not None

    # The shallowfake workshop (media_library/workshop checks the request and renders).

    def make_shallowfake(self, recipe_name: str, params: dict, user, **fields) -> Clip:
        """A new PENDING shallowfake of this published real video, rendered by a task queued
        on commit. Raises ValidationError (by parameter) when the recipe, the parameters or
        this clip do not allow it; nothing is stored then. `fields` override the derived clip's
        defaults (e.g. is_demo=True, a title). See workshop.RECIPES."""
        values = workshop.derived_clip_fields(self, recipe_name, params, user) | fields
        with transaction.atomic():
            clip = Clip.objects.create(**values)
            clip.enqueue_rendering()
        return clip

    # Deleting: rows first, then the files, and the files only once the delete has committed
    # (a rolled-back delete must not leave a clip whose media is gone).

    @property
    def consent_withdrawn(self) -> bool:
        return self.consent_withdrawn_at is not None

    def answer_records(self) -> answer_records.AnswerRecords:
        """The learners' records that hold this clip (counted by the quiz engine, see
        media_library/answer_records.py): with any, it cannot be deleted."""
        return answer_records.records_of(self)

    def erase_for_withdrawn_consent(self, user) -> list[Clip]:
        """The person shown withdrew their consent: erase the clip's media and keep its row.

        Every stored file goes (upload, media, renditions, poster, strip, tell stills), and so
        does what could name or show the person: title and slug, source, attribution, file
        name, transcript, captions and Content Credentials. What a learner was judged against
        stays (kind, verdict, technique, the tells' categories and times), so every answer to
        it stays counted in results, gradebooks and learning gains. The clip is withdrawn and
        can never be published or processed again. Clips made from it (workshop edits, fakes
        of it) show the same person and are erased with it; returns every clip erased.
        """
        storage = self.media_file.storage
        with transaction.atomic():
            erased = [self, *self.made_from_it()]
            for clip in erased:
                names, folder = clip._erase(user), f"clips/{clip.uid.hex}"
                # Once committed: a rolled-back erase must not leave a clip without its media.
                transaction.on_commit(
                    lambda names=names, folder=folder: delete_stored_files(storage, names, folder)
                )
        return erased

    def made_from_it(self) -> list[Clip]:
        """Clips whose original is this one, and theirs in turn."""
        found, frontier = [], [self.pk]
        while frontier:
            children = list(Clip.objects.filter(original_id__in=frontier).exclude(pk=self.pk))
            children = [clip for clip in children if clip not in found]
            found += children
            frontier = [clip.pk for clip in children]
        return found

    def _erase(self, user) -> list[str]:
        files = [self.source_file, *(getattr(self, field) for field in self.PROCESSED_FIELDS)]
        names = [f.name for f in files if f]
        for tell in self.tells.all():
            if tell.still:
                names.append(tell.still.name)
                tell.still = ""
                tell.save(update_fields=["still"])
        now = timezone.now()
        # Every language's title, transcript and captions: a translation names the person too.
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                removed = gettext("Removed clip (consent withdrawn)")
            setattr(self, build_localized_fieldname("title", code), removed)
            setattr(self, build_localized_fieldname("transcript", code), "")
            setattr(self, build_localized_fieldname("captions_vtt", code), "")
        self.slug = Clip.unique_slug(f"removed-{self.uid.hex[:12]}")
        for field in ("source_file", *self.PROCESSED_FIELDS):
            setattr(self, field, "")
        for field in ("source_url", "attribution", "original_filename"):
            setattr(self, field, "")
        self.provenance_summary = {}
        self.thumbnail_count = 0
        self.consent_notes = "\n\n".join(
            part
            for part in (
                self.consent_notes.strip(),
                gettext("Consent withdrawn on %(date)s: media erased.")
                % {"date": f"{now:%Y-%m-%d}"},
            )
            if part
        )
        self.publication_state = PublicationState.DRAFT
        self.published_at = None
        self.processing_status = ProcessingStatus.FAILED
        self.processing_error = gettext("The media was erased when consent was withdrawn.")
        self.consent_withdrawn_at = now
        self.updated_by = user
        self.save(update_fields=[*ERASED_FIELDS, *TRANSLATED_COLUMNS])
        return names

    def delete_with_files(self) -> None:
        """Delete the clip, its tells, its unanswered quiz items and everything stored for it:
        upload, media, quiz renditions, stills. Raises ProtectedError, deleting nothing, when
        learners have answered it or been dealt it (`answer_records`)."""
        storage = self.media_file.storage
        files = [self.source_file, *(getattr(self, field) for field in self.PROCESSED_FIELDS)]
        names = [f.name for f in files if f]
        names += [tell.still.name for tell in self.tells.all() if tell.still]
        folder = f"clips/{self.uid.hex}"
        with transaction.atomic():
            self.delete()
            transaction.on_commit(lambda: delete_stored_files(storage, names, folder))
