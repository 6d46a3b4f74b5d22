"""Pages that summarise answers, at 10 k, 100 k and 1 M stored answers on PostgreSQL.

Creates a throwaway PostgreSQL database (telltale_bench_scale), migrates it and seeds, with the
ORM, what is small: 300 verdict items on published clips (a third real, a third deepfakes, a
third shallowfakes, each fake with a tell), ten public practice quizzes of 30 items by one
teacher, and a class of 30 students with 20 assessment assignments of 50 items. The answers
are then made in bulk by INSERT … SELECT over generate_series (attempts, their entries, the
answers; never one ORM row at a time), growing the same database from one scale to the next:
public attempts of whole quizzes up to each total (half by 3,000 signed-in learners, half by
visitors without an account), plus, from 100 k on, the class's 30 000 answers (every student
finished every assignment). After each step the app's counters are rebuilt from the rows added
(refresh_counters) and VACUUM ANALYZE runs, as autovacuum would on a live site.

At each scale every page in PAGES is requested through Django's test client (the real URLconf,
middleware, views and templates; DEBUG off), first once to count its queries (that request warms
the caches and is never timed), then timed BENCH_REPEAT times (median shown); a page whose
counted request took SLOW_SECONDS or more is timed once, so a run
stays within about ten minutes on a 2-core machine. Prints a table per page and scale, then
each target met or missed; writes the figures to bench/results/scale-<time>.json. The
retention purge runs last (it deletes a quarter of the public answers) and reports answers per
second and queries per 1000 answers. The database is dropped at the end, also on Ctrl-C. See
bench/README.md.

Another page is one more entry in PAGES: a name, a target (or None for a reference) and a
function that takes the Scene and returns the request to time.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "telltale_bench_scale"
SCALES = [int(n) for n in os.environ.get("BENCH_SCALES", "10000,100000,1000000").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
SLOW_SECONDS = float(os.environ.get("BENCH_SLOW_SECONDS", "2"))
RESULTS_DIR = BASE_DIR / "bench" / "results"
# Leave the database behind for EXPLAIN ANALYZE of a page's queries (dropped at the next run).
KEEP_DATABASE = os.environ.get("BENCH_KEEP_DATABASE") == "1"

BANK_ITEMS = 300
PUBLIC_QUIZZES = 10
PUBLIC_QUIZ_ITEMS = 30
STUDENTS = 30
ASSIGNMENTS = 20
ASSIGNMENT_ITEMS = 50
# Signed-in learners who take the public quizzes beside the visitors without an account.
LEARNERS = 3000
CLASS_ANSWERS = STUDENTS * ASSIGNMENTS * ASSIGNMENT_ITEMS  # 30 000
# The class's answers are part of the total from the first scale that can hold them.
CLASS_FROM = 100_000
# The purge at the end deletes answers older than this: about a quarter of the public ones.
PURGE_MONTHS = 3
KEY_INPUT = re.compile(r'name="key" value="([0-9a-f-]{32,36})"')


def admin_sql(statement: str) -> None:
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def drop_database() -> None:
    admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def configure_environment(var_dir: str) -> None:
    """Production settings (DEBUG off) on the bench database, for the test client."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"{PG_URL}/{DB_NAME}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_COOKIES": "0",
            "TELLTALE_VAR_DIR": var_dir,
            # The manifest storage refuses {% static %} without a collectstatic run first.
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "LOG_LEVEL": "WARNING",
            # One bench client answers far faster than a person: limits out of the way.
            "QUIZ_ANSWERS_PER_MINUTE": "100000000",
            "QUIZ_STARTS_PER_SESSION": "100000000",
            "QUIZ_STARTS_PER_ADDRESS": "100000000",
        }
    )


# --- Seeding --------------------------------------------------------------------------------


