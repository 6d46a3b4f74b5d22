"""Answer endpoint benchmark: answers per second and latency under gunicorn on PostgreSQL.

Creates a throwaway PostgreSQL database, migrates it and seeds one quiz of verdict items whose
clips need no media work, serves the app with gunicorn and production settings (DEBUG off),
then drives three phases with the same load generator (bench/load.py), 50 clients for 30 s each
after a warm-up: a bare Django view behind the same middleware (bench/urls.py) and the answer
endpoint, each as fast as the server answers (a closed loop: capacity), then the answer endpoint
again with the 50 clients sending 300 answers a second between them (latency at the target
load). Prints the rates, latency percentiles and errors, the answer/bare ratio, the stored
Answer rows against the accepted (302) responses, and PASS/FAIL against the targets; writes the
figures to bench/results/answer-<timestamp>.json. gunicorn and the database are removed at the
end, also on Ctrl-C or SIGTERM. See bench/README.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.load import Client, PhaseResult, Response, run_phase  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
WARMUP_SECONDS = float(os.environ.get("BENCH_WARMUP", "5"))
# Sync workers, two per core, as docs/deployment.md recommends when nginx serves the media:
# see "Workers" in bench/README.md for what threads cost here.
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1))))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
ITEMS = int(os.environ.get("BENCH_ITEMS", "60"))
MODE = os.environ.get("BENCH_MODE", "practice")
# The server (trust auth); the bench database is created and dropped on it.
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "telltale_bench"
# The cache the rate limits count in; empty: each gunicorn worker's local memory.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
HOST = "127.0.0.1"
RESULTS_DIR = BASE_DIR / "bench" / "results"

TARGET_RATE = 300  # answers per second
TARGET_P95_MS = 100
TARGET_SHARE = 0.5  # of the bare view's rate
# A session lists at most 50 attempts (quiz.models.attempts.SESSION_ATTEMPTS_KEPT); stay below.
MAX_ATTEMPTS_PER_VISITOR = 40


def admin_sql(statement: str) -> None:
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def drop_database(name: str = DB_NAME) -> None:
    # FORCE ends sessions still open on it: the pool of a gunicorn worker that died hard.
    admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# Each of the bench's clients stands for many learners, far faster than one person: limits
# that high keep the limiter's cost (a cache count per request) in the figures without
# refusing anything.
HIGH_LIMITS = {
    "QUIZ_ANSWERS_PER_MINUTE": "100000000",
    "QUIZ_ANSWERS_PER_ADDRESS": "100000000",
    "QUIZ_STARTS_PER_SESSION": "100000000",
    "QUIZ_STARTS_PER_ADDRESS": "100000000",
}


def configure_environment(var_dir: str, name: str = DB_NAME, **extra: str) -> None:
    """Production settings as config/settings.py reads them, on the bench database `name`;
    `extra` adds or overrides variables (a bench's own REDIS_URL, say)."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": f"{PG_URL}/{name}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "TELLTALE_VAR_DIR": var_dir,
            # The measured requests render no template; an error page would, and the manifest
            # storage refuses {% static %} without a collectstatic run first.
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "LOG_LEVEL": "WARNING",
            **HIGH_LIMITS,
            # The counts in Redis, shared by the gunicorn workers as in production (with local
            # memory each worker would count alone); the prefix keeps them apart from any test's.
            "REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": f"telltale-bench-{uuid.uuid4().hex[:8]}",
            **extra,
        }
    )
    # The older name of REDIS_URL: left over from a shell, it would name a second cache.
    os.environ.pop("CACHE_URL", None)


