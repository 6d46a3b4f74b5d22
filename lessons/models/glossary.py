"""The glossary: terms with their definitions, linked from lesson text on first use."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from lessons.markdown import TermLink, render_markdown


class GlossaryTermQuerySet(models.QuerySet["GlossaryTerm"]):
    def links(self, language: str | None = None) -> list[TermLink]:
        """Each term's link with its spellings in `language` (the active one by default, each
        term falling back to English): a lesson shown in English for want of a translation is
        linked on its English words. The URL stays in the page's language."""
        terms = list(self.only("term", "slug", "aliases"))
        with translation.override(language or translation.get_language()):
            spellings = [term.spellings for term in terms]
        return [
            TermLink(slug=term.slug, url=term.get_absolute_url(), spellings=spelled)
            for term, spelled in zip(terms, spellings, strict=True)
        ]


class GlossaryTerm(models.Model):
    term = models.CharField(_("term"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    # Other spellings that should link here too ("cheap fake" for "shallowfake").
    aliases = models.CharField(_("also written"), max_length=300, blank=True)
    definition = models.TextField(_("definition (Markdown)"))
    sources = models.TextField(_("sources"), blank=True)
    # As for lessons: the file it was loaded from, and whether staff changed it since (then
    # load_lessons leaves it alone).
    content_file = models.CharField(max_length=200, blank=True)
    edited_in_site = models.BooleanField(default=False)

    objects = GlossaryTermQuerySet.as_manager()

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term

    def get_absolute_url(self) -> str:
        return reverse("lessons:glossary") + f"#{self.slug}"

    @property
    def spellings(self) -> tuple[str, ...]:
        aliases = [alias.strip() for alias in self.aliases.split(",") if alias.strip()]
        return (self.term, *aliases)

    @property
    def source_list(self) -> list[str]:
        return [line.strip() for line in self.sources.splitlines() if line.strip()]

    def rendered_definition(self) -> SafeString:
        return mark_safe(render_markdown(self.definition))  # noqa: S308 - sanitised by nh3
