"""A student's data on a teacher's request: the export (JSON) and the deletion. What each
covers is in lessons/models/data_rights.py."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lessons.access import get_classroom_for_teacher, teacher_required

DELETE_PAGE = "lessons/student_delete.html"


@teacher_required
@never_cache
def student_export(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    classroom = get_classroom_for_teacher(request, code)
    membership = get_object_or_404(classroom.memberships.select_related("student"), student=pk)
    data = classroom.export_student(membership.student_id, request.user)
    return HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="student-{membership.student_id}.json"',
            "Cache-Control": "private, no-store",
        },
    )


@teacher_required
@require_http_methods(["GET", "POST"])
def student_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    classroom = get_classroom_for_teacher(request, code)
    membership = get_object_or_404(classroom.memberships.select_related("student"), student=pk)
    if request.method == "POST":
        name = membership.student.get_username()
        if classroom.remove_student(membership.student_id):
            messages.success(
                request, _("%(name)s's account and data are deleted.") % {"name": name}
            )
        else:
            messages.success(
                request,
                _(
                    "%(name)s and their work in this class are removed. Their account stays "
                    "because another class or role still holds it."
                )
                % {"name": name},
            )
        return redirect(classroom)
    return render(request, DELETE_PAGE, {"classroom": classroom, "student": membership.student})