def seed(items: int = ITEMS, mode: str = MODE) -> str:
    """One published quiz of `items` verdict items on quizzable clips (rows only, no files);
    returns its slug."""
    from media_library.models import Clip, ProcessingStatus, PublicationState, Technique, Verdict
    from quiz.models import Item, ItemKind, Quiz, QuizItem

    truths = [
        (Verdict.REAL, Technique.NONE),
        (Verdict.DEEPFAKE, Technique.FACE_SWAP),
        (Verdict.SHALLOWFAKE, Technique.SPEED_CHANGE),
    ]
    clips = Clip.objects.bulk_create(
        Clip(
            title=f"Bench clip {n}",
            slug=f"bench-clip-{n}",
            kind="video",
            verdict=truths[n % 3][0],
            technique=truths[n % 3][1],
            licence="CC0",
            duration_seconds=10.0,
            width=640,
            height=360,
            # The quiz only needs the names to offer a clip; no request here reads the files.
            media_file=f"clips/{uuid.uuid4().hex}/clip.mp4",
            quiz_media=f"quiz/{uuid.uuid4().hex}.mp4",
            feed_media=f"quiz/{uuid.uuid4().hex}.mp4",
            processing_status=ProcessingStatus.READY,
            publication_state=PublicationState.PUBLISHED,
        )
        for n in range(items)
    )
    made = Item.objects.bulk_create(Item(kind=ItemKind.VERDICT, clip=clip) for clip in clips)
    quiz = Quiz.objects.create(title="Bench quiz", slug="bench", mode=mode, is_published=True)
    QuizItem.objects.bulk_create(
        QuizItem(quiz=quiz, item=item, position=n) for n, item in enumerate(made, start=1)
    )
    if len(quiz.draw()) != items:
        raise SystemExit(f"the bench quiz offers {len(quiz.draw())} of {items} items")
    return quiz.slug


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(port: int, log: Path, extra: list[str] = ()) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--chdir", str(BASE_DIR),
        "--bind", f"{HOST}:{port}",
        "--worker-class", WORKER_CLASS,
        "--workers", str(WORKERS),
        "--threads", str(THREADS),
        "--log-level", "warning",
        *extra,
    ]  # fmt: skip
    # Its own session: a Ctrl-C reaches this script, which then stops gunicorn in order.
    with log.open("wb") as output:
        return subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()  # gunicorn: graceful stop of the workers
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- CPU accounting from /proc: is the load generator starving the server? ----------------

TICKS = os.sysconf("SC_CLK_TCK")


def process_table() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command name, CPU seconds) for every process on this machine."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / TICKS)
    return table


