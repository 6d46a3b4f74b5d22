"""Classroom pages. Teachers: their classes, a class's page (roster, co-teachers, assignments,
pre/post tests, gradebook), its QR code, archiving, a student's password reset. Students:
joining with a code, a link or a QR code, their classes and a class's assignments.

Teacher views fetch the class through lessons.access.get_classroom_for_teacher, so a class the
teacher neither owns nor co-teaches is a 404 on every URL; student views through
lessons.access.get_membership, so a student sees only their own work.
"""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from lessons.access import get_classroom_for_teacher, get_membership, teacher_required
from lessons.forms.classrooms import ClassroomForm, CoTeacherForm, JoinCodeForm, PseudonymForm
from lessons.models import AssignmentWork, Classroom

LIST = "lessons/classroom_list.html"
DETAIL = "lessons/classroom_detail.html"
RESET_PAGE = "lessons/student_password.html"
JOIN = "lessons/join.html"
JOIN_CLASS = "lessons/join_class.html"
MY_CLASSES = "lessons/student_classes.html"
MY_CLASS = "lessons/student_class.html"


# --- teachers ------------------------------------------------------------------------------


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
        "is_owner": classroom.is_owned_by(request.user),
        "teachers": classroom.teachers(),
        "roster": classroom.roster(),
        "assignments": classroom.assignments.select_related("quiz", "lesson", "prepost"),
        "preposts": classroom.preposts.all(),
        "gradebook": classroom.gradebook(),
        "join_url": request.build_absolute_uri(classroom.join_path()),
        "co_teacher_form": extra.pop("co_teacher_form", None) or CoTeacherForm(classroom),
        **extra,
    }


def _unless_owner(request: HttpRequest, classroom: Classroom, refusal: str) -> HttpResponse | None:
    """The redirect that refuses a co-teacher an owner's action, or None for the owner.
    Co-teachers teach; only the owner decides who else sees the class and when it closes."""
    if classroom.is_owned_by(request.user):
        return None
    messages.error(request, refusal)
    return redirect(classroom)


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
    if refused := _unless_owner(request, classroom, _("Only the class's owner adds co-teachers.")):
        return refused
    form = CoTeacherForm(classroom, request.POST)
    valid = form.is_valid()
    if valid:
        classroom.add_co_teacher(form.teacher)
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
    if refused := _unless_owner(request, classroom, _("Only the class's owner archives it.")):
        return refused
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


# --- students ------------------------------------------------------------------------------


def join(request: HttpRequest) -> HttpResponse:
    form = JoinCodeForm(request.GET or None)
    if form.is_valid():
        return redirect("classrooms:join-class", form.cleaned_data["code"])
    return render(request, JOIN, {"form": form})


@require_http_methods(["GET", "POST"])
def join_class(request: HttpRequest, code: str) -> HttpResponse:
    classroom = Classroom.objects.active().filter(code=code.upper()).first()
    if classroom is None:
        # The same answer for a wrong code and an archived class.
        messages.error(request, _("No open class has that code. Check it with your teacher."))
        return redirect("classrooms:join")
    form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            return _join(request, classroom, request.user)
    else:
        form = PseudonymForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            student = form.save()
            if student is not None:
                login(request, student, backend="django.contrib.auth.backends.ModelBackend")
                messages.info(
                    request,
                    _("Your nickname is %(name)s: you log in with it and your password.")
                    % {"name": student.get_username()},
                )
                return _join(request, classroom, student)
    return render(request, JOIN_CLASS, {"classroom": classroom, "form": form})


def _join(request: HttpRequest, classroom: Classroom, student) -> HttpResponse:
    try:
        classroom.join(student)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("home")
    messages.success(request, _("You are in %(class)s.") % {"class": classroom.name})
    return redirect("classrooms:student-class", classroom.code)


@login_required
def student_classes(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships.select_related("classroom").order_by("classroom__name")
    return render(request, MY_CLASSES, {"memberships": memberships, "form": JoinCodeForm()})


@login_required
def student_class(request: HttpRequest, code: str) -> HttpResponse:
    membership = get_membership(request, code)
    classroom = membership.classroom
    work = {
        w.assignment_id: w
        for w in AssignmentWork.objects.filter(
            assignment__classroom=classroom, student=request.user
        ).select_related("attempt")
    }
    assignments = [
        (assignment, work.get(assignment.pk))
        for assignment in classroom.assignments.select_related("lesson", "quiz")
    ]
    return render(
        request,
        MY_CLASS,
        {"classroom": classroom, "assignments": assignments, "now": timezone.now()},
    )
