"""The library lookup by fingerprint at 100, 1,000 and 10,000 clips, on SQLite and PostgreSQL.

For each database (a throwaway SQLite file; a throwaway PostgreSQL database telltale_bench_fp
when one answers on BENCH_PG_URL) it migrates, then grows the library to each scale with clips
whose fingerprints are synthetic but shaped like real ones: 20 to 60 seconds long, two keyframes
a second, shots of 2 to 8 seconds in which each keyframe's hash is the last one with a few bits
flipped, a new random hash at each cut. Two real fingerprints go in first: a slow pan over the
portrait of Eileen Collins and one over Grace Hopper's (photographs shipped by scikit-image and
matplotlib), made with ffmpeg. Rows are written in bulk (bulk_create), not one at a time.

At each scale it times, taking turns, BENCH_REPEAT times each (medians):
- a bare primary-key query (`Clip.objects.filter(pk=…).first()`): the baseline of the same run;
- the index lookup (`ClipFingerprint.candidates()`, what `look_up` runs before verifying) for
  the real pan slowed to 0.75x by the workshop, and for a synthetic clip: 15 s cut from a stored
  fingerprint with bits flipped as a re-encode would.
and reports each as a ratio against the baseline and against the same lookup at 100 clips,
whether the right clip came first, and, once at the largest scale, what a scan costs: reading
every fingerprint and comparing it with `similarity()`. The verification that follows a lookup
(decoding at most three candidates and aligning them) does not depend on the library's size;
it is timed once on the real pair. Writes bench/results/fingerprint-<time>.json.
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "telltale_bench_fp"
SCALES = [int(n) for n in os.environ.get("BENCH_SCALES", "100,1000,10000").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
RESULTS_DIR = BASE_DIR / "bench" / "results"
# Targets at 10,000 clips: the lookup within 250 ms (a quarter of verifying one candidate, which
# follows it anyway), within 10x its time at 100 clips (the library grew 100x), the right clip
# first, and a scan at least 10x the lookup.
TARGET_MS = 250.0
TARGET_GROWTH = 10.0
TARGET_SCAN = 10.0


def configure(database_url: str, var_dir: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver",
            "TELLTALE_VAR_DIR": var_dir,
            "LOG_LEVEL": "WARNING",
        }
    )


def synthetic(rng: np.random.Generator, seconds: float | None = None) -> dict:
    """A fingerprint shaped like a real clip's: shots of near-identical hashes."""
    from media_library.detector import fingerprint as fp

    seconds = seconds or float(rng.uniform(20, 60))
    count = int(seconds * fp.SAMPLES_PER_SECOND)
    hashes = []
    for _ in range(2):  # the DCT and the difference hashes
        steps = flips(rng, count, 3)
        index = 0
        while index < count:
            shot = min(count - index, int(rng.uniform(2, 8) * fp.SAMPLES_PER_SECOND))
            steps[index] = rng.integers(0, 2**64, dtype=np.uint64)  # a cut: a new picture
            index += shot
        # Within a shot each hash is the one before with a few bits flipped (a cut XORs in a
        # random value, which gives a random hash).
        hashes.append(np.bitwise_xor.accumulate(steps))
    phash, dhash = hashes
    made = fp.Fingerprint(
        times=np.arange(count) / fp.SAMPLES_PER_SECOND,
        phash=phash,
        dhash=dhash,
        informative=np.ones(count, dtype=bool),
        duration=seconds,
    )
    return made


def flips(rng: np.random.Generator, count: int, bits: int) -> np.ndarray:
    """`count` masks of (up to) `bits` random bits each."""
    positions = rng.integers(0, 64, size=(count, bits)).astype(np.uint64)
    return np.bitwise_or.reduce(np.uint64(1) << positions, axis=1)


def reencoded(rng: np.random.Generator, source, start: int, length: int):
    """A stretch of `source` with bits flipped in every hash, as a re-encode and crop do."""
    from media_library.detector import fingerprint as fp

    pick = slice(start, start + length)
    return fp.Fingerprint(
        times=source.times[pick] - source.times[start],
        phash=source.phash[pick] ^ flips(rng, length, 6),
        dhash=source.dhash[pick] ^ flips(rng, length, 6),
        informative=source.informative[pick],
        duration=length / fp.SAMPLES_PER_SECOND,
    )


