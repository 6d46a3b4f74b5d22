from django.apps import AppConfig


class LessonsConfig(AppConfig):
    """Lessons, glossary, classrooms and assignments (built in the lessons issue)."""

    name = "lessons"

    def ready(self) -> None:
        from lessons import signals  # noqa: F401 (connects the receivers)
