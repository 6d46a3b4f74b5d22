"""The small factories every test module shares: users, clips, tells, items, quizzes, attempts
and classes in the database; real media files made on the spot; answer records for the measures;
and a few helpers for what a response carries.

Nothing here is mocked: the clips are genuine MP4/WebM files from ffmpeg's test sources, and the
research clips in ../shared/media/dev are used when present (tests skip cleanly when not). The
named users and the test case classes are in tests/base.py.
"""

from __future__ import annotations

import os
import struct
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from PIL import Image

from campaigns.models import Campaign, CampaignText, PartnerLink
from lessons.models import Assignment, Classroom
from media_library.ffmpeg import ffmpeg_binary
from media_library.models import (
    Clip,
    MediaKind,
    ProcessingStatus,
    PublicationState,
    Tell,
    Verdict,
)
from media_library.roles import Role, grant
from quiz.measures import AnswerRecord
from quiz.models import Attempt, Item, ItemKind, Mode, Quiz

# Users ------------------------------------------------------------------------------------------


def make_user(username: str, *roles: Role, curator: bool = False, **extra) -> User:
    """A user with password "password" holding `roles` (`curator=True` is Role.CURATOR)."""
    user = User.objects.create_user(username, password="password", **extra)
    for role in (*roles, *([Role.CURATOR] if curator else [])):
        grant(user, role)
    return user


def make_teacher(username: str) -> User:
    return make_user(username, Role.TEACHER)


# Clips and tells (no media work) ----------------------------------------------------------------


def make_clip(title: str = "A clip", **fields) -> Clip:
    fields.setdefault("verdict", Verdict.REAL)
    fields.setdefault("processing_status", ProcessingStatus.PENDING)
    return Clip.objects.create(title=title, **fields)


def ready_clip(title: str = "Ready clip", **fields) -> Clip:
    """A processed video clip as far as the curator area can tell (no files behind it)."""
    fields.setdefault("processing_status", ProcessingStatus.READY)
    fields.setdefault("kind", MediaKind.VIDEO)
    fields.setdefault("duration_seconds", 10.0)
    fields.setdefault("width", 320)
    fields.setdefault("height", 240)
    return make_clip(title, **fields)


# Quiz items, quizzes and attempts ---------------------------------------------------------------


def quizzable_clip(title: str, verdict: str = Verdict.REAL, **fields) -> Clip:
    """A published, processed clip whose blind rendition exists (as a name: tests that fetch
    the media make real files instead)."""
    fields.setdefault("kind", "video")
    fields.setdefault("duration_seconds", 10.0)
    fields.setdefault("width", 640)
    fields.setdefault("height", 360)
    fields.setdefault("licence", "CC0")
    fields.setdefault("media_file", f"clips/{uuid.uuid4().hex}/clip.mp4")
    fields.setdefault("quiz_media", f"quiz/{uuid.uuid4().hex}.mp4")
    fields.setdefault("feed_media", f"quiz/{uuid.uuid4().hex}.mp4")
    return make_clip(
        title,
        verdict=verdict,
        processing_status=ProcessingStatus.READY,
        publication_state=PublicationState.PUBLISHED,
        **fields,
    )


def add_tell(clip: Clip, category: str = "face_edges", **fields) -> Tell:
    fields.setdefault("start_seconds", 2.0)
    fields.setdefault("end_seconds", 4.0)
    fields.setdefault("explanation", "The edge of the face flickers.")
    return Tell.objects.create(clip=clip, category=category, **fields)


def make_item(clip: Clip, kind: str = ItemKind.VERDICT, **fields) -> Item:
    item = Item(clip=clip, kind=kind, **fields)
    item.full_clean()
    item.save()
    return item


def make_quiz(items: list[Item], title: str = "Spot the fake", **fields) -> Quiz:
    fields.setdefault("mode", Mode.PRACTICE)
    fields.setdefault("is_published", True)
    quiz = Quiz.objects.create(title=title, **fields)
    for item in items:
        quiz.add_item(item)
    return quiz


def start(client: Client, quiz: Quiz):
    """Start an attempt as the client's visitor; returns the Attempt."""
    before = set(Attempt.objects.values_list("pk", flat=True))
    response = client.post(f"/quizzes/{quiz.slug}/start/")
    assert response.status_code == 302, response
    return Attempt.objects.exclude(pk__in=before).get()


def answer_key(client: Client, attempt, position: int) -> str:
    """The idempotency key the item page's form carries."""
    response = client.get(f"/attempts/{attempt.uid}/items/{position}/")
    return response.context["form"]["key"].value()


# Campaigns --------------------------------------------------------------------------------------

ELECTION_AUTHORITY = (
    "The election authority's fact checks",
    "https://elections.example.org/checks",
)


def make_campaign(
    quiz: Quiz,
    organizer: User,
    *,
    texts: dict[str, tuple[str, str, str]],
    slug: str = "vote-smart",
    starts: int = -1,
    ends: int = 7,
    **fields,
) -> Campaign:
    """A campaign over `quiz` from `starts` to `ends` days from now, with each language's
    (title, intro, survey question) of `texts` (its languages, in that order) and the election
    authority's fact checks linked in English (opened in a new tab: never requested)."""
    now = timezone.now()
    campaign = Campaign.objects.create(
        slug=slug,
        organizer=organizer,
        quiz=quiz,
        languages=list(texts),
        starts_at=now + timedelta(days=starts),
        ends_at=now + timedelta(days=ends),
        **fields,
    )
    for language, (title, intro, question) in texts.items():
        CampaignText.objects.create(
            campaign=campaign,
            language=language,
            title=title,
            intro=intro,
            survey_question=question,
        )
    label, url = ELECTION_AUTHORITY
    PartnerLink.objects.create(campaign=campaign, language="en", label=label, url=url)
    return campaign


