from django.apps import AppConfig


class LessonsConfig(AppConfig):
    """Lessons, glossary, classrooms, assignments, pre/post tests and the learner's review."""

    name = "lessons"

    def ready(self) -> None:
        # Imported here, not at the top: both modules import models, which the app registry
        # loads only after every AppConfig exists.
        from lessons import access, links, signals  # noqa: F401 (signals connects the receivers)
        from quiz import draft_viewers

        links.register()
        draft_viewers.register("class-teachers", access.teaches_a_class_set)
