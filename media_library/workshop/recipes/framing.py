"""Recipes that change what the frame shows: a mirror and a crop."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from media_library.choices import Technique, TellCategory
from media_library.workshop.forms import CropForm, MirrorForm, SourceInfo
from media_library.workshop.recipes.base import PlannedTell, Recipe, graph_number, percent


class Mirror(Recipe):
    name = "mirror"
    label = gettext_lazy("Mirror")
    description = gettext_lazy(
        "The picture is flipped left to right: a person turns the other way, a march heads "
        "the other direction, writing reads backwards."
    )
    technique = Technique.SPLICE
    form_class = MirrorForm

    def title_suffix(self, params):
        return _("mirrored")

    def summary(self, params):
        return "mirror hflip"

    def streams(self, inputs, params, info):
        return inputs[0]["v:0"].hflip(), self.source_audio(inputs, info)

    def tells(self, params, duration):
        return [
            PlannedTell(
                TellCategory.BACKGROUND,
                0,
                duration,
                _(
                    "The picture is mirrored left to right. Writing and numbers read "
                    "backwards, a parting, watch or wedding ring sits on the wrong side, and "
                    "every direction in the scene is reversed."
                ),
            )
        ]


class Crop(Recipe):
    name = "crop"
    label = gettext_lazy("Crop")
    description = gettext_lazy(
        "Only part of the frame is kept, so what stood beside it — a crowd, a second person, "
        "the cause of a reaction — disappears."
    )
    technique = Technique.CROP
    form_class = CropForm

    def title_suffix(self, params):
        return _("cropped")

    def summary(self, params):
        return "crop x={x} y={y} w={width} h={height}".format(
            **{k: graph_number(params[k]) for k in ("x", "y", "width", "height")}
        )

    @staticmethod
    def pixel_box(params: dict, info: SourceInfo) -> tuple[int, int, int, int]:
        """(x, y, w, h) in even pixels inside the source frame."""

        def even(value: float) -> int:
            return int(value) // 2 * 2

        w = max(2, even(params["width"] * info.width))
        h = max(2, even(params["height"] * info.height))
        x = min(even(params["x"] * info.width), info.width - w)
        y = min(even(params["y"] * info.height), info.height - h)
        return max(0, x), max(0, y), w, h

    def streams(self, inputs, params, info):
        x, y, w, h = self.pixel_box(params, info)
        return inputs[0]["v:0"].crop(x, y, w, h), self.source_audio(inputs, info)

    def tells(self, params, duration):
        x, y, w, h = (params[k] for k in ("x", "y", "width", "height"))
        return [
            PlannedTell(
                TellCategory.CROP,
                0,
                duration,
                _(
                    "Only part of the original frame is shown: the box from %(left)s %% to "
                    "%(right)s %% across and %(top)s %% to %(bottom)s %% down. Whatever was "
                    "outside it — who else was there, what caused a reaction — is gone."
                )
                % {
                    "left": percent(x),
                    "right": percent(x + w),
                    "top": percent(y),
                    "bottom": percent(y + h),
                },
            )
        ]
