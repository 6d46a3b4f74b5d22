"""Classrooms: a teacher's class, its co-teachers and pseudonymous students. What a class sets
its students is in assignments.py; its gradebook's arithmetic in gradebook.py and what a
student's data request reads and deletes in data_rights.py (beside this module), both called
from here."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from lessons.models import data_rights
from lessons.models.gradebook import Gradebook
from media_library.roles import Role, grant, has_role_beyond_student

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

    def is_owned_by(self, user) -> bool:
        return self.owner_id == user.pk

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

    def co_teacher_candidate(self, username: str):
        """The teacher account a co-teacher form names, or ValidationError. Reads only: the
        owner's view adds them (add_co_teacher) once the form is valid."""
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
        return teacher

    def add_co_teacher(self, teacher) -> None:
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
        return data_rights.student_data(
            self.member(student_pk).student, Classroom.objects.taught_by(teacher)
        )

    def remove_student(self, student_pk: int) -> bool:
        """Delete a student's work in this class, and their account if nothing else holds it
        (lessons/models/data_rights.py). Returns whether the account was deleted."""
        return data_rights.remove_student(self, student_pk)

    def gradebook(self) -> Gradebook:
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
