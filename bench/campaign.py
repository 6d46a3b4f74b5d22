"""Campaign benchmark: a burst of the public on one campaign, under gunicorn, PostgreSQL, Redis.

Seeds a throwaway PostgreSQL database with an open campaign (an assessment quiz of ITEMS verdict
clips, texts in English and Spanish) and serves it the way bench/answer.py does (gunicorn, sync
workers, production settings), with the cache and rate limits in Redis (REDIS_URL, database 9)
and the quiz's rate limits set high, since each simulated visitor is far faster than a person.
The load generator (bench/load.py) runs in this process, gunicorn in its own, in three parts:

1. **bare view** (baseline): the bench's do-nothing POST (bench/urls.py), back to back;
2. **visitor mix**: VISITORS visitors, each going through the whole journey again and again
   as a new visitor (no cookie): the landing (cached), start, every item page and its answer,
   the results link, the result page and the share card (rendered once, then cached), while
   PASSERSBY anonymous clients open the landing and the share cards of earlier visitors (cached
   both), pausing THINK_SECONDS between requests; as fast as the server answers (capacity),
   then the same mix at half that rate, sent as independent people arrive (latency at a load
   it carries);
3. **answers**: the same visitors answering pre-started campaign attempts back to back (the
   answer endpoint with the campaign's gate and counters): the rate the server can carry.

Per page: requests/s, p50/p95/p99 as the client saw them (the wait in gunicorn's queue
included), errors, the time a worker spent on it and the CPU it took there (gunicorn's access
log, bench/middleware.py), that CPU as a multiple of the bare view's. Then the stored Answer
rows against the accepted (302) answers, the campaign's counters against the rows, and
met/missed against the targets. Figures go to bench/results/campaign-<time>.json. See
bench/README.md.
"""

from __future__ import annotations

import asyncio
import functools
import math
import os
import random
import re
import statistics
import sys
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.answer import (  # noqa: E402
    CLIENTS as VISITORS,
)
from bench.answer import (  # noqa: E402
    HIGH_LIMITS,
    HOST,
    SECONDS,
    THREADS,
    WARMUP_SECONDS,
    WORKER_CLASS,
    WORKERS,
    CpuMeter,
    Visitor,
    answer_form,
    answer_step,
    bare_step,
    expected_location,
    print_cpu,
    print_targets,
    refill,
    run_figures,
    seed,
    served,
    write_figures,
)
from bench.load import Client, PhaseResult, Response, run_phase  # noqa: E402

PASSERSBY = int(os.environ.get("BENCH_PASSERSBY", "10"))
THINK_SECONDS = float(os.environ.get("BENCH_THINK", "0.1"))
ITEMS = int(os.environ.get("BENCH_ITEMS", "8"))
# The paced mix's rate, requests per second between all clients: half what the closed loop
# carried in the same run unless given (see bench/README.md).
MIX_RATE = float(os.environ.get("BENCH_MIX_RATE", "0"))
# A session lists at most 50 attempts (quiz.models.attempts.SESSION_ATTEMPTS_KEPT); stay below.
MAX_ATTEMPTS_EACH = 40
DB_NAME = "telltale_bench_campaign"
# Redis database 9 is this bench's (bench-answer counts in 13): flushed before and after.
REDIS_URL = os.environ.get("BENCH_CAMPAIGN_REDIS_URL", "redis://127.0.0.1:6379/9")
SLUG = "bench-campaign"
ACCEPT = {"en": "en-GB,en;q=0.8", "es": "es-MX,es;q=0.9,en;q=0.5"}
# Each language's pages live at their own address (English unprefixed): a visitor follows the
# partner's link in their language, as a campaign's posters and embeds give it.
PREFIX = {"en": "", "es": "/es"}

# A visitor's requests: landing, start, an item page and an answer per item, the results
# link, the result page, the share card.
JOURNEY = 2 + 2 * ITEMS + 3
CACHED_PAGES = ("landing", "landing (anonymous)", "share card (cached)")
TARGET_P95_MS = 100
TARGET_ANSWERS = 300

