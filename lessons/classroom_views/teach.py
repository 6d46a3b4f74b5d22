"""Teachers' classroom pages: classes, roster, co-teachers, assignments, pre/post tests, the
gradebook and its CSV.

Every view fetches the class through lessons.access.get_classroom_for_teacher, so a class the
teacher neither owns nor co-teaches is a 404 on every URL below.
"""

from __future__ import annotations

import io
import json

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from lessons.access import get_classroom_for_teacher, teacher_required
from lessons.classroom_forms import AssignmentForm, ClassroomForm, CoTeacherForm, PrePostForm
from lessons.models import Assignment, Classroom

LIST = "lessons/classroom_list.html"
DETAIL = "lessons/classroom_detail.html"
ASSIGNMENT_FORM = "lessons/assignment_form.html"
PREPOST_FORM = "lessons/prepost_form.html"
PREPOST_DETAIL = "lessons/prepost_detail.html"
RESET_PAGE = "lessons/student_password.html"
DELETE_PAGE = "lessons/student_delete.html"


@teacher_required
def classroom_list(request: HttpRequest) -> HttpResponse:
    classrooms = Classroom.objects.taught_by(request.user).select_related("owner")
    return render(
        request,
        LIST,
        {
            "active": [c for c in classrooms if not c.is_archived],
            "archived": [c for c in classrooms if c.is_archived],
            "form": ClassroomForm(),
        },
    )


@teacher_required
@require_POST
def classroom_create(request: HttpRequest) -> HttpResponse:
    form = ClassroomForm(request.POST, instance=Classroom(owner=request.user))
    if not form.is_valid():
        classrooms = Classroom.objects.taught_by(request.user)
        return render(
            request,
            LIST,
            {"active": classrooms.active(), "archived": [], "form": form},
            status=400,
        )
    classroom = form.save()
    messages.success(request, _("The class is created. Give your students its code."))
    return redirect(classroom)


def _detail_context(request: HttpRequest, classroom: Classroom, **extra) -> dict:
    return {
        "classroom": classroom,
        "is_owner": classroom.owner_id == request.user.pk,
        "teachers": classroom.teachers(),
        "roster": classroom.roster(),
        "assignments": classroom.assignments.select_related("quiz", "lesson", "prepost"),
        "preposts": classroom.preposts.all(),
        "gradebook": classroom.gradebook(),
        "join_url": request.build_absolute_uri(classroom.join_path()),
        "co_teacher_form": extra.pop("co_teacher_form", None) or CoTeacherForm(classroom),
        **extra,
    }


@teacher_required
def classroom_detail(request: HttpRequest, code: str) -> HttpResponse:
    classroom = get_classroom_for_teacher(request, code)
    return render(request, DETAIL, _detail_context(request, classroom))


@teacher_required
def classroom_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The join link as a QR code (SVG), made here: no third-party QR service sees the code."""
    classroom = get_classroom_for_teacher(request, code)
    qr = segno.make(request.build_absolute_uri(classroom.join_path()), error="m")
    svg = io.BytesIO()
    # A standalone file (with its xmlns), not svg_inline: browsers show it through <img>.
    qr.save(svg, kind="svg", scale=6, dark="#1d2330", light="#ffffff", xmldecl=False)
    return HttpResponse(
        svg.getvalue(),
        content_type="image/svg+xml",
        headers={"Cache-Control": "private, max-age=3600"},
    )


@teacher_required
@require_POST
def co_teacher_add(request: HttpRequest, code: str) -> HttpResponse:
    classroom = get_classroom_for_teacher(request, code)
    if classroom.owner_id != request.user.pk:
        # Co-teachers teach; only the owner decides who else sees the class.
        messages.error(request, _("Only the class's owner adds co-teachers."))
        return redirect(classroom)
    form = CoTeacherForm(classroom, request.POST)
    valid = form.is_valid()
    if request.htmx:
        context = _detail_context(request, classroom, co_teacher_form=CoTeacherForm(classroom))
        if not valid:
            context["co_teacher_form"] = form
        return render(request, f"{DETAIL}#teachers", context)
    if valid:
        messages.success(request, _("The co-teacher is added."))
        return redirect(classroom)
    return render(request, DETAIL, _detail_context(request, classroom, co_teacher_form=form))


@teacher_required
@require_POST
def classroom_archive(request: HttpRequest, code: str) -> HttpResponse:
    classroom = get_classroom_for_teacher(request, code)
    if classroom.owner_id != request.user.pk:
        messages.error(request, _("Only the class's owner archives it."))
        return redirect(classroom)
    classroom.archive()
    messages.success(request, _("The class is archived: no one can join it any more."))
    return redirect("classrooms:classroom-list")


@teacher_required
@require_POST
@never_cache
def student_password(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    classroom = get_classroom_for_teacher(request, code)
    membership = get_object_or_404(classroom.memberships.select_related("student"), student=pk)
    try:
        password = classroom.reset_password(membership.student_id)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(classroom)
    # Rendered, not put in a message: messages travel in a cookie, and this is shown once.
    return render(
        request,
        RESET_PAGE,
        {"classroom": classroom, "student": membership.student, "password": password},
    )


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


@teacher_required
@require_http_methods(["GET", "POST"])
def prepost_create(request: HttpRequest, code: str) -> HttpResponse:
    classroom = get_classroom_for_teacher(request, code)
    form = PrePostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            prepost = form.save(classroom, request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The pre-test and post-test are set."))
            return redirect("classrooms:prepost-detail", classroom.code, prepost.pk)
    return render(request, PREPOST_FORM, {"classroom": classroom, "form": form})


@teacher_required
def prepost_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    classroom = get_classroom_for_teacher(request, code)
    prepost = get_object_or_404(classroom.preposts, pk=pk)
    return render(
        request,
        PREPOST_DETAIL,
        {"classroom": classroom, "prepost": prepost, "gain": prepost.learning_gain()},
    )


@teacher_required
def gradebook_csv(request: HttpRequest, code: str) -> HttpResponse:
    classroom = get_classroom_for_teacher(request, code)
    return HttpResponse(
        classroom.gradebook().csv(),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="gradebook-{classroom.code}.csv"',
            "Cache-Control": "private, no-store",
        },
    )


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
