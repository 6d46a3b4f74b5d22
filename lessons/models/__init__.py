"""Lessons and the glossary (`lesson.py`); classrooms and assignments build on them."""

from lessons.models.lesson import (
    GlossaryTerm,
    GlossaryTermQuerySet,
    Lesson,
    LessonKind,
    LessonQuerySet,
)

__all__ = ["GlossaryTerm", "GlossaryTermQuerySet", "Lesson", "LessonKind", "LessonQuerySet"]
