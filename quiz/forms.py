"""The answer form, shaped by the item it answers. Every field works without JavaScript."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from media_library.models import Technique, Verdict
from quiz.models import AttemptItem, GivenAnswer, ItemKind, Mode, SaidVerdict, Slot, SpotTarget

GRID_CELLS = [
    (0, _("Top left")),
    (1, _("Top centre")),
    (2, _("Top right")),
    (3, _("Middle left")),
    (4, _("Centre")),
    (5, _("Middle right")),
    (6, _("Bottom left")),
    (7, _("Bottom centre")),
    (8, _("Bottom right")),
]
DEFAULT_CONFIDENCE = 75


class AnswerForm(forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, entry: AttemptItem, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"key": uuid.uuid4(), "confidence": DEFAULT_CONFIDENCE})
        super().__init__(*args, **kwargs)
        self.entry = entry
        item = entry.item
        kind = item.item_kind
        if kind == ItemKind.VERDICT:
            # A feed asks what a scroller decides ("looks fake" or "looks real"), not which
            # kind of fake; both are judged by Item.judge.
            is_feed = entry.attempt.mode == Mode.FEED
            self.fields["verdict"] = forms.ChoiceField(
                label=_("Your verdict"),
                choices=SaidVerdict.feed_choices() if is_feed else Verdict.choices,
                widget=forms.RadioSelect,
            )
        elif kind == ItemKind.PAIR:
            self.fields["slot"] = forms.ChoiceField(
                label=_("The manipulated one is"), choices=Slot.choices, widget=forms.RadioSelect
            )
        elif kind == ItemKind.TECHNIQUE:
            self.fields["technique"] = forms.ChoiceField(
                label=_("Technique"), choices=Technique.choices, widget=forms.RadioSelect
            )
        else:
            target = SpotTarget(item.spot_target)
            if target.asks_region:
                # The nine regions are the keyboard and no-JavaScript way to point; a click on
                # the frame fills x and y and picks the region it falls in.
                self.fields["cell"] = forms.TypedChoiceField(
                    label=_("Where is the giveaway?"),
                    choices=GRID_CELLS,
                    coerce=int,
                    empty_value=None,
                    widget=forms.RadioSelect,
                    required=False,
                )
                self.fields["x"] = forms.FloatField(
                    min_value=0, max_value=1, required=False, widget=forms.HiddenInput
                )
                self.fields["y"] = forms.FloatField(
                    min_value=0, max_value=1, required=False, widget=forms.HiddenInput
                )
            if target.asks_time:
                duration = item.clip.duration_seconds or 0
                self.fields["seconds"] = forms.FloatField(
                    label=_("When is the giveaway? (seconds from the start)"),
                    min_value=0,
                    max_value=max(duration, 0),
                    widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
                )
        if kind.asks_confidence:
            self.fields["confidence"] = forms.IntegerField(
                label=_("How sure are you?"),
                min_value=50,
                max_value=100,
                widget=forms.NumberInput(attrs={"type": "range", "step": "5"}),
            )

    def clean(self) -> dict:
        data = super().clean()
        if "cell" in self.fields:
            has_point = data.get("x") is not None and data.get("y") is not None
            if data.get("cell") is None and not has_point:
                self.add_error("cell", _("Choose where on the frame the giveaway is."))
        return data

    def given(self) -> GivenAnswer:
        data = self.cleaned_data
        point = None
        if data.get("x") is not None and data.get("y") is not None:
            point = (data["x"], data["y"])
        return GivenAnswer(
            key=data["key"],
            verdict=data.get("verdict", ""),
            technique=data.get("technique", ""),
            slot=data.get("slot", ""),
            point=point,
            cell=data.get("cell"),
            seconds=data.get("seconds"),
            confidence=data.get("confidence"),
        )
