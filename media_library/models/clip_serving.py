"""How a clip's files reach a page: opaque, versioned URLs for templates
(media_library/views/serving.py checks access before it sends a byte)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import translation
from modeltranslation.utils import build_localized_fieldname

from media_library.choices import MediaKind
from media_library.processing import stills


@dataclass(frozen=True)
class CaptionTrack:
    """One <track> of a player: a language's own WebVTT, named in that language."""

    language: str
    label: str
    url: str
    default: bool


class ClipServing:
    """Mixed into Clip: the served variants of its processed files and its captions."""

    # The quiz renditions are deliberately absent: a URL with the clip's uid would tie them to
    # the clip. The quiz serves them behind its own opaque URLs. source_file is absent too: the
    # raw upload is never served.
    SERVED_FIELDS = {"media": "media_file", "poster": "poster", "strip": "thumbnail_strip"}

    @staticmethod
    def serving_version(key: str) -> str:
        """A short opaque token for a stored file name (or captions text) in served URLs.

        The "?v=" part changes whenever the stored file does, so a versioned URL may be cached
        long.
        """
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def served_file(self, variant: str) -> FieldFile | None:
        """The stored file a variant serves; None for unknown variants and empty fields."""
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
    def poster_seconds(self) -> float:
        """The time of the frame the poster shows (0 for an image)."""
        if self.kind != MediaKind.VIDEO:
            return 0.0
        return stills.poster_seconds(self.duration_seconds)

    @property
    def strip_url(self) -> str:
        return self.file_url("strip")

    @property
    def captions_url(self) -> str:
        if not self.captions_vtt.strip():
            return ""
        url = reverse("media_library:clip-captions", args=[self.uid])
        return f"{url}?v={self.serving_version(self.captions_vtt)}"

    def captions_in(self, language: str) -> str:
        """The WebVTT written for `language`, never another's: a track labelled Español must
        not play the English captions ("" when there are none, or only blank lines)."""
        captions = getattr(self, build_localized_fieldname("captions_vtt", language), "") or ""
        return captions if captions.strip() else ""

    def captions_asked(self, language: str | None) -> str:
        """The WebVTT a captions address asks for: `language`'s only, or with no language (the
        address of older pages) the page's, falling back to English. "" when there are none or
        the language is not one of the site's: the route answers 404 either way."""
        if language is None:
            return self.captions_vtt if self.captions_vtt.strip() else ""
        if language not in dict(settings.LANGUAGES):
            return ""
        return self.captions_in(language)

    def caption_tracks(
        self, url_for: Callable[[str, str], str] | None = None
    ) -> list[CaptionTrack]:
        """A track per language with captions, in the site's order. The page's language is the
        default, else English, else the first: a reader gets captions they can read if any.
        `url_for(language, vtt)` makes a track's URL (the quiz serves them behind its own);
        by default the library's captions route."""
        url_for = url_for or self._library_captions_url
        written = [
            (code, name, vtt)
            for code, name in settings.LANGUAGES
            if (vtt := self.captions_in(code))
        ]
        codes = [code for code, _name, _vtt in written]
        active = translation.get_language()
        default = next(
            (code for code in (active, settings.LANGUAGE_CODE) if code in codes),
            codes[0] if codes else None,
        )
        return [
            CaptionTrack(code, name, url_for(code, vtt), code == default)
            for code, name, vtt in written
        ]

    def _library_captions_url(self, language: str, vtt: str) -> str:
        url = reverse("media_library:clip-captions-language", args=[self.uid, language])
        return f"{url}?v={self.serving_version(vtt)}"
