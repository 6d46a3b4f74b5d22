from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from media_library.choices import MediaKind, TellCategory, TellOrigin
from media_library.models.clip import Clip
from media_library.processing import stills
from media_library.stored_files import delete_stored_files
from media_library.timestamps import format_timestamp

# Seconds either side of its range that a tell's box stays on screen (see Tell.covers).
BOX_SLACK = 0.25


def tell_still_path(instance: Tell, filename: str) -> str:
    return f"clips/{instance.clip.uid.hex}/tells/{uuid.uuid4().hex}.jpg"


class Tell(models.Model):
    """A giveaway a curator marked on a clip: when it happens, where on the frame, and why."""

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="tells")
    category = models.CharField(_("category"), max_length=20, choices=TellCategory)
    start_seconds = models.FloatField(_("starts at (s)"), default=0)
    end_seconds = models.FloatField(_("ends at (s)"), default=0)
    # Region on the frame as a box normalised to 0..1 of width and height; empty for
    # tells that have no place on the frame (a cut, a false caption).
    box_x = models.FloatField(null=True, blank=True)
    box_y = models.FloatField(null=True, blank=True)
    box_w = models.FloatField(null=True, blank=True)
    box_h = models.FloatField(null=True, blank=True)
    explanation = models.TextField(_("explanation"))
    still = models.FileField(upload_to=tell_still_path, blank=True, max_length=300)
    origin = models.CharField(max_length=20, choices=TellOrigin, default=TellOrigin.CURATOR)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_seconds", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_seconds__gte=0) & Q(end_seconds__gte=models.F("start_seconds")),
                name="tell_time_range_ordered",
                violation_error_message=_("A tell must end after it starts."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        box_x__isnull=True,
                        box_y__isnull=True,
                        box_w__isnull=True,
                        box_h__isnull=True,
                    )
                    | Q(
                        box_x__gte=0,
                        box_y__gte=0,
                        box_w__gt=0,
                        box_h__gt=0,
                        box_x__lte=1,
                        box_y__lte=1,
                        box_w__lte=1,
                        box_h__lte=1,
                    )
                ),
                name="tell_box_normalised",
                violation_error_message=_("The box must lie within the frame."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} @ {self.start_seconds:.1f}s"

    @property
    def has_box(self) -> bool:
        return self.box_w is not None

    @property
    def box(self) -> tuple[float, float, float, float] | None:
        if not self.has_box:
            return None
        return (self.box_x, self.box_y, self.box_w, self.box_h)

    def render_still(self) -> bool:
        """Draw the box on the frame at start_seconds and store it as `still` (replacing the
        old one). False when the clip has no processed media yet."""
        return stills.render_tell_still(self)

    def enqueue_still(self) -> None:
        """Queue render_still once the surrounding transaction commits."""
        # media_library.tasks loads tells by primary key, so it imports the models: the task
        # is looked up when the job is queued, once both modules are loaded.
        from media_library.tasks import render_tell_still

        transaction.on_commit(lambda: render_tell_still.enqueue(self.pk))

    @property
    def still_url(self) -> str:
        """URL of the tell's still (served like its clip's files); "" when there is none."""
        if not self.still:
            return ""
        url = reverse("media_library:tell-still", args=[self.pk])
        return f"{url}?v={Clip.serving_version(self.still.name)}"

    def covers(self, seconds: float) -> bool:
        """Whether the tell is on screen at `seconds`: its range, give or take BOX_SLACK, so a
        tell marked at one instant is not gone between two frames. static/js/tell-boxes.js
        applies the same rule to the playing video."""
        return self.start_seconds - BOX_SLACK <= seconds <= self.end_seconds + BOX_SLACK

    @property
    def box_on_poster(self) -> bool:
        """Whether the box belongs on the frame a video shows before it plays (its poster): a
        box drawn for the last second does not belong on the first. An image has one frame."""
        clip = self.clip
        return clip.kind != MediaKind.VIDEO or self.covers(clip.poster_seconds)

    @property
    def time_range_label(self) -> str:
        start, end = format_timestamp(self.start_seconds), format_timestamp(self.end_seconds)
        return start if start == end else f"{start}\N{EN DASH}{end}"

    def delete_with_still(self) -> None:
        still = self.still.name
        storage = self.still.storage
        with transaction.atomic():
            self.delete()
            if still:
                transaction.on_commit(lambda: delete_stored_files(storage, [still]))
