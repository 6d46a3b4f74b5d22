"""Recipes that change the context, not the footage: real footage under a false news caption,
the most common cheap fake of all.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from media_library.choices import Technique, TellCategory
from media_library.workshop import caption as lower_third
from media_library.workshop.forms import FalseCaptionForm, SourceInfo
from media_library.workshop.recipes.base import ExtraInput, PlannedTell, Recipe


class FalseCaption(Recipe):
    name = "false_caption"
    label = gettext_lazy("False caption")
    description = gettext_lazy(
        "The real footage is shown unchanged under a false news caption that says it shows "
        "something else — the most common cheap fake of all."
    )
    technique = Technique.OUT_OF_CONTEXT
    form_class = FalseCaptionForm

    def title_suffix(self, params):
        return _("with a false caption")

    def summary(self, params):
        return "out_of_context false caption"

    def extra_inputs(self, params, info):
        return [ExtraInput("caption")]

    def streams(self, inputs, params, info):
        video = inputs[0]["v:0"].overlay(inputs[1], x=0, y=0, eof_action="repeat")
        return video, self.source_audio(inputs, info)

    def render_caption(self, params: dict, info: SourceInfo, target: Path) -> None:
        lower_third.render_lower_third(
            params["caption"], params.get("kicker", ""), info.width, info.height, target
        )

    def tells(self, params, duration):
        return [
            PlannedTell(
                TellCategory.CONTEXT_CAPTION,
                0,
                duration,
                _(
                    "The footage is real, but the caption “%(caption)s” was added afterwards "
                    "and is false: the pictures do not show what it claims. Before trusting a "
                    "caption, find where and when the footage was first published."
                )
                % {"caption": params["caption"]},
                box=lower_third.TELL_BOX,
            )
        ]
