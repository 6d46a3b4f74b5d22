"""Dataset importers, one module per format; `base` holds the run they share."""

from __future__ import annotations

from media_library.importers.base import DatasetError, Importer, ImportReport, ImportRun
from media_library.importers.celebdf import CelebDFImporter
from media_library.importers.dfdc import DFDCImporter
from media_library.importers.fakeavceleb import FakeAVCelebImporter
from media_library.importers.ffpp import FFPPImporter
from media_library.importers.manifest import ManifestImporter

IMPORTERS: dict[str, type[Importer]] = {
    importer.name: importer
    for importer in (
        DFDCImporter,
        FFPPImporter,
        CelebDFImporter,
        FakeAVCelebImporter,
        ManifestImporter,
    )
}

__all__ = ["IMPORTERS", "DatasetError", "ImportReport", "ImportRun", "Importer"]
