"""What the three languages cost: the same pages in Spanish and Chinese against English, and
the share card in Chinese against English, in one process and one run.

A throwaway SQLite database with the lessons (loaded in three languages), a published quiz of
ready clips and a campaign in English, Spanish and Chinese, then through Django's test client
(no network):

- the home page, a lesson and the quiz list at `/`, `/es/` and `/zh-hans/` (each against its
  English page: the catalogue's lookups, the per-language columns, the middleware);
- the campaign landing, served from the page cache, at each address;
- the share card drawn in Chinese (Noto Sans CJK from the mplfonts wheel, text in runs by glyph
  coverage) against the same card in English (DejaVu only), and the first Chinese card of a
  process, which reads the CJK font's coverage once.

Prints the median CPU milliseconds per request and each against its English baseline.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["TELLTALE_VAR_DIR"] = tempfile.mkdtemp(prefix="telltale-bench-var-")
for name in ("DATABASE_URL", "CACHE_URL", "REDIS_URL"):
    os.environ.pop(name, None)
os.environ["TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"
os.environ["STATICFILES_BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
os.environ["ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import translation  # noqa: E402

from media_library.models import Verdict  # noqa: E402
from quiz.share_card import render_share_card  # noqa: E402
from tests.factories import make_campaign, make_item, make_quiz, quizzable_clip  # noqa: E402

REPETITIONS = int(os.environ.get("BENCH_REPETITIONS", "40"))
PREFIXES = {"en": "", "es": "/es", "zh-hans": "/zh-hans"}
TEXTS = {
    "en": ("Vote smart: spot the fake", "Four clips, one minute.", "How sure are you?"),
    "es": ("Vota informado: descubre el falso", "Cuatro clips, un minuto.", "¿Qué tan seguro?"),
    "zh-hans": ("投票前：识破伪造", "四个片段，一分钟。", "你有多大把握？"),
}
CARDS = {
    "en": ("Vote smart: spot the fake", "I caught 1 of 2 fakes and trusted 2 of 2 real clips."),
    "zh-hans": (
        "投票前：识破伪造",
        "我识破了 2 个伪造片段中的 1 个，并且信任了 2 个真实片段中的 2 个。",
    ),
}


def cpu_ms(work, repetitions: int = REPETITIONS) -> float:
    work()  # warm: templates compiled, caches filled, the catalogue loaded
    times = []
    for _ in range(repetitions):
        start = time.process_time()
        work()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def page(url: str):
    client = Client()

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    return get


def seed() -> str:
    call_command("migrate", verbosity=0)
    call_command("load_lessons", verbosity=0)
    clips = [
        quizzable_clip(f"Clip {n}", Verdict.DEEPFAKE if n % 2 else Verdict.REAL) for n in range(4)
    ]
    quiz = make_quiz([make_item(clip) for clip in clips], title="Spot the fake", mode="assessment")
    make_campaign(quiz, User.objects.create_user("bench-organizer"), texts=TEXTS, slug="bench")
    return "bench"


def main() -> None:
    slug = seed()
    rows = []
    for name, path in [
        ("home page", "/"),
        ("a lesson", "/lessons/blinking/"),
        ("quiz list", "/quizzes/"),
        ("campaign landing (cached)", f"/c/{slug}/"),
    ]:
        english = cpu_ms(page(path))
        for language, prefix in PREFIXES.items():
            figure = english if language == "en" else cpu_ms(page(prefix + path))
            rows.append((name, language, figure, figure / english))
    with translation.override("zh-hans"):
        start = time.process_time()
        render_share_card(
            quiz_title=CARDS["zh-hans"][0], correct=3, total=4, headline="你能做到吗？", site="x"
        )
        first_card = (time.process_time() - start) * 1000

    def card(language: str):
        title, headline = CARDS[language]
        return lambda: render_share_card(
            quiz_title=title, correct=3, total=4, headline=headline, site="telltale.example/c/x"
        )

    english_card = cpu_ms(card("en"), 20)
    chinese_card = cpu_ms(card("zh-hans"), 20)
    print(f"{'what':30} {'language':9} {'CPU ms':>8} {'× English':>10}")
    for name, language, figure, ratio in rows:
        print(f"{name:30} {language:9} {figure:8.2f} {ratio:10.2f}")
    print(f"{'share card':30} {'en':9} {english_card:8.2f} {1:10.2f}")
    print(
        f"{'share card':30} {'zh-hans':9} {chinese_card:8.2f} {chinese_card / english_card:10.2f}"
    )
    print(f"first Chinese card of a process: {first_card:.0f} ms CPU (reads the CJK font once)")


if __name__ == "__main__":
    main()
