"""Which clips: the queries the library, the quiz and the workshop ask of clips, and a new clip
from an upload."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from modeltranslation.utils import build_localized_fieldname

from media_library.choices import MediaKind, ProcessingStatus, PublicationState, Verdict
from media_library.processing import pipeline

if TYPE_CHECKING:
    from media_library.models.clip import Clip

# What a curator translates, per model (media_library/translation.py).
CLIP_TEXTS = ("title", "transcript", "captions_vtt")
TELL_TEXTS = ("explanation",)


def untranslated(fields: tuple[str, ...], language: str, prefix: str = "") -> Q:
    """Rows with any of `fields` written in English but not in `language` (NULL or "")."""
    q = Q()
    for field in fields:
        english = prefix + build_localized_fieldname(field, settings.LANGUAGE_CODE)
        other = prefix + build_localized_fieldname(field, language)
        q |= Q(**{f"{english}__gt": ""}) & (Q(**{f"{other}__isnull": True}) | Q(**{other: ""}))
    return q


# A clip whose truth has been shown without an answer, or may be at any moment.
EXPOSED = Q(teaching_example=True) | Q(exposed_at__isnull=False)


class ClipQuerySet(models.QuerySet["Clip"]):
    def published(self) -> ClipQuerySet:
        return self.filter(publication_state=PublicationState.PUBLISHED)

    def teaching_examples(self) -> ClipQuerySet:
        """Published clips whose truth may be shown without an answer (lessons, the library)."""
        return self.published().filter(teaching_example=True)

    def unexposed(self) -> ClipQuerySet:
        """Clips whose truth nobody can have seen without answering: neither the clip nor any
        clip of its family (its original, the fakes made from it or from its original) is a
        teaching example. A fake is recognised as "that known real clip, altered" as surely as
        a copy is recognised as itself, so exposure covers the family."""
        exposed = self.model.objects.filter(EXPOSED)
        # NOT IN over a subquery that yields a NULL matches nothing, hence the non-null filter.
        exposed_originals = exposed.filter(original__isnull=False).values("original")
        return (
            self.exclude(EXPOSED)
            .exclude(original__in=exposed)
            .exclude(pk__in=exposed_originals)
            .exclude(original__in=exposed_originals)
        )

    def missing_translations(self, language: str | None = None) -> ClipQuerySet:
        """Clips with a title, transcript, captions or tell explanation written in English
        but not in `language` (any language but English when None): what is left to translate."""
        # The Tell model through the relation: importing it here would make an import cycle.
        tell_model = self.model._meta.get_field("tells").related_model
        languages = (
            [language]
            if language
            else [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        )
        q = Q()
        for code in languages:
            tells = tell_model.objects.filter(untranslated(TELL_TEXTS, code), clip=OuterRef("pk"))
            q |= untranslated(CLIP_TEXTS, code) | Q(Exists(tells))
        return self.filter(q)

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
        return pipeline.create_from_upload(self, upload, user, **fields)

    def recover_stalled_processing(self) -> dict[int, str]:
        """Recover every stalled processing job (Clip.recover_stalled_processing): what a
        worker does as it starts. Returns {clip id: "requeued" or "failed"}."""
        outcomes = {}
        for clip in self.filter(processing_status=ProcessingStatus.PROCESSING):
            if outcome := clip.recover_stalled_processing():
                outcomes[clip.pk] = outcome
        return outcomes
