"""Parameter forms of the workshop's recipes: one small form per recipe, bound to its source.

The same forms check the curator's htmx form, the management command's options and the
parameters the demo pack passes to `Clip.make_shallowfake`, so every way in gets the same
messages. Each form knows its source clip, so a range is checked against the real duration.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from media_library.choices import MediaKind, ProcessingStatus, Verdict

if TYPE_CHECKING:
    from media_library.models import Clip

# Players report durations rounded to a frame: a range may end this much past the clip.
END_TOLERANCE_SECONDS = 0.05
# Shortest stretch worth changing and shortest clip worth keeping.
MIN_STRETCH_SECONDS = 0.2
MIN_RESULT_SECONDS = 0.5


@dataclass(frozen=True)
class SourceInfo:
    """What a recipe needs to know about its source: the processed file's probed facts."""

    duration: float
    width: int
    height: int
    frame_rate: float
    has_audio: bool

    @classmethod
    def of(cls, clip: Clip) -> SourceInfo:
        return cls(
            duration=float(clip.duration_seconds or 0),
            width=int(clip.width or 0),
            height=int(clip.height or 0),
            frame_rate=float(clip.frame_rate or 25),
            has_audio=bool(clip.has_audio),
        )

    @classmethod
    def of_file(cls, path: Path) -> SourceInfo:
        """The same facts probed from a file outside the library (the benches and tests render
        recipes on files), recognised and probed as processing does an upload. Raises
        MediaRejected with processing's reason."""
        from media_library.processing.probe import probe_video
        from media_library.processing.sniff import HEAD_BYTES, sniff

        with path.open("rb") as handle:
            demuxer = sniff(handle.read(HEAD_BYTES)).demuxer
        info = probe_video(path, demuxer)
        return cls(info.duration, info.width, info.height, info.frame_rate, info.has_audio)


def source_refusal(clip: Clip) -> str | None:
    """Why `clip` cannot be a workshop source; None when it can (a published real video that
    finished processing)."""
    if clip.kind != MediaKind.VIDEO:
        return _("Only videos can be edited in the workshop; this clip is an image.")
    if clip.verdict != Verdict.REAL:
        return _(
            "Only real clips can be edited in the workshop: editing a fake would make a fake "
            "of a fake."
        )
    if clip.processing_status != ProcessingStatus.READY or not clip.media_file:
        return _("The clip has not finished processing.")
    if not clip.is_published:
        return _("Only published clips can be edited in the workshop. Publish this clip first.")
    if not clip.duration_seconds:
        return _("The clip's duration is unknown.")
    return None


def seconds(value: float) -> str:
    return _("%(s)s s") % {"s": f"{value:.2f}".rstrip("0").rstrip(".")}


class RecipeForm(forms.Form):
    """A recipe's parameters for one source clip; `clean()` adds the source's own refusal."""

    def __init__(self, data=None, *, source: Clip, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.source = source
        self.info = SourceInfo.of(source)
        for field in self.fields.values():
            # A field rendered as a number keeps its bounds client side too.
            if isinstance(field, forms.FloatField) and "step" not in field.widget.attrs:
                field.widget.attrs["step"] = "0.01"

    def clean(self) -> dict:
        cleaned = super().clean()
        if (refusal := source_refusal(self.source)) is not None:
            raise forms.ValidationError(refusal, code="source")
        return cleaned

    def check_result_length(self, duration: float) -> None:
        limit = settings.MEDIA_MAX_DURATION_SECONDS
        if duration > limit:
            raise forms.ValidationError(
                _("The result would last %(got)s, longer than the %(max)s a clip may last.")
                % {"got": seconds(duration), "max": seconds(limit)},
                code="too_long",
            )
        if duration < MIN_RESULT_SECONDS:
            raise forms.ValidationError(
                _("The result would last only %(got)s; keep at least %(min)s.")
                % {"got": seconds(duration), "min": seconds(MIN_RESULT_SECONDS)},
                code="too_short",
            )


def factor_field(label, minimum: float, maximum: float, initial: float, help_text):
    # Formatted lazily: the message is translated when shown, in the curator's language.
    out_of_bounds = format_lazy(
        gettext_lazy("The factor must be between {lo} and {hi}."), lo=minimum, hi=maximum
    )
    return forms.FloatField(
        label=label,
        min_value=minimum,
        max_value=maximum,
        initial=initial,
        help_text=help_text,
        error_messages={"min_value": out_of_bounds, "max_value": out_of_bounds},
    )


class RangeMixin:
    """A start and an end in seconds that must lie inside the source clip, in order."""

    def clean_range(self, cleaned: dict) -> tuple[float, float] | None:
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            return None
        duration = self.info.duration
        if start < 0 or end > duration + END_TOLERANCE_SECONDS:
            self.add_error(
                "end" if end > duration else "start",
                _("The range %(start)s–%(end)s lies outside the clip, which lasts %(d)s.")
                % {"start": seconds(start), "end": seconds(end), "d": seconds(duration)},
            )
            return None
        if end - start < MIN_STRETCH_SECONDS:
            self.add_error(
                "end",
                _("The end must come at least %(min)s after the start.")
                % {"min": seconds(MIN_STRETCH_SECONDS)},
            )
            return None
        return start, min(end, duration)


def time_field(label) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        min_value=0,
        error_messages={"min_value": gettext_lazy("A time cannot be negative.")},
    )