# Classes ----------------------------------------------------------------------------------------


def assign(classroom: Classroom, quiz: Quiz, *, days: int = 7, **fields) -> Assignment:
    return Assignment.objects.create(
        classroom=classroom,
        title=fields.pop("title", quiz.title),
        quiz=quiz,
        due_at=timezone.now() + timedelta(days=days),
        **fields,
    )


# Real media files -------------------------------------------------------------------------------

# TELLTALE_DEV_MEDIA points elsewhere (or at nothing, to check the suite without the clips).
DEV_MEDIA = Path(
    os.environ.get("TELLTALE_DEV_MEDIA")
    or Path(settings.BASE_DIR).parent / "shared" / "media" / "dev"
)

requires_dev_media = pytest.mark.skipif(
    not DEV_MEDIA.is_dir(), reason="../shared/media/dev is absent (research clips)"
)


def dev_clip(relative: str) -> Path:
    path = DEV_MEDIA / relative
    if not path.is_file():
        pytest.skip(f"dev clip {relative} is absent")
    return path


# Small, quick H.264 (the output options most test clips share).
FAST_H264 = ("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")


def run_ffmpeg(*args: str) -> None:
    """The app's ffmpeg, quiet and overwriting; any error fails the test."""
    command = [ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]
    subprocess.run(command, check=True)


def make_video(
    path: Path,
    *,
    seconds: float = 2.0,
    width: int = 320,
    height: int = 240,
    fps: int = 25,
    audio: bool = True,
    video_codec: str = "libx264",
    container: str = "mp4",
) -> Path:
    """Write a real clip: ffmpeg's test pattern with a moving counter and a sine tone."""
    args = [
        ffmpeg_binary(),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}",
    ]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    args += ["-c:v", video_codec, "-pix_fmt", "yuv420p"]
    if video_codec == "libx264":
        args += ["-preset", "ultrafast"]
    if audio:
        args += ["-c:a", "aac" if container in {"mp4", "mov"} else "libopus"]
    args += ["-f", container, str(path)]
    subprocess.run(args, check=True)
    return path


def make_image(path: Path, *, size: tuple[int, int] = (640, 480), fmt: str = "JPEG") -> Path:
    image = Image.new("RGB", size, (200, 120, 60))
    for x in range(0, size[0], 40):
        for y in range(0, size[1], 40):
            if (x // 40 + y // 40) % 2:
                image.paste((40, 80, 160), (x, y, x + 40, y + 40))
    image.save(path, fmt)
    return path


def top_level_boxes(path: Path) -> list[bytes]:
    """The types of an MP4 file's top-level boxes, in order (ftyp, moov, mdat…)."""
    data, boxes, i = path.read_bytes(), [], 0
    while i + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[i : i + 8])
        if size == 1:
            size = struct.unpack(">Q", data[i + 8 : i + 16])[0]
        boxes.append(kind)
        if size < 8:
            break
        i += size
    return boxes


# Answer records for quiz.measures (no database) -------------------------------------------------


def verdict(item: int, truth: str, said: str, confidence: int, **extra) -> AnswerRecord:
    return AnswerRecord(
        attempt_id=extra.pop("attempt_id", 1),
        item_id=item,
        kind="verdict",
        correct=truth == said,
        confidence=confidence,
        truth=truth,
        said=said,
        **extra,
    )


# One attempt of twelve answers.
# Fakes (4): 1 deepfake→deepfake (hit), 2 deepfake→shallowfake (hit under the wrong fake label,
# so it is a hit but not a correct answer), 3 shallowfake→shallowfake (hit), 4 shallowfake→real
# (miss). H = 3/4 = .75; deepfakes 2/2, shallowfakes 1/2.
# Reals (5): 5, 6, 7 real→real; 8 real→deepfake and 9 real→shallowfake (false alarms). F = 2/5 = .4.
# z(.75) = 0.6745, z(.4) = -0.2533
# d' = 0.6745 - (-0.2533) = 0.9278;  c = -(0.6745 + (-0.2533)) / 2 = -0.2106
# Right: 1, 3, 5, 6, 7, 10, 12 → 7 of 12.
FIXTURE = [
    verdict(1, "deepfake", "deepfake", 90, tell_categories=("blinking",), seconds=10.0),
    verdict(2, "deepfake", "shallowfake", 60, tell_categories=("lip_sync",), seconds=20.0),
    verdict(3, "shallowfake", "shallowfake", 80, tell_categories=("speed_change",), seconds=30.0),
    verdict(4, "shallowfake", "real", 70, tell_categories=("cut_splice",)),
    verdict(5, "real", "real", 50),
    verdict(6, "real", "real", 100),
    verdict(7, "real", "real", 95),
    verdict(8, "real", "deepfake", 85),
    verdict(9, "real", "shallowfake", 55),
    AnswerRecord(1, 10, "pair", True, 75, tell_categories=("blinking", "lip_sync")),
    AnswerRecord(1, 11, "spot_tell", False, None, tell_categories=("blinking",)),
    AnswerRecord(1, 12, "technique", True, None),
]


# What a response carries ------------------------------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]
