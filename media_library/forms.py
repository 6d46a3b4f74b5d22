"""Forms of the media library: the upload form first, then the curator's edit and tell forms."""

from __future__ import annotations

import copy
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from media_library.models import (
    Clip,
    ProcessingStatus,
    PublicationState,
    Technique,
    Tell,
    Verdict,
)
from media_library.processing import MediaRejected
from media_library.processing.ingest import check_upload

ENGLISH = settings.LANGUAGE_CODE
# The languages a text may be translated into, beside English.
OTHER_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != ENGLISH]


def translated_names(*fields: str) -> list[str]:
    """Each field, then its columns in the other languages: title, title_es, title_zh_hans."""
    return [
        name
        for field in fields
        for name in (field, *(build_localized_fieldname(field, code) for code in OTHER_LANGUAGES))
    ]


def in_language(label, code: str) -> str:
    """A field's label naming the language it is written in: "Title (Spanish)"."""
    # Django's catalogues name every language in the reader's own.
    language = translation.get_language_info(code)["name_translated"]
    return gettext("%(field)s (%(language)s)") % {"field": label, "language": language}


def clean_webvtt(text: str | None) -> str:
    captions = (text or "").replace("\r\n", "\n").strip()
    # Editors add a byte order mark now and then; browsers accept it, so do we.
    if captions and not captions.lstrip("\ufeff").startswith("WEBVTT"):
        raise forms.ValidationError(
            _("Captions must be WebVTT: the text has to start with the line “WEBVTT”.")
        )
    return captions


class TranslatedFieldsMixin:
    """A model form whose translated fields come in every language. The plain name (`title`)
    is the English text, whatever language the curator reads the page in; `title_es` and
    `title_zh_hans` are the translations, optional: learners see the English with a note
    until they are written (languages/fallbacks.py)."""

    TRANSLATED: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.TRANSLATED:
            # The plain name reads the page's language; this field edits the English.
            self.initial[field] = getattr(self.instance, build_localized_fieldname(field, ENGLISH))
            english = self.fields[field]
            label = english.label
            english.label = in_language(label, ENGLISH)
            english.widget.attrs["lang"] = ENGLISH
            for code in OTHER_LANGUAGES:
                name = build_localized_fieldname(field, code)
                localized = self.fields[name]
                localized.required = False
                localized.label = in_language(label, code)
                localized.help_text = english.help_text
                localized.widget = copy.deepcopy(english.widget)
                localized.widget.is_required = False
                localized.widget.attrs["lang"] = code

    @property
    def translated(self) -> dict[str, list[forms.BoundField]]:
        """Per translated field, its bound fields in the site's language order (templates)."""
        return {
            field: [self[name] for name in translated_names(field)] for field in self.TRANSLATED
        }

    def _post_clean(self) -> None:
        # The plain names are written through modeltranslation's descriptor, which writes the
        # active language's column: make it English's.
        with translation.override(ENGLISH):
            super()._post_clean()

    def saved_fields(self) -> list[str]:
        """The columns the form writes. The plain names stand for the English column: saved
        by their own name, modeltranslation would also write the page's language's column
        with the text it reads there, the English fallback when no translation is written."""
        return [
            build_localized_fieldname(name, ENGLISH) if name in self.TRANSLATED else name
            for name in self._meta.fields
        ]


class RealHasNoTechniqueMixin:
    """The model's check constraint, as an error on the technique field where curators look."""

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("verdict") == Verdict.REAL and cleaned.get("technique") not in (
            None,
            Technique.NONE,
        ):
            self.add_error(
                "technique",
                _("A real clip has no manipulation technique: choose “None” or another verdict."),
            )
        return cleaned


