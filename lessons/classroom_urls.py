"""Classroom URLs (teachers under /classes/, students under /join/ and /me/classes/).

Kept apart from lessons/urls.py (lesson and glossary pages) under their own namespace."""

from __future__ import annotations

from django.urls import path

from lessons.classroom_views import learn, teach

app_name = "classrooms"

urlpatterns = [
    # --- teachers ---
    path("classes/", teach.classroom_list, name="classroom-list"),
    path("classes/new/", teach.classroom_create, name="classroom-create"),
    path("classes/<str:code>/", teach.classroom_detail, name="classroom-detail"),
    path("classes/<str:code>/qr.svg", teach.classroom_qr, name="classroom-qr"),
    path("classes/<str:code>/co-teachers/", teach.co_teacher_add, name="co-teacher-add"),
    path("classes/<str:code>/archive/", teach.classroom_archive, name="classroom-archive"),
    path(
        "classes/<str:code>/students/<int:pk>/password/",
        teach.student_password,
        name="student-password",
    ),
    path(
        "classes/<str:code>/students/<int:pk>/export.json",
        teach.student_export,
        name="student-export",
    ),
    path(
        "classes/<str:code>/students/<int:pk>/delete/",
        teach.student_delete,
        name="student-delete",
    ),
    path("classes/<str:code>/assignments/new/", teach.assignment_create, name="assignment-create"),
    path("classes/<str:code>/pre-post/new/", teach.prepost_create, name="prepost-create"),
    path("classes/<str:code>/pre-post/<int:pk>/", teach.prepost_detail, name="prepost-detail"),
    path("classes/<str:code>/gradebook.csv", teach.gradebook_csv, name="gradebook-csv"),
    # --- students ---
    path("join/", learn.join, name="join"),
    path("join/<str:code>/", learn.join_class, name="join-class"),
    path("me/review/", learn.review, name="review"),
    path("me/classes/", learn.student_classes, name="student-classes"),
    path("me/classes/<str:code>/", learn.student_class, name="student-class"),
    path(
        "me/classes/<str:code>/assignments/<int:pk>/start/",
        learn.assignment_start,
        name="assignment-start",
    ),
    path(
        "me/classes/<str:code>/assignments/<int:pk>/read/",
        learn.assignment_read,
        name="assignment-read",
    ),
]
