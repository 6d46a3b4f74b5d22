"""Small factories for quiz tests: quizzable clips (no media work), items, quizzes, answers."""

from __future__ import annotations

import uuid

from django.test import Client

from media_library.models import Clip, ProcessingStatus, PublicationState, Tell, Verdict
from quiz.models import Item, ItemKind, Mode, Quiz
from tests.base import make_clip


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
    from quiz.models import Attempt

    before = set(Attempt.objects.values_list("pk", flat=True))
    response = client.post(f"/quizzes/{quiz.slug}/start/")
    assert response.status_code == 302, response
    return Attempt.objects.exclude(pk__in=before).get()


def answer_key(client: Client, attempt, position: int) -> str:
    """The idempotency key the item page's form carries."""
    response = client.get(f"/attempts/{attempt.uid}/items/{position}/")
    return response.context["form"]["key"].value()
