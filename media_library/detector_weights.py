"""The detector's weights in media storage: `fit_detector` saves each fit as
`detector/weights-<version>.json`, and every worker scores with the newest one that matches the
signals this code measures (or the weights shipped with the code, or the detector's defaults),
so all machines agree."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from media_library.detector.scoring import SIGNALS_VERSION, Weights

WEIGHTS_FOLDER = "detector"


def current() -> Weights:
    """The newest fitted weights in media storage, else the weights shipped with the code
    (fitted on the development media), else the literature's defaults."""
    try:
        _folders, files = default_storage.listdir(WEIGHTS_FOLDER)
    except (FileNotFoundError, NotImplementedError, OSError):
        files = []
    fitted = sorted(f for f in files if f.startswith("weights-") and f.endswith(".json"))
    for name in reversed(fitted):
        try:
            with default_storage.open(f"{WEIGHTS_FOLDER}/{name}") as handle:
                weights = Weights.from_json(json.load(handle))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a damaged file never stops analysis: the next newest serves
        if weights.signals_version == SIGNALS_VERSION:
            return weights
    shipped = settings.DETECTOR_SHIPPED_WEIGHTS
    return Weights.best_available(Path(shipped) if shipped else None)


def save(weights: Weights) -> str:
    """Write to media storage as weights-<version>.json; returns the stored name."""
    content = ContentFile(json.dumps(weights.to_json(), indent=2).encode())
    return default_storage.save(f"{WEIGHTS_FOLDER}/weights-{weights.version}.json", content)