@dataclass
class Scene:
    """What the pages are requested against."""

    teacher: object
    classroom: object
    public_slugs: list[str]
    stats_slug: str
    clients: dict[str, object] = field(default_factory=dict)
    # The visitor's practice attempt that the answer POST and the reveal go through.
    attempt_uid: str = ""
    learners: list[int] = field(default_factory=list)
    next_position: int = PUBLIC_QUIZ_ITEMS + 1
    # The campaign over the first public quiz: its visitors are that quiz's attempts
    # without an account (half of all public answers).
    organizer: object = None
    campaign_slug: str = ""

    def client(self, name: str):
        from django.test import Client

        if name not in self.clients:
            self.clients[name] = Client()
            if name == "teacher":
                self.clients[name].force_login(self.teacher)
            elif name == "organizer":
                self.clients[name].force_login(self.organizer)
        return self.clients[name]


def seed_rows() -> Scene:
    """The small tables, with the ORM: clips, items, quizzes, the teacher and the class."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from campaigns.models import Campaign, CampaignText
    from lessons.models import Assignment, Classroom
    from media_library.models import (
        Clip,
        ProcessingStatus,
        PublicationState,
        Technique,
        Tell,
        TellCategory,
        Verdict,
    )
    from media_library.roles import Role, grant
    from quiz.models import Item, ItemKind, Mode, Quiz, QuizItem, Selection

    user_model = get_user_model()
    teacher = user_model.objects.create_user("bench_teacher", password=None)
    grant(teacher, Role.TEACHER)
    truths = [
        (Verdict.REAL, Technique.NONE),
        (Verdict.DEEPFAKE, Technique.FACE_SWAP),
        (Verdict.SHALLOWFAKE, Technique.SPEED_CHANGE),
    ]
    now = timezone.now()
    clips = Clip.objects.bulk_create(
        Clip(
            title=f"Scale clip {n}",
            slug=f"scale-clip-{n}",
            kind="video",
            verdict=truths[n % 3][0],
            technique=truths[n % 3][1],
            licence="CC0",
            depicts_people=False,
            duration_seconds=10.0,
            width=640,
            height=360,
            # Names only: no measured request reads a file.
            media_file=f"clips/scale-{n}/clip.mp4",
            quiz_media=f"quiz/scale-{n}.mp4",
            feed_media=f"quiz/scale-feed-{n}.mp4",
            processing_status=ProcessingStatus.READY,
            publication_state=PublicationState.PUBLISHED,
            published_at=now,
        )
        for n in range(BANK_ITEMS)
    )
    categories = TellCategory.values
    Tell.objects.bulk_create(
        Tell(
            clip=clip,
            category=categories[n % len(categories)],
            start_seconds=1.0,
            end_seconds=2.0,
            explanation="Watch here.",
        )
        for n, clip in enumerate(clips)
        if clip.verdict != Verdict.REAL
    )
    items = Item.objects.bulk_create(
        Item(kind=ItemKind.VERDICT, clip=clip, difficulty=("easy", "medium", "hard")[n % 3])
        for n, clip in enumerate(clips)
    )

    def quiz_of(title: str, slug: str, members: list, **fields) -> Quiz:
        quiz = Quiz.objects.create(
            title=title, slug=slug, selection=Selection.FIXED, created_by=teacher, **fields
        )
        QuizItem.objects.bulk_create(
            QuizItem(quiz=quiz, item=item, position=n) for n, item in enumerate(members, start=1)
        )
        return quiz

    public = [
        quiz_of(
            f"Scale quiz {q}",
            f"scale-quiz-{q}",
            items[q * PUBLIC_QUIZ_ITEMS : (q + 1) * PUBLIC_QUIZ_ITEMS],
            mode=Mode.PRACTICE,
            order="ordered",
            is_published=True,
        )
        for q in range(PUBLIC_QUIZZES)
    ]
    classroom = Classroom.objects.create(name="Scale class", owner=teacher)
    for n in range(STUDENTS):
        classroom.join(user_model.objects.create_user(f"scale_student_{n:02d}", password=None))
    for a in range(ASSIGNMENTS):
        first = (a * 37) % (BANK_ITEMS - ASSIGNMENT_ITEMS)
        quiz = quiz_of(
            f"Class test {a}",
            f"class-test-{a}",
            items[first : first + ASSIGNMENT_ITEMS],
            mode=Mode.ASSESSMENT,
            order="ordered",
            is_published=False,
        )
        Assignment.objects.create(
            classroom=classroom,
            title=quiz.title,
            quiz=quiz,
            # Weekly, half of them past.
            due_at=now + timedelta(weeks=a - ASSIGNMENTS // 2),
            created_by=teacher,
        )
    organizer = user_model.objects.create_user("bench_organizer", password=None)
    grant(organizer, Role.ORGANIZER)
    campaign = Campaign.objects.create(
        slug="scale-campaign",
        organizer=organizer,
        quiz=public[0],
        languages=["en", "es"],
        starts_at=now - timedelta(days=130),
        ends_at=now + timedelta(days=30),
    )
    for language in ("en", "es"):
        CampaignText.objects.create(
            campaign=campaign,
            language=language,
            title=f"Scale campaign ({language})",
            intro="Real or fake?",
            survey_question="How sure are you?",
        )
    return Scene(
        teacher,
        classroom,
        [q.slug for q in public],
        public[0].slug,
        organizer=organizer,
        campaign_slug=campaign.slug,
    )


# Each answer: right with a chance that depends on the item (so items differ in difficulty),
# a confidence from 50 to 100, a time on the item, given within the last few months.
ANSWERS_SQL = """
INSERT INTO quiz_answer (key, verdict, technique, picked, seconds, confidence, is_correct,
                         score, seconds_taken, created_at, attempt_id, entry_id, item_id)
