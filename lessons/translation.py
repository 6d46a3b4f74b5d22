"""What of a lesson and a glossary term is written per language (django-modeltranslation;
lessons/content/es/ and lessons/content/zh-Hans/ hold the shipped translations, which
load_lessons reads; docs/languages.md)."""

from modeltranslation.translator import TranslationOptions, register

from lessons.models import GlossaryTerm, Lesson


@register(Lesson)
class LessonTranslation(TranslationOptions):
    fields = ("title", "summary", "body")


@register(GlossaryTerm)
class GlossaryTermTranslation(TranslationOptions):
    fields = ("term", "aliases", "definition")
