"""Lessons: read by everyone, written in the site by staff and curators."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lessons.access import editor_required, is_lesson_editor
from lessons.forms.lessons import LessonForm
from lessons.models import Lesson, LessonKind


def lesson_list(request: HttpRequest) -> HttpResponse:
    lessons = Lesson.objects.all() if is_lesson_editor(request.user) else Lesson.objects.published()
    groups = [(kind, [lesson for lesson in lessons if lesson.kind == kind]) for kind in LessonKind]
    return render(
        request,
        "lessons/lesson_list.html",
        {
            "groups": [(kind, items) for kind, items in groups if items],
            "can_edit": is_lesson_editor(request.user),
        },
    )


def lesson_detail(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = get_object_or_404(Lesson, slug=slug)
    can_edit = is_lesson_editor(request.user)
    if not lesson.is_published and not can_edit:
        raise Http404
    has_practice = lesson.practice_pool().exists()
    context = {
        "lesson": lesson,
        "examples": lesson.examples(),
        "practice_quiz": lesson.practice_quiz() if has_practice else None,
        "can_edit": can_edit,
    }
    return render(request, "lessons/lesson_detail.html", context)


@editor_required
def lesson_create(request: HttpRequest) -> HttpResponse:
    form = LessonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lesson = form.save()
        messages.success(request, _("Lesson added."))
        return redirect(lesson)
    return render(request, "lessons/lesson_form.html", {"form": form})


@editor_required
def lesson_edit(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = get_object_or_404(Lesson, slug=slug)
    form = LessonForm(request.POST or None, instance=lesson)
    if request.method == "POST" and form.is_valid():
        lesson = form.save()
        messages.success(
            request, _("Lesson saved. Reloading the content files will not replace it.")
        )
        return redirect(lesson)
    return render(request, "lessons/lesson_form.html", {"form": form, "lesson": lesson})