def real_clips(folder: Path) -> dict[str, Path]:
    """Slow pans over two public-domain photographs, and the first slowed by the workshop."""
    from media_library.demo.sources import COLLINS, HOPPER
    from media_library.ffmpeg import ffmpeg_binary
    from media_library.workshop import RECIPES
    from media_library.workshop.forms import SourceInfo

    paths = {}
    for name, photo in (("collins", COLLINS), ("hopper", HOPPER)):
        paths[name] = folder / f"{name}.mp4"
        subprocess.run(
            [
                ffmpeg_binary(), "-nostdin", "-loglevel", "error", "-y",
                "-loop", "1", "-i", str(photo.path), "-t", "20", "-r", "25",
                "-vf", "scale=1280:-2,crop=640:480:x='(in_w-640)*(0.5+0.5*sin(t*0.4))'"
                ":y='(in_h-480)*(0.5+0.5*sin(t*0.3+1))',format=yuv420p",
                "-c:v", "libx264", "-preset", "veryfast", str(paths[name]),
            ],
            check=True,
        )  # fmt: skip
    info = SourceInfo(duration=20.0, width=640, height=480, frame_rate=25.0, has_audio=False)
    paths["slowed"] = folder / "slowed.mp4"
    command = RECIPES["slow_speech"].command(
        [paths["collins"]], paths["slowed"], {"factor": 0.75}, info
    )
    subprocess.run(command, check=True, capture_output=True)
    return paths


class Library:
    def __init__(self) -> None:
        from media_library.models import Clip

        self.count = 0
        self.base_time = datetime(2020, 1, 1, tzinfo=UTC)
        self.clip_model = Clip

    def add(self, prints: list) -> list[int]:
        """Insert clips with these fingerprints and their keys, in bulk, in one transaction."""
        from django.db import transaction

        with transaction.atomic():
            return self._add(prints)

    def _add(self, prints: list) -> list[int]:
        from django.db import connection

        from media_library.models import ClipFingerprint, FingerprintKey

        Clip = self.clip_model
        clips = [
            Clip(
                title=f"Bench clip {self.count + i}",
                slug=f"bench-clip-{self.count + i}",
                kind="video",
                processing_status="ready",
            )
            for i in range(len(prints))
        ]
        Clip.objects.bulk_create(clips, batch_size=1000)
        ids = list(
            Clip.objects.filter(slug__in=[c.slug for c in clips])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # Earlier than any clip looked up later: every stored clip may be an original.
        Clip.objects.filter(pk__in=ids).update(created_at=self.base_time)
        ClipFingerprint.objects.bulk_create(
            [
                ClipFingerprint(clip_id=i, data=p.as_json())
                for i, p in zip(ids, prints, strict=True)
            ],
            batch_size=500,
        )
        rows = [
            (i, band, key) for i, p in zip(ids, prints, strict=True) for band, key in p.band_keys()
        ]
        # The ORM's bulk_create makes an object per row: at millions of rows, plain executemany.
        table = FingerprintKey._meta.db_table  # the model's own table name, not input
        with connection.cursor() as cursor:
            cursor.executemany(
                f'INSERT INTO {table} (clip_id, band, "key") VALUES (%s, %s, %s)',  # noqa: S608
                rows,
            )
        self.count += len(prints)
        return ids


def timed(function, repeat: int = REPEAT) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs) * 1000, result


