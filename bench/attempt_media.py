"""Per-attempt quiz media benchmark: what making each attempt's bytes costs (quiz/attempt_media.py).

A 1920x1080 photograph-like picture and a 20-second 720p clip are processed for real on a
throwaway SQLite database, then fetched through Django's test client (no network, one process),
each many times in one run:

- baseline: the clip's library file as the public library serves it (the stored bytes, streamed);
- a quiz image with nothing cached (the stored picture fitted onto the canvas, then drawn for
  the attempt);
- a quiz image for a new attempt, the framed picture cached (noise and a fresh JPEG encode:
  what every attempt after the first costs);
- the same quiz image again in that attempt (from the cache);
- a quiz video for an attempt (the stored rendition streamed, with its padding box).

Prints the median milliseconds per request and each against the baseline of its kind.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
BENCH_VAR = tempfile.mkdtemp(prefix="telltale-bench-var-")
os.environ["TELLTALE_VAR_DIR"] = BENCH_VAR
os.environ.pop("DATABASE_URL", None)
os.environ.pop("CACHE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ["TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"
# No collectstatic here: pages name static files without the manifest.
os.environ["STATICFILES_BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
os.environ["ALLOWED_HOSTS"] = "testserver"

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from PIL import Image  # noqa: E402

from media_library.ffmpeg import ffmpeg_binary  # noqa: E402
from media_library.models import Clip, PublicationState  # noqa: E402
from quiz.models import Attempt, Item, Mode, Quiz  # noqa: E402

REPETITIONS = int(os.environ.get("BENCH_REPETITIONS", "30"))


def picture(path: Path) -> Path:
    # Smooth gradients with fine noise: compresses like a photograph, not like a flat test card.
    y, x = np.mgrid[0:1080, 0:1920]
    rng = np.random.default_rng(7)
    base = np.stack([x / 1920 * 255, y / 1080 * 255, (x + y) / 3000 * 255], axis=-1)
    pixels = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
    Image.fromarray(pixels, "RGB").save(path, "JPEG", quality=92)
    return path


def video(path: Path) -> Path:
    subprocess.run(
        [ffmpeg_binary(), "-nostdin", "-v", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=20",
         "-f", "lavfi", "-i", "sine=frequency=440:duration=20",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(path)],
        check=True,
    )  # fmt: skip
    return path


def processed(path: Path, curator: User) -> Clip:
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    clip = Clip.objects.create_from_upload(upload, curator, title=path.stem, verdict="real")
    clip.process()
    clip.refresh_from_db()
    Clip.objects.filter(pk=clip.pk).update(
        publication_state=PublicationState.PUBLISHED, teaching_example=True
    )
    clip.refresh_from_db()
    assert clip.quiz_media, clip.processing_error
    return clip


def timed(fetch=None, *, prepared=None) -> float:
    """Median ms of `fetch()`, or of what `prepared()` returns (made before the clock starts)."""
    runs = []
    for _ in range(REPETITIONS):
        if prepared is not None:
            fetch = prepared()
        started = time.perf_counter()
        response = fetch()
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
        assert response.status_code == 200, response.status_code
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def attempt_for(quiz: Quiz) -> tuple[Client, Attempt]:
    client = Client()
    client.post(f"/quizzes/{quiz.slug}/start/")
    return client, Attempt.objects.latest("pk")


def main() -> None:
    call_command("migrate", verbosity=0)
    curator = User.objects.create_user("bench-curator")
    work = Path(BENCH_VAR)
    image = processed(picture(work / "photo.jpg"), curator)
    clip = processed(video(work / "talk.mp4"), curator)
    quiz = Quiz.objects.create(title="Bench", mode=Mode.PRACTICE, is_published=True)
    for shown in (image, clip):
        quiz.add_item(Item.objects.create(clip=shown, kind="verdict"))
    client, attempt = attempt_for(quiz)
    position = {e.item.clip_id: e.position for e in attempt.entries.select_related("item")}

    def media(shown: Clip) -> str:
        return f"/attempts/{attempt.uid}/items/{position[shown.pk]}/a/media/"

    def cold():
        cache.clear()
        return client.get(media(image))

    def new_attempt():
        # A new attempt's image: its own key, the shared framed picture already cached.
        fresh_client, fresh = attempt_for(quiz)
        entry = fresh.entries.get(item__clip=image)
        url = f"/attempts/{fresh.uid}/items/{entry.position}/a/media/"
        return lambda: fresh_client.get(url)

    library_image = timed(lambda: client.get(image.media_url))
    nothing_cached = timed(cold)
    first = timed(prepared=new_attempt)
    again = timed(lambda: client.get(media(image)))
    library_video = timed(lambda: client.get(clip.media_url))
    quiz_video = timed(lambda: client.get(media(clip)))
    size = len(b"".join(client.get(media(image)).streaming_content))
    print(f"Picture {image.width}x{image.height} -> quiz JPEG of {size / 1024:.0f} KiB; "
          f"video 20 s 720p; {REPETITIONS} requests each, median")  # fmt: skip
    print(f"  library image (baseline)      : {library_image:7.1f} ms")
    print(f"  quiz image, nothing cached    : {nothing_cached:7.1f} ms  = "
          f"{nothing_cached / library_image:5.1f}x")  # fmt: skip
    print(f"  quiz image, drawn for attempt : {first:7.1f} ms  = {first / library_image:5.1f}x")
    print(f"  quiz image, again (cached)    : {again:7.1f} ms  = {again / library_image:5.1f}x")
    print(f"  library video (baseline)      : {library_video:7.1f} ms")
    print(f"  quiz video, padded for attempt: {quiz_video:7.1f} ms  = "
          f"{quiz_video / library_video:5.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
