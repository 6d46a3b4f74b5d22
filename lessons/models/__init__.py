"""Lessons and the glossary (`lesson.py`); classrooms, assignments and students' work on them
(`classroom.py`); pre-test/post-test pairs (`prepost.py`)."""

from lessons.models.classroom import (
    Assignment,
    AssignmentRole,
    AssignmentWork,
    Classroom,
    ClassroomQuerySet,
    Membership,
)
from lessons.models.lesson import (
    GlossaryTerm,
    GlossaryTermQuerySet,
    Lesson,
    LessonKind,
    LessonQuerySet,
)
from lessons.models.prepost import PrePost

__all__ = [
    "Assignment",
    "AssignmentRole",
    "AssignmentWork",
    "Classroom",
    "ClassroomQuerySet",
    "GlossaryTerm",
    "GlossaryTermQuerySet",
    "Lesson",
    "LessonKind",
    "LessonQuerySet",
    "Membership",
    "PrePost",
]
