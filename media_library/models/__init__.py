"""Media library models: a clip (video or image) and the tells curators mark on it."""

from media_library.models.analysis import AnalysisStatus, ClipAnalysis
from media_library.models.choices import (
    MediaKind,
    ProcessingStatus,
    PublicationState,
    Technique,
    TellCategory,
    Verdict,
)
from media_library.models.clip import (
    Clip,
    ClipQuerySet,
    clip_media_path,
    quiz_media_path,
    upload_path,
)
from media_library.models.tell import Tell, format_timestamp, tell_still_path

__all__ = [
    "AnalysisStatus",
    "Clip",
    "ClipAnalysis",
    "ClipQuerySet",
    "MediaKind",
    "ProcessingStatus",
    "PublicationState",
    "Technique",
    "Tell",
    "TellCategory",
    "Verdict",
    "clip_media_path",
    "format_timestamp",
    "quiz_media_path",
    "tell_still_path",
    "upload_path",
]
