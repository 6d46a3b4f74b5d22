from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    """Public, anonymous, embeddable awareness campaigns run by organizers over a published quiz,
    with an aggregate-only dashboard."""

    name = "campaigns"

    def ready(self) -> None:
        # Imported here: these modules import models, loaded once every AppConfig exists.
        from campaigns import hooks, signals  # noqa: F401 (connects the receivers)

        hooks.register()
