"""What of a lesson and a glossary term is written per language (django-modeltranslation;
lessons/content/es/ and lessons/content/zh-Hans/ hold the shipped translations, which
load_lessons reads; docs/languages.md, docs/lessons.md).

`sources` is per language too: a translated lesson may rest on other works than the English
one (the labelling-laws lesson names the laws that apply to its Spanish and Chinese readers),
and a language without its own list shows the English one."""

from modeltranslation.translator import TranslationOptions, register

from lessons.models import GlossaryTerm, Lesson


@register(Lesson)
class LessonTranslation(TranslationOptions):
    fields = ("title", "summary", "body", "sources")
    # English is the source text: the editor's form and the admin require its title and body;
    # the other languages are optional and fall back to it.
    required_languages = ("en",)


@register(GlossaryTerm)
class GlossaryTermTranslation(TranslationOptions):
    fields = ("term", "aliases", "definition", "sources")
    required_languages = ("en",)
    # `term` is unique in every language: an untranslated term must be NULL, not "", or the
    # second term saved without a Spanish name would clash with the first.
    empty_values = {"term": None}
