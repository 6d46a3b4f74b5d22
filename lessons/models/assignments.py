"""Assignments: a lesson or a quiz given to a class with a due date (pre-tests, post-tests and
retests too), and each student's work on one."""

from __future__ import annotations

import random
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lessons.models.lessons import Lesson
from quiz.models import Attempt, Quiz


class AssignmentRole(models.TextChoices):
    TASK = "task", _("Lesson or quiz")
    PRE_TEST = "pre_test", _("Pre-test")
    POST_TEST = "post_test", _("Post-test")
    RETEST = "retest", _("Delayed retest")


class Assignment(models.Model):
    """A lesson or a quiz given to a class, with a due date. Pre-tests, post-tests and
    retests are assignments too, tied together by their PrePost."""

    # By name: classrooms.py sits above this module (a class's gradebook reads its assignments).
    classroom = models.ForeignKey(
        "lessons.Classroom", on_delete=models.CASCADE, related_name="assignments"
    )
    title = models.CharField(_("title"), max_length=200)
    lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("lesson")
    )
    quiz = models.ForeignKey(
        Quiz, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("quiz")
    )
    role = models.CharField(max_length=20, choices=AssignmentRole, default=AssignmentRole.TASK)
    prepost = models.ForeignKey(
        "PrePost", null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    # A delayed retest opens days after the post-test; before that students see it but
    # cannot start it.
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lesson__isnull=True, quiz__isnull=False)
                | Q(lesson__isnull=False, quiz__isnull=True),
                name="assignment_lesson_or_quiz",
                violation_error_message=_("An assignment is a lesson or a quiz, not both."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now: datetime | None = None) -> bool:
        return self.opens_at is None or (now or timezone.now()) >= self.opens_at

    def work_of(self, student) -> AssignmentWork | None:
        return self.work.filter(student=student).select_related("attempt").first()

    def start(self, request: HttpRequest, rng: random.Random | None = None) -> Attempt:
        """The student's attempt at this assignment's quiz: the one they began, or a new one.
        One per student, so a pre-test cannot be retaken until it looks good."""
        if not self.is_open():
            raise ValidationError(_("This assignment is not open yet."))
        with transaction.atomic():
            work, _created = AssignmentWork.objects.select_for_update().get_or_create(
                assignment=self, student=request.user
            )
            if work.attempt is None:
                work.attempt = Attempt.objects.start(self.quiz, request, rng)
                work.save(update_fields=["attempt"])
        return work.attempt

    def mark_read(self, student) -> AssignmentWork:
        work, _created = AssignmentWork.objects.get_or_create(assignment=self, student=student)
        if work.done_at is None:
            work.done_at = timezone.now()
            work.save(update_fields=["done_at"])
        return work


class AssignmentWork(models.Model):
    """One student's work on one assignment: the quiz attempt they started from it, or for a
    lesson the moment they marked it read."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="work")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignment_work"
    )
    attempt = models.OneToOneField(
        Attempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="class_work"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="assignment_work_once"),
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.assignment}"

    @property
    def finished_at(self) -> datetime | None:
        if self.attempt is not None:
            return self.attempt.finished_at
        return self.done_at

    @property
    def is_late(self) -> bool:
        return self.finished_at is not None and self.finished_at > self.assignment.due_at
