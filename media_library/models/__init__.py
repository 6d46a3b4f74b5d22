"""Media library models: a clip (video or image) and the tells curators mark on it.

The field vocabularies (verdicts, techniques, states) are defined in media_library/choices.py,
below the models so processing can use them too, and are part of this package's surface.
"""

from media_library.choices import (
    MediaKind,
    ProcessingStatus,
    PublicationState,
    Technique,
    TellCategory,
    Verdict,
)
from media_library.models.analysis import AnalysisStatus, ClipAnalysis
from media_library.models.clip import Clip, clip_media_path, quiz_media_path, upload_path
from media_library.models.clip_queryset import ClipQuerySet
from media_library.models.fingerprint import ClipFingerprint, FingerprintKey
from media_library.models.tell import Tell, tell_still_path

__all__ = [
    "AnalysisStatus",
    "Clip",
    "ClipAnalysis",
    "ClipFingerprint",
    "ClipQuerySet",
    "FingerprintKey",
    "MediaKind",
    "ProcessingStatus",
    "PublicationState",
    "Technique",
    "Tell",
    "TellCategory",
    "Verdict",
    "clip_media_path",
    "quiz_media_path",
    "tell_still_path",
    "upload_path",
]
