"""Run the background worker: django-tasks-db's `db_worker`, which first recovers what dead
workers left behind.

    manage.py db_worker [--queue-name '*'] [every option of django-tasks-db's db_worker]

media_library is listed before django_tasks_db in INSTALLED_APPS, so this command is the one
`manage.py db_worker` finds. Before it takes its first task, a starting worker:

1. deletes the work files of processes that are gone (and any older than a day);
2. recovers every processing job whose worker is gone (known at once on this machine, else
   by a heartbeat older than MEDIA_PROCESSING_STALL_SECONDS): queued again, or marked failed
   (the curator may retry) once it has been tried MEDIA_PROCESSING_MAX_ATTEMPTS times;
3. marks FAILED the task rows a dead worker left RUNNING (they would stay RUNNING for good).

Its default worker id starts with its process token (processing/liveness.py), so the next
worker can tell from a RUNNING row whether the worker that claimed it is alive.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as TasksDbWorkerCommand
from django_tasks_db.models import DBTaskResult

from languages.commands import gettext as _
from media_library.models import Clip
from media_library.processing import liveness
from media_library.processing.workdir import sweep_stale

# The tasks whose first argument is the clip a processing job belongs to.
CLIP_TASKS = ("media_library.tasks.process_clip", "media_library.tasks.make_shallowfake")


class WorkerLost(Exception):
    """Recorded on a task row whose worker died while running it."""


def default_worker_id() -> str:
    token = liveness.current_token()
    return f"{token}-{get_random_string(12)}" if token else get_random_string(32)


def lost_task_rows(recovered_clips: set[int]) -> list[str]:
    """RUNNING rows whose worker is known dead, or which ran a job just recovered."""
    lost = []
    for row in DBTaskResult.objects.running().only("id", "worker_ids", "task_path", "args_kwargs"):
        worker = (row.worker_ids or [""])[-1]
        args = (row.args_kwargs or {}).get("args") or [None]
        if liveness.is_gone(worker.partition("-")[0]) or (
            row.task_path in CLIP_TASKS and args[0] in recovered_clips
        ):
            lost.append(row.pk)
    return lost


def recover() -> tuple[int, dict[int, str], int]:
    """Sweep, recover clips, close lost task rows; returns what was done, for the log."""
    swept = sweep_stale()
    clips = Clip.objects.recover_stalled_processing()
    lost = lost_task_rows(set(clips))
    closed = DBTaskResult.objects.filter(pk__in=lost, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback="The worker running this task stopped before it finished.\n",
    )
    return swept, clips, closed


class Command(TasksDbWorkerCommand):
    help = TasksDbWorkerCommand.help + ", after recovering the jobs of dead workers"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=default_worker_id())

    def handle(self, *args, **options) -> None:
        swept, clips, closed = recover()
        if options["verbosity"] and (swept or clips or closed):
            requeued = sum(1 for outcome in clips.values() if outcome == "requeued")
            self.stdout.write(
                _(
                    "Recovered from dead workers: %(requeued)d clip(s) queued again, %(failed)d "
                    "marked failed, %(closed)d task row(s) closed, %(swept)d work file(s) "
                    "deleted."
                )
                % {
                    "requeued": requeued,
                    "failed": len(clips) - requeued,
                    "closed": closed,
                    "swept": swept,
                }
            )
        super().handle(*args, **options)
