"""Lessons and the glossary (`lesson.py`); classrooms, assignments and students' work on them
(`classroom.py`); pre-test/post-test pairs (`prepost.py`); review schedules and the aggregates
kept after the retention purge (`learners.py`)."""

from lessons.models.classroom import (
    Assignment,
    AssignmentRole,
    AssignmentWork,
    Classroom,
    ClassroomQuerySet,
    Membership,
)
from lessons.models.learners import AnswerAggregate, ReviewSchedule, TellTally
from lessons.models.lesson import (
    GlossaryTerm,
    GlossaryTermQuerySet,
    Lesson,
    LessonKind,
    LessonQuerySet,
)
from lessons.models.prepost import PrePost

__all__ = [
    "AnswerAggregate",
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
    "ReviewSchedule",
    "TellTally",
]
