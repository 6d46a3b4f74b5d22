"""Lesson and glossary URLs (namespace `lessons`); the classroom and learner pages are in
lessons/classroom_urls.py."""

from __future__ import annotations

from django.urls import path

from lessons.views import glossary, lessons

app_name = "lessons"

urlpatterns = [
    path("lessons/", lessons.lesson_list, name="lesson-list"),
    # Before the detail route, or "new" would be read as a slug.
    path("lessons/new/", lessons.lesson_create, name="lesson-create"),
    path("lessons/<slug:slug>/", lessons.lesson_detail, name="lesson-detail"),
    path("lessons/<slug:slug>/edit/", lessons.lesson_edit, name="lesson-edit"),
    path("glossary/", glossary.glossary, name="glossary"),
]
