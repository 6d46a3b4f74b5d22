"""A class's gradebook as CSV (the page shows it on the class's page, views/classrooms.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from lessons.access import get_classroom_for_teacher, teacher_required


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
