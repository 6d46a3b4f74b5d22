"""Classrooms: a teacher's class, its co-teachers and pseudonymous students, its assignments
and the work students do on them. The gradebook's arithmetic lives in lessons/gradebook.py."""

from __future__ import annotations

import random
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from lessons.models.lesson import Lesson
from media_library.roles import Role, grant, has_role_beyond_student
from quiz.models import Attempt, Quiz

# Read aloud and copied from a projector: no I/1/L/O/0 to confuse.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8
TEMPORARY_PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 (an alphabet)


class ClassroomQuerySet(models.QuerySet["Classroom"]):
    def taught_by(self, user) -> ClassroomQuerySet:
        """Classes the user owns or co-teaches: the only classes a teacher ever sees."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(owner=user) | Q(co_teachers=user)).distinct()

    def active(self) -> ClassroomQuerySet:
        return self.filter(archived_at__isnull=True)


class Classroom(models.Model):
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("class code"), max_length=JOIN_CODE_LENGTH, unique=True)
    # PROTECT: closing a teacher's account must not silently take a class's records with it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_classrooms"
    )
    co_teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="co_taught_classrooms", blank=True
    )
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="classrooms"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ClassroomQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.code:
            self.code = self.new_code()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("classrooms:classroom-detail", args=[self.code])

    @classmethod
    def new_code(cls) -> str:
        while True:
            code = get_random_string(JOIN_CODE_LENGTH, JOIN_CODE_ALPHABET)
            if not cls.objects.filter(code=code).exists():
                return code

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def join_path(self) -> str:
        return reverse("classrooms:join-class", args=[self.code])

    def teachers(self) -> list:
        return [self.owner, *self.co_teachers.order_by("username")]

    def roster(self) -> models.QuerySet[Membership]:
        return self.memberships.select_related("student").order_by("student__username")

    def join(self, student) -> Membership:
        if self.is_archived:
            raise ValidationError(_("This class is archived and takes no new students."))
        if student.pk == self.owner_id or self.co_teachers.filter(pk=student.pk).exists():
            raise ValidationError(_("You teach this class."))
        membership, _created = Membership.objects.get_or_create(classroom=self, student=student)
        grant(student, Role.STUDENT)
        return membership

    def add_co_teacher(self, username: str) -> None:
        from django.contrib.auth import get_user_model

        teacher = (
            get_user_model()
            .objects.filter(Role.TEACHER.holders(), username__iexact=username)
            .distinct()
            .first()
        )
        # One message for "no such user" and "not a teacher": the form must not reveal
        # which accounts exist.
        if teacher is None:
            raise ValidationError(_("There is no teacher with that username."))
        if teacher.pk == self.owner_id:
            raise ValidationError(_("That teacher owns this class already."))
        self.co_teachers.add(teacher)

    def archive(self) -> None:
        if self.archived_at is None:
            self.archived_at = timezone.now()
            self.save(update_fields=["archived_at"])

    def member(self, student_pk: int) -> Membership:
        try:
            return self.memberships.select_related("student").get(student_id=student_pk)
        except Membership.DoesNotExist:
            raise ValidationError(_("That student is not in this class.")) from None

    def reset_password(self, student_pk: int) -> str:
        """Give a student of this class a new temporary password and return it (shown once,
        never stored in clear). Refused for anyone with a role beyond student: a teacher of
        one class must not be able to take over a colleague's or a curator's account."""
        student = self.member(student_pk).student
        if has_role_beyond_student(student):
            raise ValidationError(_("Only a student account's password can be reset here."))
        password = "-".join(get_random_string(4, TEMPORARY_PASSWORD_LETTERS) for _part in range(3))
        student.set_password(password)
        student.save(update_fields=["password"])
        return password

    def export_student(self, student_pk: int, teacher) -> dict:
        """A student of this class's data in the requesting teacher's classes (JSON-ready)."""
        from lessons.data_rights import student_data

        return student_data(self.member(student_pk).student, Classroom.objects.taught_by(teacher))

    def remove_student(self, student_pk: int) -> bool:
        """Delete a student's work in this class, and their account if nothing else holds it
        (lessons/data_rights.py). Returns whether the account was deleted."""
        from lessons.data_rights import remove_student

        return remove_student(self, student_pk)

    def gradebook(self):
        from lessons.gradebook import Gradebook

        return Gradebook.of(self)


class Membership(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["classroom", "student"], name="classroom_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.classroom}"


class AssignmentRole(models.TextChoices):
    TASK = "task", _("Lesson or quiz")
    PRE_TEST = "pre_test", _("Pre-test")
    POST_TEST = "post_test", _("Post-test")
    RETEST = "retest", _("Delayed retest")


class Assignment(models.Model):
    """A lesson or a quiz given to a class, with a due date. Pre-tests, post-tests and
    retests are assignments too, tied together by their PrePost."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
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
