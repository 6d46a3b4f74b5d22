"""Students' classroom pages: joining with a code, a link or a QR code, their classes and
assignments, and their spaced review queue. A student sees only their own work
(lessons.access.get_membership)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lessons.access import get_membership
from lessons.classroom_forms import JoinCodeForm, PseudonymForm
from lessons.models import AssignmentWork, Classroom
from lessons.review import ReviewQueue

JOIN = "lessons/join.html"
JOIN_CLASS = "lessons/join_class.html"
MY_CLASSES = "lessons/student_classes.html"
MY_CLASS = "lessons/student_class.html"
REVIEW = "lessons/review.html"


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


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    queue = ReviewQueue.of(request.user)
    has_items = bool(queue.candidates())
    if request.method == "POST" and has_items:
        attempt = queue.start(request)
        return redirect("quiz:attempt", attempt.uid)
    return render(request, REVIEW, {"queue": queue, "has_items": has_items})
