from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from media_library.models import Technique, TellCategory


class LessonKind(models.TextChoices):
    TELL = "tell", _("A tell")
    TECHNIQUE = "technique", _("A manipulation technique")
    HABIT = "habit", _("A verification habit")
    BACKGROUND = "background", _("Background")


class LessonQuerySet(models.QuerySet["Lesson"]):
    def published(self) -> LessonQuerySet:
        return self.filter(is_published=True)


class Lesson(models.Model):
    """One lesson: a short explainer in Markdown (loaded from lessons/content/ or written by
    staff in the site), tied to the tell category or technique it teaches, so the library's
    clips of that kind become its live examples and its practice quiz."""

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=LessonKind, default=LessonKind.TELL)
    tell_category = models.CharField(
        _("tell category"), max_length=20, choices=TellCategory, blank=True
    )
    technique = models.CharField(_("technique"), max_length=20, choices=Technique, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text (Markdown)"))
    # One source per line: what the lesson's facts rest on.
    sources = models.TextField(_("sources"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)
    # Where the text came from: a file in lessons/content/ (re-loaded by load_lessons) or the
    # site's editor (then load_lessons leaves it alone).
    content_file = models.CharField(max_length=200, blank=True)
    edited_in_site = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lessons:lesson-detail", args=[self.slug])


class GlossaryTerm(models.Model):
    term = models.CharField(_("term"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    # Other spellings that should link here too ("cheap fake" for "shallowfake").
    aliases = models.CharField(_("also written"), max_length=300, blank=True)
    definition = models.TextField(_("definition (Markdown)"))
    sources = models.TextField(_("sources"), blank=True)

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term

    def get_absolute_url(self) -> str:
        return reverse("lessons:glossary") + f"#{self.slug}"
