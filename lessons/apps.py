from django.apps import AppConfig


class LessonsConfig(AppConfig):
    """Lessons, glossary, classrooms and assignments (built in the lessons issue)."""

    name = "lessons"
