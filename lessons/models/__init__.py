"""Lessons and the glossary (`lesson.py`); classrooms and assignments build on them."""

from lessons.models.lesson import GlossaryTerm, Lesson, LessonKind, LessonQuerySet

__all__ = ["GlossaryTerm", "Lesson", "LessonKind", "LessonQuerySet"]
