"""The quiz listens to the media library here rather than being called by it (a lower layer
never imports a higher one): a withdrawn clip finishes the attempts it leaves with nothing to
answer. And to its own attempts' deletion, whoever deletes them (the data-rights erasure in
lessons, a user deleted with their attempts): their answers leave the crowd counts and the
item statistics' groups."""

from __future__ import annotations

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from media_library.models import Clip
from media_library.signals import clip_withdrawn
from quiz.models import AnswerGroupCount, Attempt, CrowdCount


@receiver(clip_withdrawn, sender=Clip, dispatch_uid="quiz-finish-withdrawn")
def finish_attempts_without_it(sender, clip: Clip, **kwargs) -> None:
    # At the moment of withdrawal, not when the learner comes back: a gradebook read in
    # between must already count the work done (the attempt pages also finish lazily).
    Attempt.objects.finish_those_showing(clip)


@receiver(pre_delete, sender=Attempt, dispatch_uid="quiz-uncount-deleted-attempt")
def uncount_its_answers(sender, instance: Attempt, **kwargs) -> None:
    # pre_delete: the answers are still there to count (the cascade deletes them after every
    # pre_delete signal), and the counts fall in the deleting transaction. The retention purge
    # deletes answers but never attempts, and folds what it deletes, so it never comes here.
    # The attempt first, then the groups, then the crowd rows: the order Attempt.record locks
    # them in, so an answer arriving while its attempt is deleted waits rather than deadlocks.
    Attempt.objects.select_for_update().filter(pk=instance.pk).exists()
    with CrowdCount.objects.uncounting(instance.answers.all()):
        AnswerGroupCount.objects.change(AnswerGroupCount.objects.stored([instance.pk]), {})
