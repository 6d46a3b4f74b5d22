"""Classroom URLs (teachers under /classes/, students under /join/ and /me/classes/) and the
learner's own pages (/me/progress/, /me/review/).

Kept apart from lessons/urls.py (lesson and glossary pages) under their own namespace."""

from __future__ import annotations

from django.urls import path

from lessons.views import assignments, classrooms, data_rights, gradebook, prepost, review

app_name = "classrooms"

urlpatterns = [
    # --- teachers ---
    path("classes/", classrooms.classroom_list, name="classroom-list"),
    path("classes/new/", classrooms.classroom_create, name="classroom-create"),
    path("classes/<str:code>/", classrooms.classroom_detail, name="classroom-detail"),
    path("classes/<str:code>/qr.svg", classrooms.classroom_qr, name="classroom-qr"),
    path("classes/<str:code>/co-teachers/", classrooms.co_teacher_add, name="co-teacher-add"),
    path("classes/<str:code>/archive/", classrooms.classroom_archive, name="classroom-archive"),
    path(
        "classes/<str:code>/students/<int:pk>/password/",
        classrooms.student_password,
        name="student-password",
    ),
    path(
        "classes/<str:code>/students/<int:pk>/export.json",
        data_rights.student_export,
        name="student-export",
    ),
    path(
        "classes/<str:code>/students/<int:pk>/delete/",
        data_rights.student_delete,
        name="student-delete",
    ),
    path(
        "classes/<str:code>/assignments/new/",
        assignments.assignment_create,
        name="assignment-create",
    ),
    path("classes/<str:code>/pre-post/new/", prepost.prepost_create, name="prepost-create"),
    path("classes/<str:code>/pre-post/<int:pk>/", prepost.prepost_detail, name="prepost-detail"),
    path("classes/<str:code>/gradebook.csv", gradebook.gradebook_csv, name="gradebook-csv"),
    # --- students ---
    path("join/", classrooms.join, name="join"),
    path("join/<str:code>/", classrooms.join_class, name="join-class"),
    path("me/progress/", review.my_progress, name="my-progress"),
    path("me/review/", review.review, name="review"),
    path("me/classes/", classrooms.student_classes, name="student-classes"),
    path("me/classes/<str:code>/", classrooms.student_class, name="student-class"),
    path(
        "me/classes/<str:code>/assignments/<int:pk>/start/",
        assignments.assignment_start,
        name="assignment-start",
    ),
    path(
        "me/classes/<str:code>/assignments/<int:pk>/read/",
        assignments.assignment_read,
        name="assignment-read",
    ),
]