def run(database: str, var_dir: str) -> dict:
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    from media_library.detector import fingerprint as fp
    from media_library.detector.footage import read_footage
    from media_library.models import Clip, ClipFingerprint, FingerprintKey

    rng = np.random.default_rng(15)
    folder = Path(var_dir)
    paths = real_clips(folder)
    footage = {name: read_footage(path) for name, path in paths.items()}
    library = Library()
    real_ids = library.add([fp.fingerprint(footage["collins"]), fp.fingerprint(footage["hopper"])])
    source = synthetic(rng, 50.0)
    (source_id,) = library.add([source])

    # The clips looked up: stored like any clip, but newer and with no keys of their own.
    def query_record(title: str, made) -> ClipFingerprint:
        clip = Clip.objects.create(title=title, kind="video", processing_status="ready")
        Clip.objects.filter(pk=clip.pk).update(created_at=library.base_time + timedelta(days=1))
        return ClipFingerprint.objects.create(clip=clip, data=made.as_json())

    queries = {
        "real pan slowed to 0.75x": (
            query_record("Query slowed", fp.fingerprint(footage["slowed"])),
            real_ids[0],
        ),
        "synthetic 15 s re-encoded": (
            query_record("Query synthetic", reencoded(rng, source, 20, 30)),
            source_id,
        ),
    }
    figures: dict = {"database": database, "scales": []}
    for scale in SCALES:
        started = time.perf_counter()
        while library.count < scale:
            batch = min(1000, scale - library.count)
            library.add([synthetic(rng) for _ in range(batch)])
        added = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum (or SQLite's optimize) would
        rows = FingerprintKey.objects.count()
        probe_pk = real_ids[1]
        baseline, _ = timed(lambda pk=probe_pk: Clip.objects.filter(pk=pk).first())
        step = {"clips": library.count, "key_rows": rows, "baseline_ms": baseline, "lookups": {}}
        print(
            f"{database}: {library.count} clips, {rows} key rows ({added:.1f} s to add); "
            f"primary-key query {baseline:.2f} ms",
            flush=True,
        )
        for name, (record, expected) in queries.items():
            ms, found = timed(record.candidates)
            top = found[0][0] if found else None
            step["lookups"][name] = {
                "ms": ms,
                "ratio_to_baseline": ms / baseline,
                "candidates": len(found),
                "right_first": top == expected,
            }
            print(
                f"  lookup, {name:<26} {ms:8.2f} ms = {ms / baseline:6.1f}x the primary-key query;"
                f" {len(found)} candidates, right clip first: {top == expected}",
                flush=True,
            )
        figures["scales"].append(step)

    # A scan for contrast: read every fingerprint, compare each with the query.
    record = queries["real pan slowed to 0.75x"][0]
    ours = record.fingerprint

    def scan() -> int:
        best = 0
        for data in ClipFingerprint.objects.exclude(pk=record.pk).values_list("data", flat=True):
            if fp.similarity(ours, fp.Fingerprint.from_json(data)) >= fp.MIN_SIMILARITY:
                best += 1
        return best

    scan_ms, _ = timed(scan, repeat=1)
    figures["scan_ms"] = scan_ms
    print(f"  scan of every fingerprint at {library.count} clips: {scan_ms:8.0f} ms", flush=True)

    # Verification, whatever the library's size: decode the candidate and align.
    def verify() -> bool:
        theirs = read_footage(paths["collins"])
        return fp.verify(footage["slowed"], theirs, 1.0) is not None

    verify_ms, verified = timed(verify, repeat=3)
    figures["verify_ms"] = verify_ms
    print(
        f"  verifying one candidate (decode 20 s of 640x480, align): {verify_ms:.0f} ms"
        f" ({'matched' if verified else 'NOT matched'})",
        flush=True,
    )
    return figures


def report(results: list[dict]) -> bool:
    ok = True
    print("\nAt the largest scale, against the same run's baselines:")
    for figures in results:
        first, last = figures["scales"][0], figures["scales"][-1]
        for name, lookup in last["lookups"].items():
            small = first["lookups"][name]["ms"]
            growth = lookup["ms"] / small
            scan = figures["scan_ms"] / lookup["ms"]
            met = (
                lookup["ms"] <= TARGET_MS
                and growth <= TARGET_GROWTH
                and lookup["right_first"]
                and scan >= TARGET_SCAN
            )
            ok &= met
            print(
                f"  {figures['database']}, {name}: {lookup['ms']:.1f} ms at {last['clips']} "
                f"clips = {lookup['ratio_to_baseline']:.1f}x a primary-key query, "
                f"{growth:.1f}x the lookup at {first['clips']} clips; "
                f"scan {scan:.0f}x the lookup; {'met' if met else 'MISSED'} "
                f"(<= {TARGET_MS:.0f} ms, <= {TARGET_GROWTH:.0f}x, right clip first, "
                f"scan >= {TARGET_SCAN:.0f}x)"
            )
    return ok


def postgres_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True, connect_timeout=3):
            return True
    except Exception:
        return False


def child(database: str, out: str) -> int:
    """One database's run, in its own interpreter (Django is set up once per process)."""
    with tempfile.TemporaryDirectory(prefix="telltale-bench-fp-") as var_dir:
        sqlite = f"sqlite:///{var_dir}/bench.db"
        configure(sqlite if database == "sqlite" else f"{PG_URL}/{DB_NAME}", var_dir)
        figures = run(database, var_dir)
        Path(out).write_text(json.dumps(figures))
    return 0


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        return child(sys.argv[2], sys.argv[3])
    databases = ["sqlite"] + (["postgresql"] if postgres_answers() else [])
    results = []
    for database in databases:
        if database == "postgresql":
            import psycopg

            with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
                connection.execute(f"CREATE DATABASE {DB_NAME}")
        out = Path(tempfile.mkstemp(prefix="telltale-bench-fp-", suffix=".json")[1])
        try:
            subprocess.run([sys.executable, __file__, "--child", database, str(out)], check=True)
            results.append(json.loads(out.read_text()))
        finally:
            out.unlink(missing_ok=True)
            if database == "postgresql":
                import psycopg

                with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as connection:
                    connection.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    if "postgresql" not in databases:
        print(f"PostgreSQL does not answer on {PG_URL}: measured on SQLite only.")
    ok = report(results)
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS_DIR / f"fingerprint-{stamp}.json").write_text(json.dumps(results, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
