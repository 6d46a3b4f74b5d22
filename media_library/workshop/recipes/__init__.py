"""The workshop's recipes by name: how each kind of shallowfake is made, named, labelled and
explained.

The cases are the cheap fakes that fooled people: slowed speech (Pelosi, 2019), a sped-up moment
(Acosta, 2018), a selective cut (Starmer, 2019), frame-blended slow motion, a swapped sound
track, a mirror or a crop that changes what is seen, and real footage under a false news
caption. Each recipe lives with its kind: speed.py, cuts.py, framing.py, context.py; what they
share is in base.py.
"""

from __future__ import annotations

from media_library.workshop.recipes.base import Recipe
from media_library.workshop.recipes.context import FalseCaption
from media_library.workshop.recipes.cuts import AudioSwap, Splice
from media_library.workshop.recipes.framing import Crop, Mirror
from media_library.workshop.recipes.speed import SlowMotion, SlowSpeech, SpeedUpMoment

# In the order the workshop page lists them.
RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        SlowSpeech(),
        SpeedUpMoment(),
        Splice(),
        SlowMotion(),
        AudioSwap(),
        Mirror(),
        Crop(),
        FalseCaption(),
    )
}


def get_recipe(name: str) -> Recipe | None:
    return RECIPES.get(name)
