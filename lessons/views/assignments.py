"""Assignments: a teacher sets one for a class; a student starts its quiz or marks its lesson
read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lessons.access import get_classroom_for_teacher, get_membership, teacher_required
from lessons.forms.assignments import AssignmentForm
from lessons.models import Assignment

ASSIGNMENT_FORM = "lessons/assignment_form.html"


@teacher_required
@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest, code: str) -> HttpResponse:
    classroom = get_classroom_for_teacher(request, code)
    form = AssignmentForm(
        request.POST or None,
        teacher=request.user,
        instance=Assignment(classroom=classroom, created_by=request.user),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The assignment is set."))
        return redirect(classroom)
    return render(request, ASSIGNMENT_FORM, {"classroom": classroom, "form": form})


@login_required
@require_POST
def assignment_start(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    membership = get_membership(request, code)
    assignment = get_object_or_404(
        membership.classroom.assignments.filter(quiz__isnull=False), pk=pk
    )
    try:
        attempt = assignment.start(request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("classrooms:student-class", membership.classroom.code)
    return redirect("quiz:attempt", attempt.uid)


@login_required
@require_POST
def assignment_read(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    membership = get_membership(request, code)
    assignment = get_object_or_404(
        membership.classroom.assignments.filter(lesson__isnull=False), pk=pk
    )
    assignment.mark_read(request.user)
    messages.success(request, _("Marked as read."))
    return redirect("classrooms:student-class", membership.classroom.code)