SELECT gen_random_uuid(),
       CASE WHEN judged.right THEN judged.truth
            WHEN judged.truth = 'real' THEN 'deepfake' ELSE 'real' END,
       '', '', NULL, 50 + floor(random() * 51)::int, judged.right,
       CASE WHEN judged.right THEN 1.0 ELSE 0.0 END, 3 + random() * 20, judged.shown_at,
       judged.attempt_id, judged.id, judged.item_id
FROM (
    SELECT e.id, e.attempt_id, e.item_id, e.shown_at, c.verdict AS truth,
           random() < 0.35 + 0.5 * ((e.item_id * 7919) %% 100) / 100.0 AS right
    FROM quiz_attemptitem e
    JOIN quiz_item i ON i.id = e.item_id
    JOIN media_library_clip c ON c.id = i.clip_id
    WHERE e.attempt_id > %(after)s
) AS judged
"""

ENTRIES_SQL = """
INSERT INTO quiz_attemptitem (position, swapped, shown_at, attempt_id, item_id)
SELECT qi.position, false, a.started_at + qi.position * interval '20 seconds', a.id, qi.item_id
FROM quiz_attempt a JOIN quiz_quizitem qi ON qi.quiz_id = a.quiz_id
WHERE a.id > %(after)s
"""


def add_learners(cursor) -> list[int]:
    """LEARNERS signed-in learners (rows only, no usable password); returns their ids."""
    cursor.execute(
        """
        INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                               is_staff, is_active, date_joined)
        SELECT '!', false, 'scale_learner_' || g, '', '', '', false, true, now()
        FROM generate_series(1, %(learners)s) AS g
        RETURNING id
        """,
        {"learners": LEARNERS},
    )
    return [row[0] for row in cursor.fetchall()]


def add_public_answers(cursor, answers: int, quiz_ids: list[int], learners: list[int]) -> None:
    """Finished attempts of whole public quizzes, about `answers` answers: half by visitors
    without an account, half by the signed-in learners (whose answers the purge tallies per
    tell)."""
    attempts = max(1, answers // PUBLIC_QUIZ_ITEMS)
    cursor.execute("SELECT coalesce(max(id), 0) FROM quiz_attempt")
    after = cursor.fetchone()[0]
    cursor.execute(
        """
        INSERT INTO quiz_attempt (uid, mode, started_at, finished_at, user_id, quiz_id)
        SELECT gen_random_uuid(), 'practice', started, started + interval '15 minutes',
               CASE WHEN g %% 2 = 0
                    THEN (%(learners)s::int[])[1 + (g / 2) %% %(learner_count)s] END,
               -- Every attempt without an account is the campaign's (its quiz is the
               -- first): half of the public answers, as a campaign's burst would bring.
               CASE WHEN g %% 2 = 0 THEN (%(quizzes)s::bigint[])[1 + g %% %(count)s]
                    ELSE (%(quizzes)s::bigint[])[1] END
        -- random() in a derived table's select list: one start per attempt, spread over the
        -- last 120 days (a LATERAL subquery that does not refer to g runs once).
        FROM (
            SELECT g, now() - random() * interval '120 days' AS started
            FROM generate_series(1, %(attempts)s) AS g
        ) AS s
        """,
        {
            "quizzes": quiz_ids,
            "count": len(quiz_ids),
            "attempts": attempts,
            "learners": learners,
            "learner_count": len(learners),
        },
    )
    cursor.execute(ENTRIES_SQL, {"after": after})
    cursor.execute(ANSWERS_SQL, {"after": after})
    cursor.execute(PARTICIPATIONS_SQL, {"after": after, "quiz": quiz_ids[0]})
    cursor.execute("DELETE FROM campaigns_itemtally")
    cursor.execute(ITEM_TALLIES_SQL)


# The campaign's visitors: one Participation per attempt without an account of its quiz, with
# the counters the answers would have kept (campaigns.models.Participation.record_answer), a
# language, and survey answers before and (for most) after.
PARTICIPATIONS_SQL = """
INSERT INTO campaigns_participation (campaign_id, attempt_id, round, language, survey_before,
    survey_after, share_key, started_at, answered, correct, hits, misses, false_alarms,
    correct_rejections)
