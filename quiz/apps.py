from django.apps import AppConfig


class QuizConfig(AppConfig):
    """Quiz items, attempts, scoring and campaigns (built in the quiz-engine issue)."""

    name = "quiz"

    def ready(self) -> None:
        # Imported here, not at the top: the module imports models, which the app registry
        # loads only after every AppConfig exists.
        from quiz import signals  # noqa: F401 (connects the receivers)
