"""The shallowfake workshop page: pick a recipe, set its parameters, make an edited copy of a
published real video. Curators only; htmx swaps the recipe form in place."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from media_library.access import curator_required
from media_library.models import Clip
from media_library.workshop import RECIPES, get_recipe, is_workshop_clip, source_refusal

PAGE = "media_library/workshop.html"
DEFAULT_RECIPE = "slow_speech"


def _context(source: Clip, recipe_name: str, form=None, error: str = "") -> dict:
    recipe = get_recipe(recipe_name) or RECIPES[DEFAULT_RECIPE]
    made = [c for c in source.derivatives.order_by("-created_at") if is_workshop_clip(c)]
    return {
        "clip": source,
        "recipes": RECIPES.values(),
        "recipe": recipe,
        "form": form if form is not None else recipe.form(source=source),
        "refusal": source_refusal(source),
        "error": error,
        "made": made,
        "workshop_url": reverse("media_library:clip-workshop", args=[source.slug]),
    }


@curator_required
@require_http_methods(["GET", "POST"])
def clip_workshop(request: HttpRequest, slug: str) -> HttpResponse:
    source = get_object_or_404(Clip, slug=slug)
    if request.method == "GET":
        context = _context(source, request.GET.get("recipe", DEFAULT_RECIPE))
        if request.htmx:
            return render(request, f"{PAGE}#workshop", context)
        return render(request, PAGE, context)

    recipe_name = request.POST.get("recipe", "")
    try:
        made = source.make_shallowfake(recipe_name, request.POST.dict(), request.user)
    except ValidationError as error:
        recipe = get_recipe(recipe_name)
        form = recipe.form(request.POST, source=source) if recipe else None
        # The form repeats its own errors; what it cannot show (an unknown recipe, a
        # duplicate) is shown above it.
        shown = form is not None and not form.is_valid()
        context = _context(source, recipe_name, form, "" if shown else " ".join(error.messages))
        if request.htmx:
            return render(request, f"{PAGE}#workshop", context)
        return render(request, PAGE, context, status=400)
    messages.success(
        request,
        _("“%(title)s” is being made. It stays a draft until you publish it.")
        % {"title": made.title},
    )
    if request.htmx:
        return HttpResponseClientRedirect(made.get_absolute_url())
    return redirect(made)
