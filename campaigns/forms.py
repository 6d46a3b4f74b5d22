"""The organizer's campaign form: the campaign itself, then its texts and partner links in each
of the site's languages, validated and saved together (`CampaignEditor`).

The logo is untrusted media: its first bytes must say PNG, JPEG or WebP, Pillow opens it under
the library's pixel cap with decompression-bomb warnings as errors, and what is stored is a
fresh PNG of its pixels (at most 512 px, no metadata) under a random name, never the upload.
"""

from __future__ import annotations

import io
import secrets

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from campaigns.models import Campaign, CampaignText, PartnerLink, language_name
from campaigns.models.campaign import normalised_origin
from media_library.choices import MediaKind
from media_library.processing import MediaRejected
from media_library.processing.images import guarded_open
from media_library.processing.sniff import HEAD_BYTES, sniff
from quiz.models import Quiz

LOGO_LONG_SIDE = 512
LOGO_MAX_BYTES = 5 * 1024 * 1024
PARTNER_LINK_ROWS = 3  # empty rows offered under a language's links
# The survey question's wording where we have it. English only for now: the next issue brings
# the other languages, and until then an organizer writes the question in theirs.
DEFAULT_SURVEY_QUESTION = {"en": "How sure are you that you could spot a fake video?"}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def clean_logo(upload) -> ContentFile:
    """The upload's pixels as a new PNG under a random name, or ValidationError saying why not.
    Nothing is written anywhere here: the caller stores the result once the whole form is
    valid."""
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is %(mb).1f MB; at most %(max)d MB is accepted.")
            % {"mb": upload.size / 1024 / 1024, "max": LOGO_MAX_BYTES // 1024 // 1024}
        )
    upload.seek(0)
    data = upload.read()
    try:
        sniffed = sniff(data[:HEAD_BYTES])
        if sniffed.kind != MediaKind.IMAGE:
            raise MediaRejected(_("This is a video; the logo must be a PNG, JPEG or WebP image."))
        # Everything that touches the pixels runs inside the guard, whose errors are our own
        # refusals: a damaged EXIF block or an odd pixel mode is a refused logo, not a 500.
        with guarded_open(io.BytesIO(data), sniffed.demuxer) as image:
            image.seek(0)  # an animated image: its first frame
            image.load()
            upright = ImageOps.exif_transpose(image)
            # A pixel-only copy: EXIF, ICC profiles, text chunks and anything appended stay
            # behind.
            has_alpha = "A" in upright.getbands() or "transparency" in upright.info
            pixels = upright.convert("RGBA" if has_alpha else "RGB")
            clean = Image.new(pixels.mode, pixels.size)
            clean.paste(pixels)
            clean.thumbnail((LOGO_LONG_SIDE, LOGO_LONG_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            clean.save(out, "PNG", optimize=True)
    except MediaRejected as error:
        raise ValidationError(
            _("The logo was not accepted: %(reason)s") % {"reason": error}
        ) from error
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(16)}.png")


class CampaignForm(forms.ModelForm):
    default_language = forms.ChoiceField(
        label=_("Default language"),
        choices=settings.LANGUAGES,
        help_text=_("What a visitor gets when their browser asks for none of the campaign's."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    embed_sites = forms.CharField(
        label=_("Sites allowed to embed the campaign"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off"}),
        help_text=_("One site a line, such as https://news.example.org."),
    )
    logo_upload = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=_("PNG, JPEG or WebP. It is shown at most 512 pixels wide."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Campaign
        fields = [
            "slug",
            "quiz",
            "starts_at",
            "ends_at",
            "accent_colour",
            "survey_enabled",
            "booster_enabled",
            "booster_size",
        ]
        labels = {
            "slug": _("Address"),
            "quiz": _("Quiz"),
            "starts_at": _("Opens at"),
            "ends_at": _("Closes at"),
            "accent_colour": _("Accent colour"),
            "survey_enabled": _("One-question survey"),
            "booster_enabled": _("Booster round"),
            "booster_size": _("Clips in the booster round"),
        }
        help_texts = {
            # Not the model's, whose "<slug>" a form's help text would take for a tag.
            "slug": _(
                "The campaign's address: /c/ followed by this. Lowercase letters, digits and "
                "hyphens."
            ),
        }
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "accent_colour": forms.TextInput(
                attrs={"pattern": "#[0-9a-fA-F]{6}", "spellcheck": "false", "size": 8}
            ),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quiz"].queryset = Quiz.objects.published().order_by("title")
        zone = timezone.get_current_timezone_name()
        for name in ("starts_at", "ends_at"):
            self.fields[name].help_text = _("In the %(zone)s time zone.") % {"zone": zone}
        self.fields["accent_colour"].help_text = _(
            "# and six hex digits. Links and buttons use it, so it must read well on white."
        )
        self.fields["booster_size"].widget.attrs.update(min=1, max=50)
        campaign = self.instance
        if campaign.pk:
            self.initial["default_language"] = campaign.default_language
            self.initial["languages"] = campaign.languages
            self.initial["embed_sites"] = "\n".join(campaign.embed_origins)
            # Once people have taken part, their answers are to this quiz's items (another quiz
            # would mix two quizzes' figures in one dashboard), and the address is in their
            # bookmarks (the booster's) and in the links they shared.
            if campaign.participations.exists():
                self.fields["quiz"].disabled = True
                self.fields["quiz"].help_text = _(
                    "People have taken part, so the quiz can no longer change."
                )
                self.fields["slug"].disabled = True
                self.fields["slug"].help_text = _(
                    "People have taken part and may have bookmarked or shared it, so the "
                    "address can no longer change."
                )
        else:
            self.initial.setdefault("default_language", settings.LANGUAGE_CODE)
            self.initial.setdefault("languages", [settings.LANGUAGE_CODE])
        self.logo_file: ContentFile | None = None
        self.chosen_languages: set[str] = set()

    def clean_embed_sites(self) -> list[str]:
        origins, errors = [], []
        for line in self.cleaned_data["embed_sites"].splitlines():
            if not line.strip():
                continue
            try:
                origin = normalised_origin(line)
            except ValidationError as error:
                errors.extend(error.messages)
                continue
            if origin not in origins:
                origins.append(origin)
        if errors:
            raise ValidationError(errors)
        return origins

    def clean_booster_size(self) -> int:
        size = self.cleaned_data["booster_size"]
        if not 1 <= size <= 50:
            raise ValidationError(_("A booster round has 1 to 50 clips."))
        return size

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if upload:
            self.logo_file = clean_logo(upload)
        return upload

    def clean(self) -> dict:
        data = super().clean()
        chosen = data.get("languages") or []
        self.chosen_languages = set(chosen)
        default = data.get("default_language")
        if chosen and default not in chosen:
            self.add_error(
                "default_language", _("The default language must be one of those chosen.")
            )
            default = None
        # The default first, the others in the site's order: Campaign.languages' meaning.
        ordered = [default] if default else []
        ordered += [code for code, _name in settings.LANGUAGES if code in chosen]
        self.instance.languages = list(dict.fromkeys(ordered))
        if "embed_sites" in data:
            self.instance.embed_origins = data["embed_sites"]
        return data

    def save(self, commit: bool = True) -> Campaign:
        campaign = super().save(commit=False)
        replaced = campaign.logo.name
        if self.logo_file is not None:
            campaign.logo.save(self.logo_file.name, self.logo_file, save=False)
        elif self.cleaned_data.get("remove_logo"):
            campaign.logo = ""
        if replaced and replaced != campaign.logo.name:
            # The old file goes once the new name is committed, never before: a failed save
            # must not leave the campaign pointing at nothing.
            storage = campaign.logo.storage
            transaction.on_commit(lambda: storage.delete(replaced))
        if commit:
            campaign.save()
        return campaign


class CampaignTextForm(forms.ModelForm):
    class Meta:
        model = CampaignText
        fields = ["title", "intro", "survey_question"]
        labels = {
            "title": _("Title"),
            "intro": _("Introduction"),
            "survey_question": _("Survey question"),
        }
        widgets = {"intro": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, language: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        self.language_name = language_name(language)
        for field in self.fields.values():
            field.required = False  # required only for the languages chosen (CampaignEditor)
            # The texts are in this language, whatever the page's: say so to browsers and
            # screen readers (spelling, pronunciation).
            field.widget.attrs["lang"] = language
        if not self.instance.pk and language in DEFAULT_SURVEY_QUESTION:
            self.initial["survey_question"] = DEFAULT_SURVEY_QUESTION[language]


class PartnerLinkForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=120, required=False)
    url = forms.URLField(
        label=_("Address"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        label, url = data.get("label"), data.get("url")
        if url and not url.lower().startswith("https://"):
            self.add_error("url", _("A partner link must start with https://."))
        if url and not label:
            self.add_error("label", _("Give the link a label people can read."))
        if label and not url and "url" not in self.errors:
            self.add_error("url", _("Give the link's address."))
        return data

    @property
    def is_blank(self) -> bool:
        return not (self.cleaned_data.get("label") or self.cleaned_data.get("url"))


PartnerLinkFormSet = forms.formset_factory(PartnerLinkForm, extra=PARTNER_LINK_ROWS, max_num=20)


class LanguageSection:
    """One language's part of the page: its texts and its partner links."""

    def __init__(
        self,
        campaign: Campaign,
        language: str,
        data=None,
        text: CampaignText | None = None,
        links: list[PartnerLink] = (),
    ) -> None:
        self.language = language
        self.name = language_name(language)
        slot = language.replace("-", "_")
        self.text = CampaignTextForm(
            data,
            instance=text or CampaignText(campaign=campaign, language=language),
            language=language,
            prefix=f"text-{slot}",
        )
        initial = [{"label": link.label, "url": link.url} for link in links]
        self.links = PartnerLinkFormSet(data, initial=initial, prefix=f"links-{slot}")

    def is_valid(self, chosen: bool, survey: bool) -> bool:
        text_ok = self.text.is_valid()
        links_ok = self.links.is_valid()
        if chosen and text_ok:
            data = self.text.cleaned_data
            if not data.get("title"):
                self.text.add_error("title", _("Give the title in %(lang)s.") % {"lang": self.name})
            if not data.get("intro"):
                self.text.add_error(
                    "intro", _("Give the introduction in %(lang)s.") % {"lang": self.name}
                )
            if survey and not data.get("survey_question"):
                self.text.add_error(
                    "survey_question",
                    _("The survey is on: give its question in %(lang)s.") % {"lang": self.name},
                )
            text_ok = not self.text.errors
        return text_ok and links_ok

    @property
    def has_errors(self) -> bool:
        return bool(self.text.errors or any(self.links.errors) or self.links.non_form_errors())

    def save(self, campaign: Campaign) -> None:
        data = self.text.cleaned_data
        if any(data.get(name) for name in ("title", "intro")):
            text = self.text.save(commit=False)
            text.campaign = campaign
            text.save()
        # Links are the organizer's pointers, not anyone's records: the list as typed replaces
        # the stored one.
        campaign.partner_links.filter(language=self.language).delete()
        PartnerLink.objects.bulk_create(
            PartnerLink(
                campaign=campaign,
                language=self.language,
                label=form.cleaned_data["label"],
                url=form.cleaned_data["url"],
                position=position,
            )
            for position, form in enumerate(
                (form for form in self.links if not form.is_blank), start=1
            )
        )


class CampaignEditor:
    """The whole page: the campaign form and a section per site language. Sections for
    languages not chosen are kept as typed but not required, so unticking a language by
    mistake loses nothing."""

    def __init__(self, campaign: Campaign, data=None, files=None) -> None:
        self.campaign = campaign
        self.form = CampaignForm(data, files, instance=campaign)
        texts, links = {}, {}
        if campaign.pk:
            texts = {text.language: text for text in campaign.texts.all()}
            for link in campaign.partner_links.all():
                links.setdefault(link.language, []).append(link)
        self.sections = [
            LanguageSection(campaign, code, data, texts.get(code), links.get(code, []))
            for code, _name in settings.LANGUAGES
        ]

    def is_valid(self) -> bool:
        form_ok = self.form.is_valid()
        # As ticked, even when the campaign as a whole has errors: each chosen language's
        # texts are checked in the same round, so every mistake shows at once.
        chosen = self.form.chosen_languages
        survey = bool(self.form.cleaned_data.get("survey_enabled"))
        sections_ok = [
            section.is_valid(section.language in chosen, survey) for section in self.sections
        ]
        return form_ok and all(sections_ok)

    @property
    def has_errors(self) -> bool:
        return bool(self.form.errors) or any(section.has_errors for section in self.sections)

    @transaction.atomic
    def save(self) -> Campaign:
        campaign = self.form.save()
        for section in self.sections:
            section.save(campaign)
        return campaign
