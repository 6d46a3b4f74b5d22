"""The quiz listens to the media library here rather than being called by it (a lower layer
never imports a higher one): a withdrawn clip finishes the attempts it leaves with nothing to
answer."""

from __future__ import annotations

from django.dispatch import receiver

from media_library.models import Clip
from media_library.signals import clip_withdrawn
from quiz.models import Attempt


@receiver(clip_withdrawn, sender=Clip, dispatch_uid="quiz-finish-withdrawn")
def finish_attempts_without_it(sender, clip: Clip, **kwargs) -> None:
    # At the moment of withdrawal, not when the learner comes back: a gradebook read in
    # between must already count the work done (the attempt pages also finish lazily).
    Attempt.objects.finish_those_showing(clip)