SELECT (SELECT id FROM campaigns_campaign), a.id, 'first',
       CASE WHEN a.id %% 3 = 0 THEN 'es' ELSE 'en' END, 1 + a.id %% 5,
       CASE WHEN a.id %% 4 = 0 THEN NULL ELSE 1 + (a.id / 3) %% 5 END,
       md5(a.uid::text), a.started_at,
       count(*), count(*) FILTER (WHERE an.is_correct),
       count(*) FILTER (WHERE c.verdict <> 'real' AND an.verdict <> 'real'),
       count(*) FILTER (WHERE c.verdict <> 'real' AND an.verdict = 'real'),
       count(*) FILTER (WHERE c.verdict = 'real' AND an.verdict <> 'real'),
       count(*) FILTER (WHERE c.verdict = 'real' AND an.verdict = 'real')
FROM quiz_attempt a
JOIN quiz_answer an ON an.attempt_id = a.id
JOIN quiz_item i ON i.id = an.item_id
JOIN media_library_clip c ON c.id = i.clip_id
WHERE a.id > %(after)s AND a.user_id IS NULL AND a.quiz_id = %(quiz)s
GROUP BY a.id
"""
# The per-item tallies (campaigns.models.ItemTally), rebuilt from the participations' answers.
ITEM_TALLIES_SQL = """
INSERT INTO campaigns_itemtally (campaign_id, item_id, round, language, answers, correct,
    said_fake)
SELECT p.campaign_id, an.item_id, p.round, p.language, count(*),
       count(*) FILTER (WHERE an.is_correct), count(*) FILTER (WHERE an.verdict <> 'real')
