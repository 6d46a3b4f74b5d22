from django.apps import AppConfig


class QuizConfig(AppConfig):
    """Quiz items, attempts, scoring and campaigns (built in the quiz-engine issue)."""

    name = "quiz"
