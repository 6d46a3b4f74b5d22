from django.apps import AppConfig


class QuizConfig(AppConfig):
    """Quiz items, attempts, scoring and campaigns (built in the quiz-engine issue)."""

    name = "quiz"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, which the app registry
        # loads only after every AppConfig exists.
        from media_library import answer_records
        from quiz import signals  # noqa: F401 (connects the receivers)
        from quiz.models.attempts import answer_records_of

        answer_records.register("quiz", answer_records_of)