FROM campaigns_participation p JOIN quiz_answer an ON an.attempt_id = p.attempt_id
GROUP BY 1, 2, 3, 4
"""


def add_class_answers(cursor, classroom_id: int) -> None:
    """Every student finished every assignment: an attempt each, with its AssignmentWork."""
    cursor.execute("SELECT coalesce(max(id), 0) FROM quiz_attempt")
    after = cursor.fetchone()[0]
    cursor.execute(
        """
        INSERT INTO quiz_attempt (uid, mode, started_at, finished_at, user_id, quiz_id)
        SELECT gen_random_uuid(), 'assessment', started, started + interval '30 minutes',
               m.student_id, a.quiz_id
        FROM lessons_assignment a JOIN lessons_membership m ON m.classroom_id = a.classroom_id,
             -- Two days before it is due, or an hour ago for those due later.
             LATERAL (SELECT least(a.due_at - interval '2 days', now() - interval '1 hour')
                      AS started) AS s
        WHERE a.classroom_id = %(classroom)s
        """,
        {"classroom": classroom_id},
    )
    cursor.execute(
        """
        INSERT INTO lessons_assignmentwork (assignment_id, student_id, attempt_id)
        SELECT a.id, t.user_id, t.id
        FROM quiz_attempt t JOIN lessons_assignment a ON a.quiz_id = t.quiz_id
        WHERE t.id > %(after)s AND a.classroom_id = %(classroom)s
        """,
        {"after": after, "classroom": classroom_id},
    )
    cursor.execute(ENTRIES_SQL, {"after": after})
    cursor.execute(ANSWERS_SQL, {"after": after})


def grow_to(total: int, scene: Scene, class_added: bool) -> bool:
    """Adds answers until about `total` are stored; returns whether the class's are in."""
    from django.db import connection

    from quiz.models import Answer, Quiz

    with connection.cursor() as cursor:
        if not class_added and total >= CLASS_FROM:
            add_class_answers(cursor, scene.classroom.pk)
            class_added = True
        missing = total - Answer.objects.count()
        if missing > 0:
            quiz_ids = list(
                Quiz.objects.filter(slug__in=scene.public_slugs).values_list("pk", flat=True)
            )
            if not scene.learners:
                scene.learners = add_learners(cursor)
            add_public_answers(cursor, missing, quiz_ids, scene.learners)
    refresh_counters()
    # Outside any transaction: VACUUM refuses to run inside one.
    with psycopg.connect(f"{PG_URL}/{DB_NAME}", autocommit=True) as admin:
        admin.execute("VACUUM ANALYZE")
    return class_added


def refresh_counters() -> None:
    """Counters the app keeps as answers arrive (from the quiz side of issue 13 on: the crowd
    counts and the item statistics' answer groups) know nothing of rows added by SQL. Each
    model whose manager can rebuild its rows from the answers (`recount()`) does so, so the
    pages read the figures a live site would have; a branch without such counters has
    nothing to rebuild."""
    from django.apps import apps

    for model in apps.get_app_config("quiz").get_models():
        recount = getattr(model.objects, "recount", None)
        if recount is not None:
            started = time.perf_counter()
            recount()
            print(
                f"  {model.__name__} rebuilt in {time.perf_counter() - started:.1f} s", flush=True
            )


# --- Pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One measured request. `prepare` gets the Scene and returns the request to time (a
    function of no arguments returning the response); work that must not be timed, such as
    reading an answer form's key, happens in `prepare`. `target_ms` is checked at the largest
    scale; None makes the page a reference (its figures shown, its growth reported)."""

    name: str
    target_ms: float | None
    prepare: Callable[[Scene], Callable[[], object]]
    needs_class: bool = False


def get(client_name: str, path: Callable[[Scene], str]):
    def prepare(scene: Scene):
        client, url = scene.client(client_name), path(scene)
        return lambda: client.get(url)

    return prepare


def answer_post(scene: Scene):
    """A visitor's answer to the next item of a practice attempt (started untimed)."""
    client = _visitor_attempt(scene)
    position = scene.next_position
    page = client.get(f"/attempts/{scene.attempt_uid}/items/{position}/")
    key = KEY_INPUT.search(page.content.decode()).group(1)
    scene.next_position += 1
    url = f"/attempts/{scene.attempt_uid}/items/{position}/answer/"
    return lambda: client.post(url, {"key": key, "verdict": "real", "confidence": "70"})


