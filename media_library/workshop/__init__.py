"""The shallowfake workshop: curators make edited ("cheap fake") versions of published real
videos, for lessons and quizzes, with the recipe and the tells recorded for them.

Entry points: `Clip.make_shallowfake(recipe_name, params, user)` (which asks
`derived_clip_fields` below what to store), the registry `RECIPES` with each recipe's parameter
form, and the task `media_library.tasks.make_shallowfake`, which renders a pending derived clip
with ffmpeg and runs it through the normal processing (media_library/models/workshop_render.py,
which writes clips and tells and so sits with the models).

The models import this package, so nothing here imports them: the source clip is passed in.
"""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from media_library.choices import Verdict
from media_library.workshop.forms import SourceInfo, source_refusal
from media_library.workshop.recipes import RECIPES, get_recipe
from media_library.workshop.recipes.base import Recipe

if TYPE_CHECKING:
    from media_library.models import Clip

KIND = "shallowfake"
EDITED_BY = "edited by Telltale's workshop"
# The parts of the source's record (Clip.RECORD_FIELDS) that an edit changes, so the derived
# clip does not inherit them: its attribution says it was edited, and a transcript or captions
# would no longer match the edited timing. The rest (rights, people, consent) carries over.
NOT_INHERITED = ("attribution", "transcript", "captions_vtt")

__all__ = [
    "RECIPES",
    "Recipe",
    "SourceInfo",
    "derived_clip_fields",
    "get_recipe",
    "is_workshop_clip",
    "plan",
    "source_refusal",
]


def is_workshop_clip(clip: Clip) -> bool:
    return isinstance(clip.recipe, dict) and clip.recipe.get("kind") == KIND


def app_version() -> str:
    try:
        return version("telltale")
    except PackageNotFoundError:
        return _pyproject_version()


def _pyproject_version() -> str:
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def plan(source: Clip, recipe_name: str, params: dict) -> tuple[Recipe, dict]:
    """Check a request: the recipe exists, this clip may be edited, the parameters are good.

    Returns the recipe and the recipe record to store. Raises ValidationError keyed by
    parameter name (non-field problems under "__all__") with messages a curator can read.
    """
    recipe = get_recipe(recipe_name)
    if recipe is None:
        raise ValidationError(
            {
                "recipe": _("Unknown recipe “%(name)s”. Choose one of: %(names)s.")
                % {"name": recipe_name, "names": ", ".join(RECIPES)}
            }
        )
    form = recipe.form(params, source=source)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    info = SourceInfo.of(source)
    stored = recipe.params_json(form.cleaned_data)
    duplicate = _existing(source, recipe.name, stored)
    if duplicate is not None:
        message = _("This shallowfake exists already: “%(title)s”.") % {"title": duplicate.title}
        raise ValidationError({NON_FIELD_ERRORS: ValidationError(message, code="duplicate")})
    record = {
        "kind": KIND,
        "operation": recipe.name,
        "technique": str(recipe.technique),
        "summary": recipe.summary(stored),
        "params": stored,
        "source_clip_uid": source.uid.hex,
        "source_clip_title": source.title,
        "inputs": recipe.input_labels(stored, info),
        "filter_graph": recipe.filter_graph(stored, info),
        "app_version": app_version(),
    }
    return recipe, record


def _existing(source: Clip, operation: str, params: dict) -> Clip | None:
    for clip in source.derivatives.filter(recipe__isnull=False).only("title", "recipe"):
        if is_workshop_clip(clip) and (
            clip.recipe.get("operation"),
            clip.recipe.get("params"),
        ) == (operation, params):
            return clip
    return None


def derived_clip_fields(source: Clip, recipe_name: str, params: dict, user) -> dict:
    """The fields of the PENDING shallowfake of `source` that the request asks for.

    Raises ValidationError (see `plan`) when the request is refused; nothing is stored.
    """
    recipe, record = plan(source, recipe_name, params)
    attribution = f"{source.attribution}; {EDITED_BY}" if source.attribution.strip() else ""
    return {
        "title": recipe.title(source.title, record["params"])[:200],
        "verdict": Verdict.SHALLOWFAKE,
        "technique": recipe.technique,
        "original": source,
        "recipe": record,
        "attribution": (attribution or EDITED_BY[0].upper() + EDITED_BY[1:])[:300],
        "is_demo": source.is_demo,
        "created_by": user,
        "updated_by": user,
        **{
            name: getattr(source, name)
            for name in source.RECORD_FIELDS
            if name not in NOT_INHERITED
        },
    }
