"""A class's pre-test and post-test: setting them up, and reading their learning gain."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lessons.access import get_classroom_for_teacher, teacher_required
from lessons.forms.prepost import PrePostForm

PREPOST_FORM = "lessons/prepost_form.html"
PREPOST_DETAIL = "lessons/prepost_detail.html"


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
    pool = form.pool_settings()
    return render(
        request,
        PREPOST_FORM,
        {"classroom": classroom, "form": form, "pool": pool, "capacities": pool.capacities()},
    )


@teacher_required
def prepost_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    classroom = get_classroom_for_teacher(request, code)
    prepost = get_object_or_404(classroom.preposts, pk=pk)
    return render(
        request,
        PREPOST_DETAIL,
        {"classroom": classroom, "prepost": prepost, "gain": prepost.learning_gain()},
    )
