"""The shallowfake workshop: curators make edited ("cheap fake") versions of published real
videos, for lessons and quizzes, with the recipe and the tells recorded for them.

Entry points: `Clip.make_shallowfake(recipe_name, params, user)` (and `make_shallowfake`
below, which it calls), the registry `RECIPES` with each recipe's parameter form, and the task
`media_library.tasks.make_shallowfake`, which renders a pending derived clip with ffmpeg and
runs it through the normal processing (media_library/workshop/render.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from media_library.workshop.forms import SourceInfo, source_refusal
from media_library.workshop.recipes import RECIPES, Recipe, get_recipe

if TYPE_CHECKING:
    from media_library.models import Clip

KIND = "shallowfake"
EDITED_BY = "edited by Telltale's workshop"
# Fields that describe the people and rights of the footage, which an edit does not change.
INHERITED_FIELDS = (
    "source_url",
    "licence",
    "depicts_people",
    "depicts_public_figure",
    "consent_on_file",
    "consent_notes",
    "content_notes",
    "language",
)

__all__ = [
    "RECIPES",
    "Recipe",
    "SourceInfo",
    "get_recipe",
    "is_workshop_clip",
    "make_shallowfake",
    "plan",
    "source_refusal",
]


def is_workshop_clip(clip: Clip) -> bool:
    return isinstance(clip.recipe, dict) and clip.recipe.get("kind") == KIND


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("telltale")
    except PackageNotFoundError:
        return _pyproject_version()


def _pyproject_version() -> str:
    import tomllib

    from django.conf import settings

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


def make_shallowfake(source: Clip, recipe_name: str, params: dict, user, **fields) -> Clip:
    """Create the PENDING derived clip and queue its rendering once the transaction commits.

    `fields` override the derived clip's defaults (e.g. is_demo=True, a title). Nothing is
    stored when a check fails: the ValidationError says what to fix.
    """
    from media_library.models import Clip, Verdict
    from media_library.tasks import make_shallowfake as task

    recipe, record = plan(source, recipe_name, params)
    attribution = f"{source.attribution}; {EDITED_BY}" if source.attribution.strip() else ""
    values = {
        "title": recipe.title(source.title, record["params"])[:200],
        "verdict": Verdict.SHALLOWFAKE,
        "technique": recipe.technique,
        "original": source,
        "recipe": record,
        "attribution": (attribution or EDITED_BY[0].upper() + EDITED_BY[1:])[:300],
        "is_demo": source.is_demo,
        "created_by": user,
        "updated_by": user,
    }
    field_names = {f.name for f in Clip._meta.get_fields()}
    values |= {name: getattr(source, name) for name in INHERITED_FIELDS if name in field_names}
    values |= fields
    with transaction.atomic():
        clip = Clip.objects.create(**values)
        transaction.on_commit(lambda: task.enqueue(clip.pk))
    return clip
