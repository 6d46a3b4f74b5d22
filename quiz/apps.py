from django.apps import AppConfig


class QuizConfig(AppConfig):
    """Quiz items, attempts, scoring and campaigns (built in the quiz-engine issue)."""

    name = "quiz"

    def ready(self) -> None:
        # Imported here: the models load only once every AppConfig exists.
        from media_library import answer_records
        from quiz.models.attempts import answer_records_of

        answer_records.register("quiz", answer_records_of)
