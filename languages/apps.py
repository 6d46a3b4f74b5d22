from django.apps import AppConfig


class LanguagesConfig(AppConfig):
    """Language choice, first-visit negotiation and translation fallbacks."""

    name = "languages"

    def ready(self) -> None:
        from languages import signals  # noqa: F401 (connects the login receiver)