def serves(pid: int, database: str) -> bool:
    """Whether PostgreSQL process `pid` is a backend connected to `database` (its title
    reads "postgres: [<cluster>: ]<user> <database> <client> <state>")."""
    try:
        title = (Path("/proc") / str(pid) / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return f" {database} " in title


def cpu_split(server_pid: int, database: str = DB_NAME) -> dict[str, float]:
    """CPU seconds so far of gunicorn (master and workers), of the PostgreSQL backends on the
    bench's database (other sessions on the same server are somebody else's work) and of
    this process."""
    table = process_table()
    server = {server_pid} | {pid for pid, (ppid, _, _) in table.items() if ppid == server_pid}
    return {
        "server": sum(table[pid][2] for pid in server if pid in table),
        "postgresql": sum(
            cpu
            for pid, (_, name, cpu) in table.items()
            if name == "postgres" and serves(pid, database)
        ),
        "load_generator": time.process_time(),
    }


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / TICKS, sum(fields) / TICKS


class CpuMeter:
    def __init__(self, server_pid: int, database: str = DB_NAME) -> None:
        self.server_pid, self.database = server_pid, database
        self.start = cpu_split(server_pid, database)
        self.busy, self.total = machine_busy()
        self.wall = time.perf_counter()

    def cores(self) -> dict[str, float]:
        """Cores used by each part since the meter started (2.0 = both cores all the time)."""
        wall = time.perf_counter() - self.wall
        end = cpu_split(self.server_pid, self.database)
        busy, total = machine_busy()
        cores = {part: (end[part] - self.start[part]) / wall for part in end}
        cores["machine"] = (busy - self.busy) / (total - self.total) * (os.cpu_count() or 1)
        # Whatever else ran meanwhile (another job's tests, say) took the server's CPU.
        cores["other"] = max(0.0, cores["machine"] - sum(cores[part] for part in end))
        return {part: round(value, 2) for part, value in cores.items()}


# --- the visitors -------------------------------------------------------------------------


class Visitor(Client):
    """A client with a session owning attempts; `todo` lists the (attempt, position) left."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(host, port)
        self.todo: deque[tuple[str, int]] = deque()
        self.attempts = 0

    @property
    def origin(self) -> dict[str, str]:
        # Browsers send Origin with every POST; Django's CSRF check compares it with Host.
        return {"Origin": f"http://{self.host}:{self.port}"}

    def form(self, **fields: str) -> dict[str, str]:
        return {"csrfmiddlewaretoken": self.cookies["csrftoken"], **fields}

    async def start_attempt(self, slug: str) -> None:
        response = await self.request("POST", f"/quizzes/{slug}/start/", self.form(), self.origin)
        prefix = "/attempts/"
        if response.status != 302 or not response.location.startswith(prefix):
            raise SystemExit(f"starting an attempt answered {response.status} {response.location}")
        uid = response.location.removeprefix(prefix).split("/", 1)[0]
        self.todo.extend((uid, position) for position in range(1, ITEMS + 1))
        self.attempts += 1


def answer_form(visitor: Visitor) -> dict[str, str]:
    """A verdict answer as the item page's form posts it, with a fresh idempotency key."""
    return visitor.form(
        key=str(uuid.uuid4()),
        verdict=random.choice(["real", "deepfake", "shallowfake"]),
        confidence=str(random.choice(range(50, 101, 5))),
    )


def expected_location(uid: str, position: int, mode: str = MODE, items: int = ITEMS) -> str:
    if mode == "practice":
        return f"/attempts/{uid}/items/{position}/"  # the reveal of the same item
    if position < items:
        return f"/attempts/{uid}/items/{position + 1}/"
    return f"/attempts/{uid}/results/"


def bare_step():
    async def step(visitor: Visitor) -> tuple[Response, bool]:
        response = await visitor.request(
            "POST", "/bench/bare/", answer_form(visitor), visitor.origin
        )
        return response, response.status == 302 and response.location == "/bench/bare/"

    return step


def answer_step(accepted_keys: list[str], expected: Callable[[str, int], str] = expected_location):
    """Each visitor answers the next item on its list; `expected(uid, position)` is where an
    accepted answer redirects."""

    async def step(visitor: Visitor) -> tuple[Response, bool]:
        uid, position = visitor.todo.popleft()
        form = answer_form(visitor)
        response = await visitor.request(
            "POST", f"/attempts/{uid}/items/{position}/answer/", form, visitor.origin
        )
        accepted = response.status == 302 and response.location == expected(uid, position)
        if accepted:
            accepted_keys.append(form["key"])
        return response, accepted

    return step


def refill(slug: str, counter: dict[str, int]):
    """Untimed: a visitor who used up its attempts starts another (pre-started attempts
    should cover the phase; the report says how often this was needed)."""

    async def prepare(visitor: Visitor) -> None:
        if not visitor.todo:
            await visitor.start_attempt(slug)
            counter["inline_starts"] += 1

    return prepare


def count_answers(keys: list[str] | None = None) -> tuple[int, int]:
    """(all Answer rows, rows among those with the given keys)."""
    from quiz.models import Answer

    stored = Answer.objects.count()
    if keys is None:
        return stored, 0
    found = 0
    for start in range(0, len(keys), 5000):
        found += Answer.objects.filter(key__in=keys[start : start + 5000]).count()
    return stored, found


async def measure(port: int, slug: str, server_pid: int, database: ThreadPoolExecutor) -> dict:
    loop = asyncio.get_running_loop()
    visitors = [Visitor(HOST, port) for _ in range(CLIENTS)]
    # Setup, not measured: a CSRF cookie and a first attempt (which makes the session) each.
    await asyncio.gather(*(visitor.request("GET", "/bench/csrf/") for visitor in visitors))
    await asyncio.gather(*(visitor.start_attempt(slug) for visitor in visitors))
    counter = {"inline_starts": 0}

    # Warm-up: both views, so every worker has imported, compiled and connected.
    await run_phase("warm-up bare", visitors, bare_step(), WARMUP_SECONDS)
    warm = await run_phase(
        "warm-up answer", visitors, answer_step([]), WARMUP_SECONDS, refill(slug, counter)
    )
    # Enough attempts for the measured phase at the warm-up's rate, with room to spare.
    per_visitor = math.ceil(warm.rate * SECONDS * 2 / CLIENTS) + ITEMS

    async def top_up(visitor: Visitor) -> None:
        while len(visitor.todo) < per_visitor and visitor.attempts < MAX_ATTEMPTS_PER_VISITOR:
            await visitor.start_attempt(slug)

    await asyncio.gather(*(top_up(visitor) for visitor in visitors))
    counter["inline_starts"] = 0

    meter = CpuMeter(server_pid)
    bare = await run_phase("bare view", visitors, bare_step(), SECONDS)
    bare_cpu = meter.cores()

    before, _ = await loop.run_in_executor(database, count_answers)
    keys: list[str] = []
    meter = CpuMeter(server_pid)
    answer = await run_phase("answer", visitors, answer_step(keys), SECONDS, refill(slug, counter))
    answer_cpu = meter.cores()

    # The same visitors answering at the target rate between them: the latency people get
    # when the site carries that load (the closed loop above measures how much it can carry).
    await asyncio.gather(*(top_up(visitor) for visitor in visitors))
    meter = CpuMeter(server_pid)
    paced = await run_phase(
        "answer at target rate",
        visitors,
        answer_step(keys),
        SECONDS,
        refill(slug, counter),
        rate=TARGET_RATE,
    )
    paced_cpu = meter.cores()
    after, found = await loop.run_in_executor(database, count_answers, keys)
    await asyncio.gather(*(visitor.close() for visitor in visitors))
    return {
        "bare": bare,
        "answer": answer,
        "paced": paced,
        "cpu": {"bare": bare_cpu, "answer": answer_cpu, "paced": paced_cpu},
        "stored": after - before,
        "found": found,
        "inline_starts": counter["inline_starts"],
    }


def report(run: dict, started: datetime) -> tuple[dict, bool]:
    bare: PhaseResult = run["bare"]
    answer: PhaseResult = run["answer"]
    paced: PhaseResult = run["paced"]
    share = answer.rate / bare.rate if bare.rate else 0.0
    accepted = answer.accepted + paced.accepted
    lost = accepted - run["found"]
    targets = {
        f">= {TARGET_RATE} answers/s (closed loop)": (
            answer.rate >= TARGET_RATE,
            f"{answer.rate:.1f}/s",
        ),
        f"p95 <= {TARGET_P95_MS} ms at {TARGET_RATE} answers/s": (
            paced.percentile(95) <= TARGET_P95_MS and paced.rate >= TARGET_RATE * 0.97,
            f"{paced.percentile(95):.1f} ms at {paced.rate:.1f}/s",
        ),
        f">= {TARGET_SHARE:.0%} of the bare view's rate": (share >= TARGET_SHARE, f"{share:.1%}"),
        "zero lost answers (rows = accepted)": (
            lost == 0 and run["stored"] == accepted,
            f"{run['stored']} rows, {accepted} accepted, {lost} lost",
        ),
    }
    print(
        f"gunicorn {WORKER_CLASS} {WORKERS} workers x {THREADS} threads, PostgreSQL, "
        f"{'Redis' if REDIS_URL else 'local-memory'} cache, "
        f"{MODE} quiz of {ITEMS} verdict items; {CLIENTS} clients, {SECONDS:g} s per phase after "
        f"{WARMUP_SECONDS:g} s warm-up each"
    )
    print(f"  {'':14} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  errors")
    for name, phase in (("bare view", bare), ("answer", answer), (f"at {TARGET_RATE}/s", paced)):
        figures = phase.summary()["latency_ms"]
        print(
            f"  {name:14} {phase.rate:8.1f} {figures['p50']:8.1f} {figures['p95']:8.1f} "
            f"{figures['p99']:8.1f} {figures['max']:8.1f}  {phase.failed}"
            + (f" {phase.rejected} {phase.errors}" if phase.failed else "")
        )
    print(f"  answer / bare: {share:.1%}")
    print(
        f"  Answer rows stored: {run['stored']}; accepted (302) responses: {accepted}; "
        f"accepted keys missing from the table: {lost}"
        + (f"; attempts started mid-phase: {run['inline_starts']}" if run["inline_starts"] else "")
    )
    for name, phase in (("bare", bare), ("answer", answer), ("paced", paced)):
        print_cpu(name, run["cpu"][name], phase.rate)
    figures = {
        **run_figures(started, clients=CLIENTS, items_per_attempt=ITEMS, mode=MODE),
        "bare": bare.summary(),
        "answer": answer.summary(),
        "answer_at_target_rate": paced.summary(),
        "answer_share_of_bare": round(share, 4),
        "answer_rows_stored": run["stored"],
        "accepted_keys_missing": lost,
        "attempts_started_mid_phase": run["inline_starts"],
        "cpu_cores": run["cpu"],
        "targets": print_targets(targets),
    }
    return figures, all(met for met, _ in targets.values())


def print_cpu(name: str, cpu: dict[str, float], rate: float) -> None:
    """One phase's CPU line; adds the CPU per request to `cpu`."""
    # CPU per request is steadier than the rate when other jobs share the machine.
    cpu["server_ms_per_request"] = round(cpu["server"] * 1000 / rate, 2)
    cpu["postgresql_ms_per_request"] = round(cpu["postgresql"] * 1000 / rate, 2)
    print(
        f"  CPU, {name} phase (cores of {os.cpu_count()}): gunicorn {cpu['server']}, "
        f"PostgreSQL {cpu['postgresql']}, load generator {cpu['load_generator']}, "
        f"other processes {cpu['other']}; whole machine {cpu['machine']}; per request: "
        f"gunicorn {cpu['server_ms_per_request']} ms, "
        f"PostgreSQL {cpu['postgresql_ms_per_request']} ms"
    )


def print_targets(
    targets: dict[str, tuple[bool, str]], words: tuple[str, str] = ("PASS", "FAIL")
) -> dict:
    """Print each target met or not (`words`), with its figure; return them for the JSON."""
    print("Targets:")
    width = max(len(word) for word in words)
    for target, (met, figure) in targets.items():
        print(f"  {words[0] if met else words[1]:{width}}  {target}: {figure}")
    return {target: {"met": met, "value": value} for target, (met, value) in targets.items()}


def run_figures(started: datetime, **settings: object) -> dict:
    """The head of a run's JSON: when it started and how it was set up (`settings`, then the
    phases' length and gunicorn's set-up)."""
    return {
        "started": started.isoformat(timespec="seconds"),
        "settings": {
            **settings,
            "seconds": SECONDS,
            "warmup_seconds": WARMUP_SECONDS,
            "workers": WORKERS,
            "threads": THREADS,
            "worker_class": WORKER_CLASS,
            "cpus": os.cpu_count(),
        },
    }


@dataclass
class Served:
    """What `served()` hands the bench: gunicorn's address and process, a one-thread
    executor for the bench's own ORM calls (one connection), the seed's return value and a
    directory for files of the run (gunicorn's log, say)."""

    port: int
    server_pid: int
    database: ThreadPoolExecutor
    seeded: object
    var_dir: Path


@contextlib.contextmanager
def served(
    name: str,
    seed_database: Callable[[], object],
    server_arguments: Callable[[Path], list[str]] = lambda var_dir: [],
    **environment: str,
) -> Iterator[Served]:
    """A throwaway database `name`, migrated and seeded by `seed_database()`, served by
    gunicorn with production settings (plus `environment`) and `server_arguments(var_dir)`;
    all removed on the way out, also on Ctrl-C or SIGTERM."""
    # SIGTERM (and a closed terminal) unwind like Ctrl-C does, through the finally below.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda signum, frame: sys.exit(128 + signum))
    var_dir = Path(tempfile.mkdtemp(prefix=f"{name.replace('_', '-')}-"))
    configure_environment(str(var_dir), name, **environment)
    server = None
    database = ThreadPoolExecutor(1)  # every ORM call on one thread, one connection
    drop_database(name)
    admin_sql(f"CREATE DATABASE {name}")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        seeded = seed_database()
        connections.close_all()

        port = free_port()
        log = var_dir / "gunicorn.log"
        server = start_server(port, log, server_arguments(var_dir))
        wait_for(port, server, log)
        yield Served(port, server.pid, database, seeded, var_dir)
    finally:
        if server is not None:
            stop_server(server)
        database.submit(close_connections).result()
        database.shutdown()
        drop_database(name)
        shutil.rmtree(var_dir, ignore_errors=True)


def main() -> int:
    started = datetime.now(UTC)
    with served(DB_NAME, seed) as bench:
        run = asyncio.run(measure(bench.port, bench.seeded, bench.server_pid, bench.database))
    figures, passed = report(run, started)
    write_figures("answer", figures)
    return 0 if passed else 1


def write_figures(bench: str, figures: dict) -> None:
    """bench/results/<bench>-<start time>.json"""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    started = datetime.fromisoformat(figures["started"])
    path = RESULTS_DIR / f"{bench}-{started:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"Figures written to {path.relative_to(BASE_DIR)}")


def close_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        for connection in connections.all(initialized_only=True):
            connection.close()
            if hasattr(connection, "close_pool"):
                connection.close_pool()


def wait_for(port: int, server: subprocess.Popen, log: Path) -> None:
    """Until gunicorn answers the CSRF view (it imports the app in each worker first)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection((HOST, port), timeout=1) as connection:
                request = f"GET /bench/csrf/ HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n"
                connection.sendall(request.encode() + b"\r\n")
                if connection.recv(64).split(b"\r\n", 1)[0].endswith(b" 204 No Content"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log.read_text()}")


if __name__ == "__main__":
    sys.exit(main())