class SlowSpeechForm(RecipeForm):
    factor = factor_field(
        gettext_lazy("Speed"),
        0.5,
        0.95,
        0.75,
        gettext_lazy("0.75 plays the clip at three quarters of its speed, voices at their pitch."),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if (factor := cleaned.get("factor")) is not None:
            self.check_result_length(self.info.duration / factor)
        return cleaned


class SpeedUpMomentForm(RangeMixin, RecipeForm):
    start = time_field(gettext_lazy("From (seconds)"))
    end = time_field(gettext_lazy("To (seconds)"))
    factor = factor_field(
        gettext_lazy("Speed of the stretch"),
        1.1,
        3.0,
        1.5,
        gettext_lazy("1.5 plays the stretch half again as fast; the rest stays as it was."),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        span = self.clean_range(cleaned)
        if span and (factor := cleaned.get("factor")):
            cleaned["start"], cleaned["end"] = span
            removed = (span[1] - span[0]) * (1 - 1 / factor)
            self.check_result_length(self.info.duration - removed)
        return cleaned


class SpliceForm(RangeMixin, RecipeForm):
    start = time_field(gettext_lazy("From (seconds)"))
    end = time_field(gettext_lazy("To (seconds)"))

    def clean(self) -> dict:
        cleaned = super().clean()
        if span := self.clean_range(cleaned):
            cleaned["start"], cleaned["end"] = span
            self.check_result_length(self.info.duration - (span[1] - span[0]))
        return cleaned


class SlowMotionForm(RecipeForm):
    factor = factor_field(
        gettext_lazy("Slow-down factor"),
        1.25,
        4.0,
        2.0,
        gettext_lazy(
            "2 makes the clip last twice as long; the missing frames are blended from "
            "their neighbours."
        ),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if (factor := cleaned.get("factor")) is not None:
            self.check_result_length(self.info.duration * factor)
        return cleaned


class AudioReplacement:
    SILENCE = "silence"
    TONE = "tone"
    CLIP = "clip"
    CHOICES = [
        (SILENCE, gettext_lazy("Silence")),
        (TONE, gettext_lazy("A steady tone (440 Hz)")),
        (CLIP, gettext_lazy("The sound of another published real clip")),
    ]


class AudioSwapForm(RecipeForm):
    replacement = forms.ChoiceField(
        label=gettext_lazy("Replace the sound with"), choices=AudioReplacement.CHOICES
    )
    audio_clip = forms.ModelChoiceField(
        label=gettext_lazy("Clip whose sound is used"),
        queryset=None,
        required=False,
        to_field_name="slug",
        help_text=gettext_lazy(
            "Published real videos with sound; its start is laid under this one."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The source's own class: the models import the workshop, not the other way round.
        self.fields["audio_clip"].queryset = (
            type(self.source)
            .objects.workshop_sources()
            .filter(has_audio=True)
            .exclude(pk=self.source.pk)
            .order_by("title")
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("replacement") == AudioReplacement.CLIP and not cleaned.get("audio_clip"):
            self.add_error("audio_clip", _("Choose the clip whose sound replaces this one's."))
        if cleaned.get("replacement") != AudioReplacement.CLIP:
            cleaned["audio_clip"] = None
        return cleaned


class MirrorForm(RecipeForm):
    pass


class CropForm(RecipeForm):
    """The box that is kept, as fractions of the frame (0.5 is the middle)."""

    x = forms.FloatField(label=gettext_lazy("Left"), min_value=0, max_value=1, initial=0.25)
    y = forms.FloatField(label=gettext_lazy("Top"), min_value=0, max_value=1, initial=0)
    width = forms.FloatField(label=gettext_lazy("Width"), min_value=0.2, max_value=1, initial=0.5)
    height = forms.FloatField(label=gettext_lazy("Height"), min_value=0.2, max_value=1, initial=1)

    def clean(self) -> dict:
        cleaned = super().clean()
        x, y, w, h = (cleaned.get(k) for k in ("x", "y", "width", "height"))
        if None in (x, y, w, h):
            return cleaned
        if x + w > 1.0001:
            self.add_error(
                "width", _("The box runs past the right edge: left + width must be at most 1.")
            )
        if y + h > 1.0001:
            self.add_error(
                "height", _("The box runs past the bottom edge: top + height must be at most 1.")
            )
        if w > 0.999 and h > 0.999:
            self.add_error(None, _("The box keeps the whole frame: that is no crop."))
        return cleaned


class FalseCaptionForm(RecipeForm):
    caption = forms.CharField(
        label=gettext_lazy("False caption"),
        min_length=3,
        max_length=90,
        help_text=gettext_lazy(
            "The claim burned into the picture, as a news channel would show it."
        ),
    )
    kicker = forms.CharField(
        label=gettext_lazy("Label"),
        max_length=20,
        initial="BREAKING NEWS",
        required=False,
        help_text=gettext_lazy("The small red label before the caption."),
    )

    def clean_caption(self) -> str:
        caption = " ".join(self.cleaned_data["caption"].split())
        if any(not ch.isprintable() for ch in caption):
            raise forms.ValidationError(_("The caption may not contain control characters."))
        if len(caption) < 3:
            raise forms.ValidationError(_("Write a caption of at least 3 characters."))
        return caption

    def clean_kicker(self) -> str:
        return " ".join(self.cleaned_data["kicker"].split()).upper()
