"""A student's data on request: what a teacher may export, and what deleting removes.

A teacher sees only their own classes, so both stay inside them:

- **Export** (JSON): the pseudonym, the student's memberships in classes the requesting teacher
  owns or co-teaches, and the attempts and answers the student made on those classes'
  assignments. Practice, review and other teachers' classes are not the teacher's to read.
- **Delete**: the student's attempts (and so their answers) on this class's assignments, their
  work records and their membership go. The account itself, with everything else it holds
  (practice and review answers, review schedule), is deleted only when the student is then in
  no class at all and has no role beyond student; if another class (perhaps another teacher's)
  still has them, that class keeps its records and the account stays.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from lessons.models.assignments import AssignmentWork
from media_library.roles import has_role_beyond_student
from quiz.models import Answer, Attempt

EXPORT_VERSION = 1


def student_data(student, classrooms) -> dict:
    """Everything about student in classrooms (a queryset of the teacher's classes)."""
    memberships = student.memberships.filter(classroom__in=classrooms).select_related("classroom")
    work = (
        AssignmentWork.objects.filter(student=student, assignment__classroom__in=classrooms)
        .select_related("assignment__classroom", "attempt__quiz")
        .order_by("assignment__classroom__code", "assignment__due_at", "pk")
    )
    attempts = [w.attempt_id for w in work if w.attempt_id]
    answers: dict[int, list[dict]] = {}
    for answer in (
        Answer.objects.filter(attempt_id__in=attempts)
        .select_related("item", "entry")
        .order_by("attempt_id", "entry__position")
    ):
        answers.setdefault(answer.attempt_id, []).append(
            {
                "position": answer.entry.position,
                "item": str(answer.item.uid),
                "item_type": answer.item.kind,
                "verdict": answer.verdict,
                "technique": answer.technique,
                "picked": answer.picked,
                "point": [answer.point_x, answer.point_y] if answer.point_x is not None else None,
                "cell": answer.cell,
                "seconds": answer.seconds,
                "confidence": answer.confidence,
                "correct": answer.is_correct,
                "score": answer.score,
                "seconds_taken": answer.seconds_taken,
                "answered_at": answer.created_at.isoformat(),
            }
        )
    return {
        "format": EXPORT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "pseudonym": student.get_username(),
        "joined_site": student.date_joined.isoformat(),
        "memberships": [
            {
                "class": m.classroom.name,
                "code": m.classroom.code,
                "joined_at": m.joined_at.isoformat(),
            }
            for m in memberships
        ],
        "assignments": [
            {
                "class": w.assignment.classroom.code,
                "assignment": w.assignment.title,
                "due_at": w.assignment.due_at.isoformat(),
                "done_at": w.finished_at.isoformat() if w.finished_at else None,
                "attempt": _attempt(w.attempt, answers) if w.attempt_id else None,
            }
            for w in work
        ],
    }


def _attempt(attempt: Attempt, answers: dict[int, list[dict]]) -> dict:
    return {
        "quiz": attempt.quiz.title,
        "mode": attempt.mode,
        "started_at": attempt.started_at.isoformat(),
        "finished_at": attempt.finished_at.isoformat() if attempt.finished_at else None,
        "answers": answers.get(attempt.pk, []),
    }


def remove_student(classroom, student_pk: int) -> bool:
    """Take a student and their work out of classroom; delete the account when nothing else
    holds it (see the module docstring). Returns whether the account was deleted."""
    with transaction.atomic():
        membership = classroom.member(student_pk)
        student = membership.student
        work = AssignmentWork.objects.filter(assignment__classroom=classroom, student=student)
        # Deleting the attempts deletes their answers (CASCADE).
        Attempt.objects.filter(pk__in=list(work.values_list("attempt_id", flat=True))).delete()
        work.delete()
        membership.delete()
        if student.memberships.exists() or has_role_beyond_student(student):
            return False
        student.delete()
        return True
