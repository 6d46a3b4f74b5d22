"""What of a quiz is written per language (django-modeltranslation; docs/languages.md)."""

from modeltranslation.translator import TranslationOptions, register

from quiz.models import Item, Quiz


@register(Quiz)
class QuizTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Item)
class ItemTranslation(TranslationOptions):
    fields = ("prompt",)
