"""Rendering a workshop clip: its recipe applied to the original's processed file, then the same
processing as any upload (transcode with the generated-media mark, poster, strip), then its
tells recorded and their stills queued.

The rendered file becomes the derived clip's `source_file`, so "Retry processing" works as for
an upload, and a failed render leaves no file and a reason on the clip. Safe to run twice.
"""

from __future__ import annotations

import hashlib
import logging
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from media_library.choices import TellOrigin
from media_library.models import Clip, ProcessingStatus, Tell
from media_library.processing import MediaRejected
from media_library.processing.transcode import TranscodeFailed, run_ffmpeg
from media_library.processing.workdir import discard, local_path, new_work_path, save_work_file
from media_library.workshop.forms import SourceInfo
from media_library.workshop.recipes import get_recipe
from media_library.workshop.recipes.base import Recipe
from media_library.workshop.recipes.context import FalseCaption

logger = logging.getLogger(__name__)


def make(clip: Clip) -> None:
    """Render (once), process (once) and record the tells (once) of a workshop clip."""
    if not clip.source_file and not render(clip):
        return
    clip.process()
    clip.refresh_from_db()
    if clip.processing_status == ProcessingStatus.READY:
        record_tells(clip)


def render(clip: Clip) -> bool:
    """Make the edited file and store it as the clip's source_file; False (and the clip marked
    FAILED with a reason) when it cannot be made."""
    if clip.processing_status != ProcessingStatus.PENDING:
        return False
    work_files: list[Path] = []
    try:
        recipe, params, original = _recipe_parts(clip)
        output = _work(work_files, ".mp4")
        info = SourceInfo.of(original)
        with ExitStack() as stack:
            paths = [
                stack.enter_context(
                    local_path(original.media_file.storage, original.media_file.name, ".mp4")
                )
            ]
            for extra in recipe.extra_inputs(params, info):
                paths.append(_extra_path(stack, work_files, recipe, extra, params, info))
            command = recipe.command(paths, output, params, info)
            run_ffmpeg(
                command, info.duration, None, timeout=settings.MEDIA_TRANSCODE_TIMEOUT_SECONDS
            )
        if not output.exists() or output.stat().st_size == 0:
            raise MediaRejected(_("ffmpeg produced no video."))
        _store(clip, output)
        return True
    except MediaRejected as error:
        if isinstance(error, TranscodeFailed):
            logger.warning("Workshop render of clip %s failed: %s", clip.pk, error.detail)
        clip.mark_processing_failed(
            _("The shallowfake could not be made: %(reason)s") % {"reason": error.message}
        )
    except Exception:
        logger.exception("Workshop render of clip %s failed", clip.pk)
        clip.mark_processing_failed(
            _("The shallowfake could not be made because of an unexpected error. Try again.")
        )
    finally:
        discard(*work_files)
    return False


def _work(work_files: list[Path], suffix: str) -> Path:
    path = new_work_path(suffix)
    work_files.append(path)
    return path


def _recipe_parts(clip: Clip) -> tuple[Recipe, dict, Clip]:
    record = clip.recipe or {}
    recipe = get_recipe(record.get("operation", ""))
    if recipe is None:
        raise MediaRejected(_("its recipe is unknown to this version of Telltale."))
    original = Clip.objects.filter(uid=record.get("source_clip_uid")).first()
    if original is None or not original.media_file:
        raise MediaRejected(_("the original clip or its video is gone."))
    return recipe, record.get("params", {}), original


def _extra_path(stack: ExitStack, work_files, recipe: Recipe, extra, params, info) -> str:
    if extra.kind == "lavfi":
        return extra.value
    if extra.kind == "caption":
        assert isinstance(recipe, FalseCaption)
        picture = _work(work_files, ".png")
        recipe.render_caption(params, info, picture)
        return str(picture)
    other = Clip.objects.filter(uid=extra.value).first()
    if other is None or not other.media_file:
        raise MediaRejected(_("the clip whose sound was to be used is gone."))
    return str(stack.enter_context(local_path(other.media_file.storage, other.media_file.name)))


def _store(clip: Clip, output: Path) -> None:
    digest = hashlib.sha256()
    with open(output, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    sha256, size = digest.hexdigest(), output.stat().st_size
    if Clip.objects.filter(source_sha256=sha256).exists():
        # An identical render exists (the unique hash is for spotting duplicate uploads).
        sha256 = None
    storage = clip.source_file.storage
    name = clip.source_file.field.generate_filename(clip, "upload")
    stored = save_work_file(storage, name, output)
    try:
        with transaction.atomic():
            # Only the first of two concurrent runs keeps its file.
            won = Clip.objects.filter(pk=clip.pk, source_file="").update(
                source_file=stored, source_sha256=sha256, source_size=size
            )
    except BaseException:
        storage.delete(stored)
        raise
    if not won:
        storage.delete(stored)
    clip.refresh_from_db()


def record_tells(clip: Clip) -> list[Tell]:
    """Create the recipe's tells on a READY workshop clip (once) and queue their stills."""
    recipe = get_recipe((clip.recipe or {}).get("operation", ""))
    if recipe is None:
        return []
    duration = float(clip.duration_seconds or 0)
    with transaction.atomic():
        if clip.tells.filter(origin=TellOrigin.WORKSHOP).exists():
            return []
        tells = []
        for planned in recipe.tells(clip.recipe["params"], duration):
            box = planned.box or (None, None, None, None)
            tell = Tell.objects.create(
                clip=clip,
                category=planned.category,
                start_seconds=round(max(0.0, min(planned.start, duration)), 3),
                end_seconds=round(max(0.0, min(planned.end, duration)), 3),
                box_x=box[0],
                box_y=box[1],
                box_w=box[2],
                box_h=box[3],
                explanation=planned.explanation,
                origin=TellOrigin.WORKSHOP,
                created_by=clip.created_by,
            )
            tell.enqueue_still()
            tells.append(tell)
    return tells