KEY = re.compile(rb'name="key" value="([^"]+)"')
SHARE = re.compile(rb'id="share-url"[^>]*value="[^"]*/shared/([^/"]+)/"')
STARTED = re.compile(r"/attempts/([0-9a-f-]{36})/items/1/")
expected = functools.partial(expected_location, mode="assessment", items=ITEMS)


def seed_campaign() -> str:
    """An open campaign on the bench's assessment quiz, in two languages."""
    from django.contrib.auth import get_user_model

    from quiz.models import Quiz

    # The campaign the public-journey tests play (texts in English and Spanish, a partner
    # link), open from yesterday to a week from now.
    from tests.factories import make_campaign
    from tests.test_campaigns_public import TEXTS

    quiz = Quiz.objects.get(slug=seed(ITEMS, "assessment"))
    organizer = get_user_model().objects.create_user("bench-organizer")
    campaign = make_campaign(quiz, organizer, texts=TEXTS, slug=SLUG, embed_origins=[])
    if len(campaign.deal()) != ITEMS:
        raise SystemExit(f"the bench campaign deals {len(campaign.deal())} of {ITEMS} items")
    return SLUG


def flush_cache() -> None:
    """Empty the bench's Redis database: no page or count of an earlier run in the figures."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.ConnectionError as error:
        raise SystemExit(f"Redis is not answering at {REDIS_URL}: {error}") from error


# --- the visitors -------------------------------------------------------------------------


class CampaignVisitor(Visitor):
    """A member of the public going through the whole journey, again and again as someone
    new; `step()` makes its next request. Also starts campaign attempts for the answers
    phase (`start_attempt`, as the answer bench's visitors start quiz attempts)."""

    def __init__(self, host: str, port: int, accepted: list[str], shared: deque[str]) -> None:
        super().__init__(host, port)
        self.accepted, self.shared = accepted, shared
        self.journey: AsyncIterator[tuple[Response, bool]] | None = None
        self.language: dict[str, str] = {}

    async def start_attempt(self, slug: str) -> None:
        response = await self.request(
            "POST", f"/c/{slug}/start/", {"language": "en", "answer": "3"}, self.origin
        )
        started = STARTED.fullmatch(response.location)
        if response.status != 302 or not started:
            raise SystemExit(f"starting a campaign answered {response.status} {response.location}")
        self.todo.extend((started[1], position) for position in range(1, ITEMS + 1))
        self.attempts += 1

    async def step(self) -> tuple[Response, bool]:
        if self.journey is None:
            self.journey = self.visit()
        try:
            return await anext(self.journey)
        except StopAsyncIteration:
            self.journey = self.visit()
            return await anext(self.journey)
        except BaseException:
            self.journey = None  # a failed request ends the visit; the next one starts anew
            raise

    async def fetch(self, page: str, path: str, form: dict[str, str] | None = None) -> Response:
        """A GET of `path`, or a POST of `form` to it, counted as `page`."""
        self.page = page
        if form is None:
            return await self.request("GET", path, headers=self.language)
        return await self.request("POST", path, form, {**self.language, **self.origin})

    async def visit(self) -> AsyncIterator[tuple[Response, bool]]:
        """One visitor's requests, each yielded with whether it was the expected answer; an
        unexpected one ends the visit."""
        self.cookies.clear()
        language = random.choice(list(ACCEPT))
        self.language = {"Accept-Language": ACCEPT[language]}
        self.arrives = True  # someone new, not kept waiting by the last visitor's share card
        prefix = PREFIX[language]
        response = await self.fetch("landing", f"{prefix}/c/{SLUG}/")
        start_form = f'action="{prefix}/c/{SLUG}/start/"'.encode()
        yield response, response.status == 200 and start_form in response.body
        survey = {"language": language, "answer": str(random.randint(1, 5))}
        response = await self.fetch("start", f"{prefix}/c/{SLUG}/start/", survey)
        started = STARTED.fullmatch(response.location.removeprefix(prefix))
        yield response, response.status == 302 and started is not None
        if not started:
            return
        uid = started[1]
        for position in range(1, ITEMS + 1):
            item = f"{prefix}/attempts/{uid}/items/{position}/"
            response = await self.fetch("item page", item)
            key = KEY.search(response.body)
            yield response, response.status == 200 and key is not None
            if key is None:
                return
            form = {**answer_form(self), "key": key[1].decode()}
            response = await self.fetch("answer", f"{item}answer/", form)
            accepted = response.status == 302 and response.location == prefix + expected(
                uid, position
            )
            if accepted:
                self.accepted.append(form["key"])
            yield response, accepted
            if not accepted:
                return
        done = f"{prefix}/c/{SLUG}/done/{uid}/"
        response = await self.fetch("results link", f"{prefix}/attempts/{uid}/results/")
        yield response, response.status == 302 and response.location == done
        response = await self.fetch("result page", done)
        share = SHARE.search(response.body)
        yield response, response.status == 200 and share is not None
        if share is not None:
            card = f"{prefix}/c/{SLUG}/shared/{share[1].decode()}/card.png"
            response = await self.fetch("share card (first)", card)
            yield response, is_png(response)
            self.shared.append(card)


class Passerby(Client):
    """Someone who opens the landing, or a shared card, and leaves: no cookie, a pause
    between requests."""

    def __init__(self, host: str, port: int, shared: deque[str]) -> None:
        super().__init__(host, port)
        self.shared = shared
        self.turn = 0

    async def step(self) -> tuple[Response, bool]:
        self.cookies.clear()
        self.arrives = True
        self.turn += 1
        if self.shared and self.turn % 2:
            self.page = "share card (cached)"
            response = await self.request("GET", random.choice(self.shared))
            return response, is_png(response)
        self.page = "landing (anonymous)"
        prefix = PREFIX[random.choice(list(ACCEPT))]
        response = await self.request("GET", f"{prefix}/c/{SLUG}/")
        return response, response.status == 200 and b"<html" in response.body


def is_png(response: Response) -> bool:
    return response.status == 200 and response.body.startswith(b"\x89PNG")


async def each_step(client: CampaignVisitor | Passerby) -> tuple[Response, bool]:
    return await client.step()


async def think(client: Client) -> None:
    if isinstance(client, Passerby):
        await asyncio.sleep(THINK_SECONDS)


def named(page: str, step):
    """`step` with its requests counted as `page`."""

    async def named_step(client: Client) -> tuple[Response, bool]:
        client.page = page
        return await step(client)

    return named_step


# --- gunicorn's own timing ----------------------------------------------------------------

ACCESS_FORMAT = "%(s)s %(D)s %({x-bench-cpu-ms}o)s %({x-bench-page}i)s"


def access_log_arguments(var_dir: Path) -> list[str]:
    return [
        "--access-logfile", str(var_dir / "access.log"),
        "--access-logformat", ACCESS_FORMAT,
    ]  # fmt: skip


@dataclass
class Timed:
    """A page's requests as gunicorn's access log has them, in milliseconds: the time in the
    worker (from reading the request to sending the response: no wait in the listen queue,
    unlike the client's figures, but waits for a core included) and the CPU the request took
    (bench/middleware.py)."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, other: Timed) -> Timed:
        return Timed(self.wall + other.wall, self.cpu + other.cpu)


class ServerTimes:
    """The access log's figures of one phase, per page."""

    def __init__(self, var_dir: Path) -> None:
        self.path = var_dir / "access.log"
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def read(self) -> dict[str, Timed]:
        times: dict[str, Timed] = {}
        with self.path.open("rb") as log:
            log.seek(self.offset)
            for line in log.read().decode().splitlines():
                _status, microseconds, cpu_ms, page = line.split(" ", 3)
                timed = times.setdefault(page, Timed())
                timed.wall.append(int(microseconds) / 1000)
                if cpu_ms != "-":
                    timed.cpu.append(float(cpu_ms))
        return times


# --- the run ------------------------------------------------------------------------------


def count_rows(keys: list[str]) -> dict[str, int]:
    """Answer rows: all, those with the accepted keys, and the campaign's count of them."""
    from django.db.models import Sum

    from campaigns.models import Participation
    from quiz.models import Answer

    found = 0
    for start in range(0, len(keys), 5000):
        found += Answer.objects.filter(key__in=keys[start : start + 5000]).count()
    counted = Participation.objects.aggregate(total=Sum("answered"))["total"] or 0
    return {"stored": Answer.objects.count(), "found": found, "counted": counted}


async def measure(bench) -> dict:
    loop = asyncio.get_running_loop()
    port, var_dir = bench.port, bench.var_dir
    accepted: list[str] = []
    shared: deque[str] = deque(maxlen=500)
    visitors = [CampaignVisitor(HOST, port, accepted, shared) for _ in range(VISITORS)]
    passersby = [Passerby(HOST, port, shared) for _ in range(PASSERSBY)]
    everyone = [*visitors, *passersby]
    await asyncio.gather(*(visitor.request("GET", "/bench/csrf/") for visitor in visitors))
    bare = named("bare view", bare_step())

    await run_phase("warm-up bare", visitors, bare, WARMUP_SECONDS)
    meter, times = CpuMeter(bench.server_pid, DB_NAME), ServerTimes(var_dir)
    bare_result = await run_phase("bare view", visitors, bare, SECONDS)
    phases = {"bare": (bare_result, meter.cores(), times.read())}

    # Untimed: each visitor goes part of the way through a first journey, so that they are
    # spread over its pages as a crowd is. Started all at once, they would stay in step and
    # reach the dearest page (the share card's first rendering) together.
    async def spread(visitor: CampaignVisitor) -> None:
        for _ in range(random.randrange(JOURNEY)):
            await visitor.step()

    await asyncio.gather(*(spread(visitor) for visitor in visitors))
    await run_phase("warm-up mix", everyone, each_step, WARMUP_SECONDS, think)
    before = len(accepted)
    meter, times = CpuMeter(bench.server_pid, DB_NAME), ServerTimes(var_dir)
    mix = await run_phase("visitor mix", everyone, each_step, SECONDS, think)
    phases["mix"] = (mix, meter.cores(), times.read())
    mix_answers = len(accepted) - before

    # The same mix on a schedule: the latency people get at that load (the closed loop
    # above measures how much the server carries; its latency is clients / rate by design).
    rate = MIX_RATE or round(mix.rate / 2, 1)
    meter, times = CpuMeter(bench.server_pid, DB_NAME), ServerTimes(var_dir)
    paced = await run_phase("paced mix", everyone, each_step, SECONDS, rate=rate, poisson=True)
    phases["paced"] = (paced, meter.cores(), times.read())

    # Answers alone: campaign attempts started beforehand, in each visitor's own session.
    for visitor in visitors:
        visitor.cookies.clear()
        visitor.journey = None
    await asyncio.gather(*(visitor.request("GET", "/bench/csrf/") for visitor in visitors))

    # Enough for the phase if answers alone go four times as fast as in the mix (about what
    # they do); visitors who run out start more, untimed, and the report says how many.
    each = math.ceil(mix_answers / mix.seconds * 4 * SECONDS / VISITORS / ITEMS) + 1

    async def prestart(visitor: CampaignVisitor) -> None:
        for _ in range(min(each, MAX_ATTEMPTS_EACH)):
            await visitor.start_attempt(SLUG)

    await asyncio.gather(*(prestart(visitor) for visitor in visitors))
    counter = {"inline_starts": 0}
    meter, times = CpuMeter(bench.server_pid, DB_NAME), ServerTimes(var_dir)
    answers = await run_phase(
        "answers",
        visitors,
        named("answer", answer_step(accepted, expected)),
        SECONDS,
        refill(SLUG, counter),
    )
    phases["answers"] = (answers, meter.cores(), times.read())
    rows = await loop.run_in_executor(bench.database, count_rows, accepted)
    await asyncio.gather(*(client.close() for client in everyone))
    return {
        "phases": phases,
        "rows": rows,
        "accepted": len(accepted),
        "mix_answers_per_second": mix_answers / mix.seconds,
        "inline_starts": counter["inline_starts"],
        "paced_rate": rate,
    }


PAGES = (
    "landing",
    "start",
    "item page",
    "answer",
    "results link",
    "result page",
    "share card (first)",
    "landing (anonymous)",
    "share card (cached)",
)


def percentile(values: list[float], p: float) -> float:
    return PhaseResult("", 0, latencies=[value / 1000 for value in values]).percentile(p)


def figures_of(result: PhaseResult, timed: Timed | None, bare_cpu_ms: float) -> dict:
    figures = result.summary()
    timed = timed or Timed()
    cpu = statistics.median(timed.cpu) if timed.cpu else math.nan
    figures["server_ms"] = {
        "p50": round(percentile(timed.wall, 50), 2),
        "p95": round(percentile(timed.wall, 95), 2),
    }
    figures["cpu_ms_p50"] = round(cpu, 2)
    figures["cpu_x_bare"] = round(cpu / bare_cpu_ms, 1)
    return figures


def print_row(name: str, phase: PhaseResult, figures: dict) -> None:
    latency, server = figures["latency_ms"], figures["server_ms"]
    line = (
        f"  {name:22} {phase.rate:8.1f} {latency['p50']:8.1f} {latency['p95']:8.1f} "
        f"{latency['p99']:8.1f} {phase.failed:7} {server['p50']:8.1f} {server['p95']:8.1f} "
        f"{figures['cpu_ms_p50']:7.2f} {figures['cpu_x_bare']:7.1f}"
    )
    if phase.failed:
        line += f"  {phase.rejected} {phase.errors}"
    print(line)


def mix_table(mix: PhaseResult, times: dict[str, Timed], bare_cpu_ms: float) -> dict:
    """Print a mix's pages and the whole mix; return their figures."""
    table = {}
    for page in PAGES:
        if page in mix.pages:
            table[page] = figures_of(mix.pages[page], times.get(page), bare_cpu_ms)
            print_row(page, mix.pages[page], table[page])
    everything = Timed()
    for page in PAGES:
        everything = everything.add(times.get(page, Timed()))
    table["all"] = figures_of(mix, everything, bare_cpu_ms)
    print_row("all", mix, table["all"])
    return table


def report(run: dict, started: datetime) -> tuple[dict, bool]:
    phases = run["phases"]
    bare, mix, paced, answers = (phases[name][0] for name in ("bare", "mix", "paced", "answers"))
    bare_cpu_ms = statistics.median(phases["bare"][2]["bare view"].cpu)
    rows = run["rows"]
    lost = run["accepted"] - rows["found"]
    print(
        f"gunicorn {WORKER_CLASS} {WORKERS} workers x {THREADS} threads, PostgreSQL, Redis cache "
        f"({REDIS_URL}); campaign of {ITEMS} verdict clips (assessment), en + es; "
        f"{VISITORS} visitors + {PASSERSBY} passers-by; {SECONDS:g} s per phase"
    )
    print(
        "Rate limits raised for the bench's server ("
        + ", ".join(f"{name}={value}" for name, value in HIGH_LIMITS.items())
        + "): each simulated visitor is far faster than a person, and none may be refused."
    )
    print(
        f"  {'':22} {'':>8} {'clients see, ms':^26} {'':>7} {'in the worker, ms':^35}\n"
        f"  {'':22} {'req/s':>8} {'p50':>8} {'p95':>8} {'p99':>8} {'errors':>7} "
        f"{'p50':>8} {'p95':>8} {'CPU p50':>7} {'x bare':>7}"
    )
    table = {"bare view": figures_of(bare, phases["bare"][2].get("bare view"), bare_cpu_ms)}
    print_row("bare view", bare, table["bare view"])
    print(
        f"visitor mix, closed loop (capacity; passers-by pause {THINK_SECONDS:g} s): "
        f"{mix.rate / bare.rate:.1%} of the bare view's requests/s, "
        f"{run['mix_answers_per_second']:.1f} answers/s"
    )
    table["mix"] = mix_table(mix, phases["mix"][2], bare_cpu_ms)
    journeys = paced.pages["landing"].rate if "landing" in paced.pages else 0.0
    print(
        f"visitor mix, paced: {run['paced_rate']:g} requests/s asked of the "
        f"{VISITORS + PASSERSBY} clients, {paced.rate:.1f} carried (about "
        f"{journeys * 3600:,.0f} visitors an hour):"
    )
    table["paced"] = mix_table(paced, phases["paced"][2], bare_cpu_ms)
    print(f"answers alone, closed loop ({VISITORS} visitors, pre-started campaign attempts):")
    table["answers"] = figures_of(answers, phases["answers"][2].get("answer"), bare_cpu_ms)
    print_row("answer", answers, table["answers"])
    print(
        f"  Answer rows stored: {rows['stored']}; accepted (302) answers: {run['accepted']}; "
        f"accepted keys missing from the table: {lost}; the campaign's counters: "
        f"{rows['counted']}"
        + (f"; attempts started mid-phase: {run['inline_starts']}" if run["inline_starts"] else "")
    )
    for name, (phase, cpu, _times) in phases.items():
        print_cpu(name, cpu, phase.rate)
    # Other jobs on a shared machine take cores from gunicorn; the CPU each request needs
    # barely changes. What the whole machine would carry is its cores over that CPU.
    projected = {
        name: round(
            os.cpu_count()
            * 1000
            / (
                cpu["server_ms_per_request"]
                + cpu["postgresql_ms_per_request"]
                + cpu["load_generator"] * 1000 / phase.rate
            ),
            1,
        )
        for name, (phase, cpu, _times) in phases.items()
    }
    print(
        f"  With all {os.cpu_count()} cores (gunicorn, PostgreSQL and the load generator at "
        "the CPU per request measured): "
        + ", ".join(f"{name} {rate:.0f}/s" for name, rate in projected.items())
    )
    cached = {page: paced.pages[page] for page in CACHED_PAGES if page in paced.pages}
    worst = max((phase.percentile(95) for phase in cached.values()), default=math.nan)
    failed = sum(phase.failed for phase, _cpu, _times in phases.values())
    targets = {
        f"cached pages p95 <= {TARGET_P95_MS} ms at {VISITORS} concurrent visitors (paced mix)": (
            len(cached) == len(CACHED_PAGES) and worst <= TARGET_P95_MS,
            ", ".join(f"{page} {phase.percentile(95):.1f} ms" for page, phase in cached.items()),
        ),
        f">= {TARGET_ANSWERS} answers/s (answers alone)": (
            answers.rate >= TARGET_ANSWERS,
            f"{answers.rate:.1f}/s",
        ),
        "zero errors": (failed == 0, f"{failed} failed requests in the measured phases"),
        "zero lost answers (rows = accepted = counted)": (
            lost == 0 and rows["stored"] == run["accepted"] == rows["counted"],
            f"{rows['stored']} rows, {run['accepted']} accepted, {lost} lost, "
            f"{rows['counted']} counted",
        ),
    }
    figures = {
        **run_figures(
            started,
            visitors=VISITORS,
            passersby=PASSERSBY,
            think_seconds=THINK_SECONDS,
            paced_rate=run["paced_rate"],
            items_per_attempt=ITEMS,
            cache=REDIS_URL,
            rate_limits=HIGH_LIMITS,
        ),
        "pages": table,
        "mix_share_of_bare": round(mix.rate / bare.rate, 4),
        "mix_answers_per_second": round(run["mix_answers_per_second"], 1),
        "answer_rows_stored": rows["stored"],
        "answers_accepted": run["accepted"],
        "answers_counted_by_the_campaign": rows["counted"],
        "accepted_keys_missing": lost,
        "cpu_cores": {name: cpu for name, (_phase, cpu, _times) in phases.items()},
        "requests_per_second_with_all_cores": projected,
        "targets": print_targets(targets, ("met", "MISSED")),
    }
    return figures, all(met for met, _ in targets.values())


def main() -> int:
    started = datetime.now(UTC)
    flush_cache()
    try:
        with served(DB_NAME, seed_campaign, access_log_arguments, REDIS_URL=REDIS_URL) as bench:
            run = asyncio.run(measure(bench))
    finally:
        flush_cache()
    figures, passed = report(run, started)
    write_figures("campaign", figures)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
