"""Background processing through a real `manage.py db_worker` process sharing the test database.

These are the tests about the worker itself, so they use django-tasks-db rather than the
immediate backend the rest of the suite runs tasks on.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from media_library.detector.signals.face import ALL_NAMES as FACE_SIGNALS
from media_library.models import AnalysisStatus, Clip, ClipAnalysis, ProcessingStatus
from media_library.processing.liveness import current_token
from media_library.processing.workdir import new_work_path, work_dir
from tests.factories import make_user, make_video

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def database_url() -> str:
    """The URL of the database this test runs on, for the worker process to share it."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_command(*extra: str) -> list[str]:
    return [
        sys.executable,
        "manage.py",
        "db_worker",
        "--no-startup-delay",
        "--no-reload",
        "--interval",
        "0.2",
        *extra,
    ]


def worker_env() -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": DB_TASKS["default"]["BACKEND"],
    }
    env.pop("DATABASE_TEST_NAME", None)
    return env


def children(pid: int) -> list[int]:
    """The PIDs of a process's children (every thread's), from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def is_running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie nobody has reaped yet is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}


def wait_for(condition, seconds: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


@pytest.mark.worker
@override_settings(TASKS=DB_TASKS)
class WorkerProcessTests(TransactionTestCase):
    def setUp(self) -> None:
        self.curator = make_user("curator", curator=True)
        self.client.force_login(self.curator)

    def upload(self, path: Path, title: str) -> Clip:
        with path.open("rb") as handle:
            response = self.client.post(
                reverse("media_library:clip-upload"),
                {"file": handle, "title": title, "verdict": "real", "technique": "none"},
            )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        return Clip.objects.get(title=title)

    def test_it_processes_an_upload_in_the_worker_process(self) -> None:
        clip = self.upload(make_video(settings.VAR_DIR / "worker-ok.mp4"), "Worker clip")
        # Enqueued on commit and waiting for a worker: nothing has processed it yet.
        self.assertEqual(clip.processing_status, ProcessingStatus.PENDING)
        self.assertEqual(DBTaskResult.objects.count(), 1)

        subprocess.run(
            worker_command("--batch"),
            cwd=settings.BASE_DIR,
            env=worker_env(),
            check=True,
            timeout=180,
            capture_output=True,
        )

        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        self.assertEqual(clip.processing_progress, 100)
        self.assertTrue(clip.media_file and Path(clip.media_file.path).is_file())
        self.assertEqual(DBTaskResult.objects.get().status, "SUCCESSFUL")

    def test_the_worker_runs_the_detector_once_processing_is_done(self) -> None:
        clip = self.upload(make_video(settings.VAR_DIR / "worker-detect.mp4"), "Detector clip")
        env = {**worker_env(), "DETECTOR_ANALYZE_AFTER_PROCESSING": "1"}
        # --batch runs until the queue is empty: the processing task queues the analysis.
        subprocess.run(
            worker_command("--batch"),
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
            timeout=300,
            capture_output=True,
        )
        analysis = ClipAnalysis.objects.get(clip=clip)
        self.assertEqual(analysis.status, AnalysisStatus.DONE, analysis.error)
        self.assertEqual(analysis.attempts, 1)
        # Every face signal and the 11 editing signals, measured or not.
        self.assertEqual(len(analysis.measurements), len(FACE_SIGNALS) + 11)
        self.assertEqual(
            sorted(DBTaskResult.objects.values_list("task_path", "status")),
            [
                ("media_library.tasks.analyze_clip", "SUCCESSFUL"),
                ("media_library.tasks.process_clip", "SUCCESSFUL"),
            ],
        )

    def test_a_worker_killed_mid_job_leaves_a_clip_a_curator_can_retry(self) -> None:
        # Long enough that the transcode is still running when the worker is killed.
        source = make_video(
            settings.VAR_DIR / "worker-long.mp4", seconds=60, width=1280, height=720, audio=True
        )
        clip = self.upload(source, "Interrupted clip")
        worker = subprocess.Popen(
            worker_command(),
            cwd=settings.BASE_DIR,
            env=worker_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                clip.refresh_from_db()
                if clip.processing_status != ProcessingStatus.PENDING:
                    break
                time.sleep(0.1)
            self.assertEqual(clip.processing_status, ProcessingStatus.PROCESSING)
        finally:
            # SIGKILL the worker and its ffmpeg child: no clean-up code gets to run.
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)

        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.PROCESSING)
        self.assertFalse(clip.media_file)
        clip_dir = Path(settings.MEDIA_ROOT) / "clips" / clip.uid.hex
        self.assertEqual(list(clip_dir.glob("*")) if clip_dir.exists() else [], [])

        # Its worker is gone, so the curator may retry at once (no waiting for a time limit).
        page = self.client.get(clip.get_absolute_url())
        self.assertContains(page, reverse("media_library:clip-retry", args=[clip.slug]))

        with override_settings(
            TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
        ):
            self.client.post(reverse("media_library:clip-retry", args=[clip.slug]))
        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        self.assertTrue(Path(clip.media_file.path).is_file())

    def test_a_worker_killed_alone_takes_ffmpeg_with_it_and_the_next_worker_finishes_the_job(
        self,
    ) -> None:
        source = make_video(
            settings.VAR_DIR / "worker-killed.mp4", seconds=60, width=1280, height=720, audio=True
        )
        clip = self.upload(source, "Killed worker clip")
        worker = subprocess.Popen(
            worker_command(),
            cwd=settings.BASE_DIR,
            env=worker_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            # Mid-transcode: ffmpeg is running and has reported progress.
            def transcoding() -> bool:
                clip.refresh_from_db()
                return clip.processing_progress > 0 and bool(children(worker.pid))

            self.assertTrue(wait_for(transcoding, 120), clip.processing_status)
            ffmpeg_pids = children(worker.pid)
            self.assertTrue(all(is_running(pid) for pid in ffmpeg_pids))
            # The worker alone, as the OOM killer or `kill -9 <pid>` would: not its group.
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=30)

        # The kernel takes ffmpeg down with its parent.
        self.assertTrue(wait_for(lambda: not any(map(is_running, ffmpeg_pids)), 5))
        # The dead job's half-written output is still in the work dir ...
        self.assertTrue(list(work_dir().glob("tt-*")))

        # ... and the curator is told at once that the worker stopped, and may retry.
        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.PROCESSING)
        self.assertTrue(clip.can_retry_processing)
        page = self.client.get(clip.get_absolute_url())
        self.assertContains(page, "The worker processing this clip stopped when it was")
        self.assertContains(page, reverse("media_library:clip-retry", args=[clip.slug]))
        self.assertEqual(DBTaskResult.objects.get().status, "RUNNING")

        # A new worker recovers the job as it starts and finishes it.
        subprocess.run(
            worker_command("--batch"),
            cwd=settings.BASE_DIR,
            env=worker_env(),
            check=True,
            timeout=300,
            capture_output=True,
        )
        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        self.assertEqual(clip.processing_attempts, 2)
        self.assertTrue(Path(clip.media_file.path).is_file())
        self.assertEqual(
            sorted(DBTaskResult.objects.values_list("status", "exception_class_path")),
            [
                ("FAILED", "media_library.management.commands.db_worker.WorkerLost"),
                ("SUCCESSFUL", ""),
            ],
        )
        # Nothing is left of the dead job: no work file, no stray file in storage.
        self.assertEqual(list(work_dir().glob("tt-*")), [])
        clip_dir = Path(settings.MEDIA_ROOT) / "clips" / clip.uid.hex
        kept = {Path(name).name for name in (clip.media_file.name, clip.poster.name)}
        kept.add(Path(clip.thumbnail_strip.name).name)
        self.assertEqual({path.name for path in clip_dir.rglob("*") if path.is_file()}, kept)


def dead_token() -> str:
    """The token of an earlier process that had this PID: on this machine, and gone."""
    return ".".join([*current_token().split(".")[:-1], "1"])


@pytest.mark.worker
@override_settings(TASKS=DB_TASKS)
class WorkerStartupTests(TransactionTestCase):
    """What `manage.py db_worker` does as it starts, run in this process."""

    def setUp(self) -> None:
        if not current_token():
            self.skipTest("process tokens need Linux /proc")
        self.curator = make_user("curator", curator=True)
        self.client.force_login(self.curator)

    def orphan(self, clip: Clip, attempts: int) -> DBTaskResult:
        """Leave `clip` as a dead worker would: PROCESSING, and its task row RUNNING."""
        Clip.objects.filter(pk=clip.pk).update(
            processing_status=ProcessingStatus.PROCESSING,
            processing_started_at=timezone.now(),
            processing_heartbeat_at=timezone.now(),
            processing_holder=dead_token(),
            processing_attempts=attempts,
            processing_progress=18,
        )
        row = DBTaskResult.objects.get(args_kwargs__args=[clip.pk])
        row.claim(f"{dead_token()}-abcdefabcdef")
        return row

    def start_worker(self) -> None:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0")

    def upload(self, title: str) -> Clip:
        path = make_video(settings.VAR_DIR / f"{title}.mp4", seconds=1 + len(title) / 10)
        with path.open("rb") as handle:
            self.client.post(
                reverse("media_library:clip-upload"),
                {"file": handle, "title": title, "verdict": "real", "technique": "none"},
            )
        return Clip.objects.get(title=title)

    def test_a_starting_worker_requeues_a_dead_workers_job_and_finishes_it(self) -> None:
        clip = self.upload("Orphaned once")
        row = self.orphan(clip, attempts=1)
        dead_file = Path(str(new_work_path(".mp4")).replace(current_token(), dead_token()))
        dead_file.touch()
        live_file = new_work_path(".mp4")

        self.start_worker()

        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
        self.assertEqual(clip.processing_attempts, 2)
        row.refresh_from_db()
        self.assertEqual(row.status, "FAILED")
        self.assertTrue(row.exception_class_path.endswith("WorkerLost"))
        # The dead process's work file is gone at once; a live one's is not touched.
        self.assertFalse(dead_file.exists())
        self.assertTrue(live_file.exists())
        live_file.unlink()

    def test_a_job_that_keeps_killing_its_worker_is_failed_for_the_curator_to_retry(self) -> None:
        clip = self.upload("Orphaned often")
        self.orphan(clip, attempts=settings.MEDIA_PROCESSING_MAX_ATTEMPTS)

        self.start_worker()

        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.FAILED)
        stopped = "The worker stopped while processing this clip, 3 times"
        self.assertIn(stopped, clip.processing_error)
        self.assertEqual(list(DBTaskResult.objects.values_list("status", flat=True)), ["FAILED"])
        self.assertTrue(clip.can_retry_processing)

    def test_a_run_taken_for_dead_cannot_overwrite_the_retry(self) -> None:
        clip = self.upload("Taken for dead")
        self.assertTrue(clip.claim_for_processing())
        # Its worker is presumed dead (its token says so) and the curator retries.
        Clip.objects.filter(pk=clip.pk).update(processing_holder=dead_token())
        retried = Clip.objects.get(pk=clip.pk)
        self.assertTrue(retried.retry_processing(self.curator))
        # The first run wakes up: its progress and its result are refused.
        self.assertFalse(clip.beat_processing(progress=50))
        self.assertFalse(clip.mark_processing_failed("A late failure"))
        clip.refresh_from_db()
        self.assertEqual(clip.processing_status, ProcessingStatus.PENDING)
        self.assertEqual(clip.processing_error, "")


@pytest.mark.worker
@override_settings(TASKS=DB_TASKS)
class TwoWorkersTests(TransactionTestCase):
    """Two `db_worker` processes on one database, as a scaled-out deployment runs them
    (docs/deployment.md, "Scaling out"): every task runs once, in one of them."""

    CLIPS = 6

    def setUp(self) -> None:
        self.client.force_login(make_user("curator", curator=True))
        self.logs = Path(tempfile.mkdtemp(prefix="telltale-workers-"))
        self.addCleanup(shutil.rmtree, self.logs, ignore_errors=True)

    def start_worker(self, name: str) -> tuple[subprocess.Popen, Path]:
        log = self.logs / f"{name}.log"
        with log.open("wb") as handle:
            worker = subprocess.Popen(
                worker_command("--verbosity", "1"),
                cwd=settings.BASE_DIR,
                env={**worker_env(), "LOG_LEVEL": "INFO"},
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        self.addCleanup(stop, worker)
        return worker, log

    def test_two_workers_share_the_queue_and_never_run_a_task_twice(self) -> None:
        clips = []
        for n in range(self.CLIPS):
            path = make_video(settings.VAR_DIR / f"two-workers-{n}.mp4", seconds=1 + n / 10)
            with path.open("rb") as handle:
                self.client.post(
                    reverse("media_library:clip-upload"),
                    {"file": handle, "title": f"Clip {n}", "verdict": "real", "technique": "none"},
                )
            clips.append(Clip.objects.get(title=f"Clip {n}"))
        self.assertEqual(DBTaskResult.objects.ready().count(), self.CLIPS)

        # Both start at once and compete for the same rows from their first poll.
        workers = [self.start_worker("first"), self.start_worker("second")]
        finished = wait_for(
            lambda: (
                DBTaskResult.objects.filter(status__in=["SUCCESSFUL", "FAILED"]).count()
                == self.CLIPS
            ),
            300,
            step=0.5,
        )
        for worker, _log in workers:
            stop(worker)
        logs = {log.name: log.read_text() for _worker, log in workers}
        self.assertTrue(finished, logs)

        rows = list(DBTaskResult.objects.order_by("enqueued_at"))
        self.assertEqual([row.status for row in rows], ["SUCCESSFUL"] * self.CLIPS, logs)
        # Claimed once each (a row records every worker that claimed it) ...
        self.assertEqual([len(row.worker_ids) for row in rows], [1] * self.CLIPS)
        started = {
            name: re.search(r"Starting worker worker_id=(\S+)", text).group(1)
            for name, text in logs.items()
        }
        claimed_by = {row.worker_ids[0] for row in rows}
        # ... by the two workers, both of which had work ...
        self.assertEqual(claimed_by, set(started.values()), logs)
        # ... and run once: each task's start is logged by exactly one worker, once.
        runs = Counter(
            task_id
            for text in logs.values()
            for task_id in re.findall(r"Task id=(\S+) path=\S+ state=RUNNING", text)
        )
        self.assertEqual(runs, Counter({str(row.id): 1 for row in rows}))
        # The clips were processed once each, all the way through.
        for clip in clips:
            clip.refresh_from_db()
            self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
            self.assertEqual(clip.processing_attempts, 1)
            self.assertTrue(Path(clip.media_file.path).is_file())


def stop(worker: subprocess.Popen) -> None:
    """Stop a worker as a supervisor does (SIGTERM: it finishes its task first)."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=30)
