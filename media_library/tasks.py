"""Background work for the media library. Tasks take primary keys and are safe to run twice."""

from __future__ import annotations

from django.tasks import task

from media_library.models import (
    Clip,
    ClipAnalysis,
    ClipFingerprint,
    MediaKind,
    ProcessingStatus,
    Tell,
)
from media_library.models.workshop_render import make
from media_library.workshop import is_workshop_clip


@task()
def process_clip(clip_id: int) -> None:
    clip = Clip.objects.filter(pk=clip_id).first()
    if clip is None:
        return
    if is_workshop_clip(clip):
        # "Retry processing" on a workshop clip: render it first if that is what failed.
        make_shallowfake.call(clip_id)
        return
    clip.process()


@task()
def make_shallowfake(clip_id: int) -> None:
    """Render a workshop clip from its original, process it like an upload, record its tells."""
    clip = Clip.objects.filter(pk=clip_id).first()
    if clip is not None:
        make(clip)


@task()
def render_tell_still(tell_id: int) -> None:
    tell = Tell.objects.select_related("clip").filter(pk=tell_id).first()
    if tell is not None:
        tell.render_still()


@task()
def analyze_clip(clip_id: int) -> None:
    """Run the detector on a clip whose analysis is queued (or stalled); stores the result."""
    analysis = ClipAnalysis.objects.select_related("clip").filter(clip_id=clip_id).first()
    if analysis is not None and analysis.claim():
        analysis.run()


@task()
def fingerprint_clip(clip_id: int) -> None:
    """Fingerprint a ready video clip and look it up in the library (when the detector does not
    run after processing: the analysis fingerprints the clip from its own decoding pass)."""
    clip = Clip.objects.filter(pk=clip_id, kind=MediaKind.VIDEO).first()
    if clip is not None and clip.processing_status == ProcessingStatus.READY:
        ClipFingerprint.objects.fingerprint_and_match(clip)


@task()
def rescore_analyses() -> None:
    """After a re-fit: score every stored analysis with the current weights (no decoding);
    analyses measured by older signals are measured again."""
    ClipAnalysis.objects.rescore()
