"""The links the lessons app provides to lower apps' pages (media_library/links.py), registered
by LessonsConfig.ready(): the lesson that teaches a tell (the quiz reveal, the detector's
reasons), the lesson on why detectors fail (the detector's "cannot tell") and the learner's
progress page (quiz lists and results)."""

from __future__ import annotations

from django.urls import reverse

from lessons.models import Lesson
from media_library import links


def lesson_for_tell(category: str) -> links.Link | None:
    lesson = Lesson.objects.for_tell(category)
    return None if lesson is None else links.Link(lesson.get_absolute_url(), lesson.title)


def lesson_on_detectors() -> links.Link | None:
    lesson = Lesson.objects.on_detectors()
    return None if lesson is None else links.Link(lesson.get_absolute_url(), lesson.title)


def learner_progress() -> links.Link:
    return links.Link(reverse("classrooms:my-progress"))


def lesson_list() -> links.Link:
    return links.Link(reverse("lessons:lesson-list"))


def register() -> None:
    links.register(links.LESSON_FOR_TELL, lesson_for_tell)
    links.register(links.LEARNER_PROGRESS, learner_progress)
    links.register(links.LESSONS, lesson_list)
    links.register(links.LESSON_ON_DETECTORS, lesson_on_detectors)
