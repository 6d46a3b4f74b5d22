"""What of the library is written per language (django-modeltranslation adds a column per
language beside each field; docs/languages.md). The truth of a clip, its files and its
technical data are one for every language."""

from modeltranslation.translator import TranslationOptions, register

from media_library.models import Clip, Tell


@register(Clip)
class ClipTranslation(TranslationOptions):
    fields = ("title", "transcript", "captions_vtt")


@register(Tell)
class TellTranslation(TranslationOptions):
    fields = ("explanation",)
