"""The lessons app's models, one module per feature: lessons and the glossary, classrooms and
their students, assignments and students' work on them, pre-test/post-test pairs, and the
spaced review schedule. Answers and what the retention purge keeps of them are the quiz's."""

from lessons.models.assignments import Assignment, AssignmentRole, AssignmentWork
from lessons.models.classrooms import Classroom, ClassroomQuerySet, Membership
from lessons.models.glossary import GlossaryTerm, GlossaryTermQuerySet
from lessons.models.lessons import Lesson, LessonKind, LessonQuerySet
from lessons.models.prepost import PrePost
from lessons.models.review import ReviewSchedule

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
    "ReviewSchedule",
]
