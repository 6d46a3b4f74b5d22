from __future__ import annotations

from django.urls import path

from lessons import views

app_name = "lessons"

urlpatterns = [
    path("lessons/", views.lesson_list, name="lesson-list"),
    # Before the detail route, or "new" would be read as a slug.
    path("lessons/new/", views.lesson_create, name="lesson-create"),
    path("lessons/<slug:slug>/", views.lesson_detail, name="lesson-detail"),
    path("lessons/<slug:slug>/edit/", views.lesson_edit, name="lesson-edit"),
    path("glossary/", views.glossary, name="glossary"),
]
