"""Background work for the media library. Tasks take primary keys and are safe to run twice."""

from __future__ import annotations

from django.tasks import task


@task()
def process_clip(clip_id: int) -> None:
    from media_library.models import Clip

    clip = Clip.objects.filter(pk=clip_id).first()
    if clip is not None:
        clip.process()


@task()
def render_tell_still(tell_id: int) -> None:
    from media_library.models import Tell

    tell = Tell.objects.select_related("clip").filter(pk=tell_id).first()
    if tell is not None:
        tell.render_still()