def reveal(scene: Scene):
    """The item page after its answer: the reveal, with the crowd's figure and the clip's
    truth (the answer POST above just answered it)."""
    client = scene.client("visitor")
    url = f"/attempts/{scene.attempt_uid}/items/{scene.next_position - 1}/"
    return lambda: client.get(url)


def _visitor_attempt(scene: Scene):
    client = scene.client("visitor")
    if scene.next_position > PUBLIC_QUIZ_ITEMS:
        response = client.post(f"/quizzes/{scene.public_slugs[1]}/start/")
        scene.attempt_uid = response["Location"].split("/")[2]
        scene.next_position = 1
    return client


PAGES: list[Page] = [
    Page("item bank /build/items/", 200, get("teacher", lambda s: "/build/items/")),
    Page(
        "item statistics",
        200,
        get("teacher", lambda s: f"/build/quizzes/{s.stats_slug}/stats/"),
    ),
    Page(
        "pre/post dealing (form)",
        200,
        get("teacher", lambda s: f"/classes/{s.classroom.code}/pre-post/new/"),
    ),
    Page(
        "gradebook (30 k answers)",
        1000,
        get("teacher", lambda s: f"/classes/{s.classroom.code}/"),
        needs_class=True,
    ),
    Page(
        "gradebook CSV",
        1000,
        get("teacher", lambda s: f"/classes/{s.classroom.code}/gradebook.csv"),
        needs_class=True,
    ),
    Page(
        "campaign dashboard",
        200,
        get("organizer", lambda s: f"/campaigns/manage/{s.campaign_slug}/dashboard/"),
    ),
    Page(
        "campaign dashboard CSV",
        200,
        get("organizer", lambda s: f"/campaigns/manage/{s.campaign_slug}/dashboard.csv"),
    ),
    Page("answer POST (reference)", None, answer_post),
    Page("reveal (reference)", None, reveal),
]


@dataclass
class Figure:
    page: str
    scale: int
    answers: int
    queries: int
    median_ms: float
    runs_ms: list[float]
    status: int


def measure(page: Page, scene: Scene, answers: int, scale: int) -> Figure:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        request = page.prepare(scene)
        begin = len(captured)
        started = time.perf_counter()
        response = request()
        counted_ms = (time.perf_counter() - started) * 1000
        queries = len(captured) - begin
    if response.status_code not in (200, 302):
        raise SystemExit(f"{page.name}: HTTP {response.status_code}")
    # The counted run warmed the caches (and paid for lazy imports, such as scikit-learn's
    # for the ROC area): never timed. A slow page is then timed once, the others REPEAT times.
    runs = []
    for _run in range(1 if counted_ms >= SLOW_SECONDS * 1000 else REPEAT):
        request = page.prepare(scene)
        started = time.perf_counter()
        request()
        runs.append((time.perf_counter() - started) * 1000)
    return Figure(
        page.name, scale, answers, queries, statistics.median(runs), runs, response.status_code
    )