class ClipUploadForm(RealHasNoTechniqueMixin, forms.Form):
    """A new clip: the file and what it is. Checks here need no stored copy of the file."""

    file = forms.FileField(
        label=_("Video or image file"),
        help_text=_("MP4, MOV, WebM, MKV or AVI video; JPEG, PNG or WebP image."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": "video/mp4,video/quicktime,video/webm,video/x-matroska,"
                "video/x-msvideo,image/jpeg,image/png,image/webp"
            }
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices)
    technique = forms.ChoiceField(
        label=_("Technique"), choices=Technique.choices, initial=Technique.NONE
    )
    original = forms.ModelChoiceField(
        label=_("Original clip"),
        queryset=Clip.objects.only("title").order_by("title"),
        required=False,
        help_text=_("For a fake made from a clip already in the library."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The translations are written on the clip's page once it is uploaded.
        title = self.fields["title"]
        title.label = in_language(title.label, ENGLISH)
        title.widget.attrs["lang"] = ENGLISH

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload)
        except MediaRejected as error:
            raise forms.ValidationError(error.message, code="rejected") from error
        return upload

    def save(self, user) -> Clip:
        """Create the clip; ValidationErrors from storing (e.g. a duplicate) land on `file`."""
        data = self.cleaned_data
        # The title typed at upload is the English one (the clip page takes the translations):
        # written as `title` under another language, it would land in that language's column.
        with translation.override(ENGLISH):
            return self._create(user, data)

    def _create(self, user, data: dict) -> Clip:
        return Clip.objects.create_from_upload(
            data["file"],
            user,
            title=data["title"],
            verdict=data["verdict"],
            technique=data["technique"],
            original=data["original"],
        )


class ClipFilterForm(forms.Form):
    """The clip list's filters; unknown values are ignored rather than failing the page."""

    state = forms.ChoiceField(
        label=_("Publication"),
        required=False,
        choices=[("", _("Any publication state")), *PublicationState.choices],
    )
    status = forms.ChoiceField(
        label=_("Processing"),
        required=False,
        choices=[("", _("Any processing status")), *ProcessingStatus.choices],
    )
    # "missing": a translation missing in any language; a language code: missing in that one.
    translation = forms.ChoiceField(label=_("Translations"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["translation"].choices = [
            ("", _("Translated or not")),
            ("missing", _("Missing a translation")),
            *(
                (code, _("Missing in %(language)s") % {"language": name})
                for code, name in settings.LANGUAGES
                if code != ENGLISH
            ),
        ]

    def filter(self, clips):
        if not self.is_valid():
            return clips
        if state := self.cleaned_data["state"]:
            clips = clips.filter(publication_state=state)
        if status := self.cleaned_data["status"]:
            clips = clips.filter(processing_status=status)
        if missing := self.cleaned_data["translation"]:
            clips = clips.missing_translations(None if missing == "missing" else missing)
        return clips

    @property
    def is_filtering(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())

    @property
    def query(self) -> str:
        """The filters as the pager's links repeat them; "" when nothing is filtered."""
        if not self.is_filtering:
            return ""
        return urlencode(
            {name: self.cleaned_data[name] for name in ("state", "status", "translation")}
        )


class ClipEditForm(TranslatedFieldsMixin, RealHasNoTechniqueMixin, forms.ModelForm):
    TRANSLATED = ("title", "transcript", "captions_vtt")

    class Meta:
        model = Clip
        fields = [
            *translated_names("title"),
            "verdict",
            "technique",
            "original",
            "teaching_example",
            *[
                name
                for field in Clip.RECORD_FIELDS
                for name in (
                    translated_names(field) if field in ("transcript", "captions_vtt") else [field]
                )
            ],
        ]
        # Publication needs these answered (Clip.publication_blockers); the words say what counts.
        labels = {
            "licence": _("Licence"),
            "depicts_people": _("Is anyone shown or heard?"),
            "depicts_public_figure": _("Are they all public figures?"),
            "consent_notes": _("Consent record"),
        }
        help_texts = {
            "captions_vtt": _("Paste a WebVTT file; it must start with the line WEBVTT."),
            "licence": _(
                "What allows us to show the clip, e.g. “CC BY 4.0” or the terms of its dataset."
            ),
            "depicts_people": _(
                "Any face, body or voice, recognisable or not. “No” needs no consent."
            ),
            "depicts_public_figure": _(
                "“Yes” only if everyone recognisable is a public figure. A private person "
                "anywhere in the clip needs their consent on file."
            ),
            "consent_notes": _(
                "Where the consent is kept, or for public figures why showing them is justified "
                "(e.g. “Public figure, newsworthy broadcast footage”)."
            ),
        }
        widgets = {
            "depicts_people": forms.NullBooleanSelect(),
            "depicts_public_figure": forms.NullBooleanSelect(),
            "consent_notes": forms.Textarea(attrs={"rows": 3}),
            "content_notes": forms.Textarea(attrs={"rows": 3}),
            "transcript": forms.Textarea(attrs={"rows": 4}),
            "captions_vtt": forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A clip cannot be its own original.
        self.fields["original"].queryset = Clip.objects.exclude(pk=self.instance.pk).order_by(
            "title"
        )
        if self.instance.exposed_at:
            # Its truth has been public since then: nothing can make it a secret again.
            field = self.fields["teaching_example"]
            field.disabled = True
            field.help_text = _(
                "Shown with its truth since %(date)s, so it stays a teaching example: tests "
                "never use it."
            ) % {"date": date_format(timezone.localtime(self.instance.exposed_at))}
        # "Unknown" would read as an answer; it means the curator has not decided yet.
        for name in ("depicts_people", "depicts_public_figure"):
            self.fields[name].widget.choices = [
                ("unknown", _("Not decided yet")),
                ("true", _("Yes")),
                ("false", _("No")),
            ]

    def save(self, user) -> Clip:
        """Store the edited fields, and only those: the processing worker may have written the
        clip's status, files and probed facts since the form was loaded, and a whole-row save
        would put the old values back."""
        clip = super().save(commit=False)
        clip.updated_by = user
        clip.save(update_fields=[*self.saved_fields(), "updated_by", "updated_at"])
        clip.note_exposure()
        return clip

    # Each language's captions are checked as the English ones are.
    def clean_captions_vtt(self) -> str:
        return clean_webvtt(self.cleaned_data["captions_vtt"])

    def clean_captions_vtt_es(self) -> str:
        return clean_webvtt(self.cleaned_data["captions_vtt_es"])

    def clean_captions_vtt_zh_hans(self) -> str:
        return clean_webvtt(self.cleaned_data["captions_vtt_zh_hans"])

    def clean(self) -> dict:
        cleaned = super().clean()
        # An empty translation is stored as "" (not NULL), like every empty text of a clip.
        for name in translated_names(*self.TRANSLATED):
            if name in cleaned and cleaned[name] is None:
                cleaned[name] = ""
        return cleaned


class TellForm(TranslatedFieldsMixin, forms.ModelForm):
    """A tell on one clip. The box is optional, but all four numbers come together. The
    explanation is written in English and, optionally, in the other languages."""

    TRANSLATED = ("explanation",)

    # The slack allowed past the end of the clip: players report durations rounded to a frame.
    END_TOLERANCE_SECONDS = 0.05
    BOX_FIELDS = ("box_x", "box_y", "box_w", "box_h")

    class Meta:
        model = Tell
        fields = [
            "category",
            "start_seconds",
            "end_seconds",
            "box_x",
            "box_y",
            "box_w",
            "box_h",
            *translated_names("explanation"),
        ]
        labels = {
            "box_x": _("Left"),
            "box_y": _("Top"),
            "box_w": _("Width"),
            "box_h": _("Height"),
        }
        widgets = {
            "start_seconds": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "end_seconds": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "box_x": forms.NumberInput(attrs={"step": "any", "min": "0", "max": "1"}),
            "box_y": forms.NumberInput(attrs={"step": "any", "min": "0", "max": "1"}),
            "box_w": forms.NumberInput(attrs={"step": "any", "min": "0", "max": "1"}),
            "box_h": forms.NumberInput(attrs={"step": "any", "min": "0", "max": "1"}),
            "explanation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, clip: Clip, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.clip = clip
        self.instance.clip = clip
        duration = clip.duration_seconds
        if duration:
            for name in ("start_seconds", "end_seconds"):
                self.fields[name].widget.attrs["max"] = f"{duration:.2f}"

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start_seconds"), cleaned.get("end_seconds")
        if start is not None and start < 0:
            self.add_error("start_seconds", _("The start cannot be before the beginning."))
        elif start is not None and end is not None and end < start:
            self.add_error("end_seconds", _("The end must not come before the start."))
        duration = self.clip.duration_seconds
        if duration and end is not None and end > duration + self.END_TOLERANCE_SECONDS:
            self.add_error(
                "end_seconds",
                _("The clip is only %(duration).1f s long: the tell must end by then.")
                % {"duration": duration},
            )
        elif duration and start is not None and start > duration:
            self.add_error(
                "start_seconds",
                _("The clip is only %(duration).1f s long: the tell must start before then.")
                % {"duration": duration},
            )
        self._clean_box(cleaned)
        return cleaned

    def _clean_box(self, cleaned: dict) -> None:
        if any(self.has_error(name) for name in self.BOX_FIELDS):
            return
        values = [cleaned.get(name) for name in self.BOX_FIELDS]
        if all(value is None for value in values):
            return
        if any(value is None for value in values):
            raise forms.ValidationError(
                _(
                    "Give all four box numbers (left, top, width, height) or none: "
                    "draw the box again or clear it."
                )
            )
        x, y, w, h = values
        if w <= 0 or h <= 0:
            raise forms.ValidationError(_("The box needs a width and a height above zero."))
        # A hair of slack: the browser's arithmetic on pixels does not always sum to exactly 1.
        if x < 0 or y < 0 or x + w > 1.0001 or y + h > 1.0001:
            raise forms.ValidationError(
                _(
                    "The box must lie inside the frame: left and top from 0 to 1, "
                    "and left + width and top + height at most 1."
                )
            )
        cleaned["box_w"] = min(w, 1 - x)
        cleaned["box_h"] = min(h, 1 - y)


class EraseForm(forms.Form):
    """The curator confirms that the person shown withdrew consent (the erase cannot be undone)."""

    confirm = forms.BooleanField(
        label=_("The person shown has withdrawn their consent. Erase the media for good."),
        error_messages={"required": _("Tick the box to confirm that consent was withdrawn.")},
    )
