from django.apps import AppConfig


class MediaLibraryConfig(AppConfig):
    """Clips, their tells, the processing pipeline, the workshop, importers and the detector."""

    name = "media_library"
    verbose_name = "Media library"