def measure_purge(months: int) -> str:
    """The retention purge over the answers older than `months` (about a quarter of the public
    answers at the largest size: they span 120 days), last because it deletes them."""
    import io

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum
    from django.test.utils import CaptureQueriesContext

    from quiz.models import Answer, AnswerAggregate

    before = Answer.objects.count()
    out = io.StringIO()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        call_command("purge_answers", months=months, stdout=out)
        seconds = time.perf_counter() - started
    purged = before - Answer.objects.count()
    folded = AnswerAggregate.objects.aggregate(n=Sum("answers"))["n"] or 0
    if folded != purged:
        raise SystemExit(f"the purge deleted {purged} answers but folded {folded}")
    return (
        f"retention purge (--months {months}): {purged} of {before} answers folded and deleted "
        f"in {seconds:.1f} s = {purged / seconds:.0f} answers/s, {len(captured)} queries "
        f"({1000 * len(captured) / max(purged, 1):.1f} per 1000 answers)"
    )


def report(figures: list[Figure]) -> list[tuple[bool, str]]:
    by_page: dict[str, list[Figure]] = {}
    for figure in figures:
        by_page.setdefault(figure.page, []).append(figure)
    print()
    print(f"{'page':<28} {'answers':>9} {'queries':>7} {'median ms':>10}  runs")
    for name, rows in by_page.items():
        for row in rows:
            runs = ", ".join(f"{run:.0f}" for run in row.runs_ms)
            print(f"{name:<28} {row.answers:>9} {row.queries:>7} {row.median_ms:>10.1f}  ({runs})")
    verdicts = []
    largest = max(SCALES)
    for page in PAGES:
        rows = by_page.get(page.name, [])
        if not rows:
            continue
        last = rows[-1]
        if page.target_ms is None:
            growth = last.median_ms / rows[0].median_ms if rows[0].median_ms else float("nan")
            verdicts.append(
                (
                    True,
                    f"REF   {page.name}: {rows[0].median_ms:.1f} ms at {rows[0].answers} → "
                    f"{last.median_ms:.1f} ms at {last.answers} answers ({growth:.2f}x)",
                )
            )
            continue
        met = last.median_ms <= page.target_ms and last.scale == largest
        verdicts.append(
            (
                met,
                f"{'MET   ' if met else 'MISSED'} {page.name} <= {page.target_ms:.0f} ms at "
                f"{last.answers} answers: {last.median_ms:.1f} ms, {last.queries} queries",
            )
        )
    print("Targets (at the largest scale):")
    for _met, line in verdicts:
        print(f"  {line}")
    return verdicts


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="telltale-bench-scale-") as var_dir:
        configure_environment(var_dir)
        drop_database()
        admin_sql(f"CREATE DATABASE {DB_NAME}")
        try:
            return run()
        finally:
            from django.db import connections

            connections.close_all()
            if not KEEP_DATABASE:
                drop_database()


def run() -> int:
    import warnings

    import django

    # whitenoise's note that no collectstatic ran: nothing measured here serves a static file.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    scene = seed_rows()
    from quiz.models import Answer

    figures: list[Figure] = []
    class_added = False
    for scale in SCALES:
        grow_started = time.perf_counter()
        class_added = grow_to(scale, scene, class_added)
        answers = Answer.objects.count()
        print(
            f"{answers} answers stored ({time.perf_counter() - grow_started:.1f} s to add"
            f"{' the class and' if class_added and scale == CLASS_FROM else ''} them)",
            flush=True,
        )
        for page in PAGES:
            if page.needs_class and not class_added:
                continue
            figure = measure(page, scene, answers, scale)
            figures.append(figure)
            print(
                f"  {page.name:<28} {figure.queries:>5} queries {figure.median_ms:>9.1f} ms",
                flush=True,
            )
    verdicts = report(figures)
    purge = measure_purge(PURGE_MONTHS)
    print(purge)
    print(f"Whole run: {time.perf_counter() - started:.0f} s")
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS_DIR / f"scale-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "scales": SCALES,
                "repeat": REPEAT,
                "figures": [figure.__dict__ for figure in figures],
                "targets": [line for _met, line in verdicts],
                "purge": purge,
            },
            indent=2,
        )
    )
    print(f"Figures written to {out.relative_to(BASE_DIR)}")
    return 0 if all(met for met, _line in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
