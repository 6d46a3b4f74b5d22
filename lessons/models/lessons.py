"""Lessons: short explainers tied to the tell or technique they teach, with the library's
clips as live examples and a practice quiz drawn from the quiz items that show it."""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from languages.fallbacks import text_language
from lessons.markdown import link_terms, render_markdown
from lessons.models.glossary import GlossaryTerm
from media_library.models import Clip, Technique, Tell, TellCategory
from quiz.models import Item, Mode, Order, Quiz, Selection

# A practice round is short: long enough to try the tell a few times, short enough to finish.
PRACTICE_SIZE = 8
EXAMPLE_LIMIT = 6
# The background lesson (lessons/content/) on why detectors fail on fakes unlike those they
# learnt from: the detector's reveal points at it when it cannot tell.
ON_DETECTORS = "why-detectors-fail"


class LessonKind(models.TextChoices):
    TELL = "tell", _("A tell")
    TECHNIQUE = "technique", _("A manipulation technique")
    HABIT = "habit", _("A verification habit")
    BACKGROUND = "background", _("Background")


class LessonQuerySet(models.QuerySet["Lesson"]):
    def published(self) -> LessonQuerySet:
        return self.filter(is_published=True)

    def on_detectors(self) -> Lesson | None:
        """The published lesson on why detectors fail, or None."""
        return self.published().filter(slug=ON_DETECTORS).first()

    def for_tell(self, category: str) -> Lesson | None:
        """The published lesson that teaches a TellCategory value (the detector's reveal and
        the quiz reveal link to it), or None. Tell lessons come before technique lessons that
        share the category (the speed-change tell has two technique lessons)."""
        if not category:
            return None
        lessons = self.published().filter(tell_category=category)
        return lessons.order_by(
            models.Case(models.When(kind=LessonKind.TELL, then=0), default=1),
            "position",
            "pk",
        ).first()


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
    # The lesson's own pool quiz, made on first need by practice_quiz(). Deleting the quiz
    # only unlinks it; the next visit makes a new one.
    practice = models.OneToOneField(
        "quiz.Quiz",
        verbose_name=_("practice quiz"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="lesson",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lessons:lesson-detail", args=[self.slug])

    @property
    def source_list(self) -> list[str]:
        return [line.strip() for line in self.sources.splitlines() if line.strip()]

    def rendered_body(self) -> SafeString:
        """The body as sanitised HTML, each glossary term linked on its first use (spelled in
        the language the body is shown in)."""
        terms = GlossaryTerm.objects.links(text_language(self, "body"))
        html = link_terms(render_markdown(self.body), terms)
        return mark_safe(html)  # noqa: S308 - sanitised by nh3 in render_markdown

    # --- what the library feeds the lesson ---------------------------------------------------

    @property
    def has_target(self) -> bool:
        """Whether the lesson teaches something clips can be labelled with (habits and most
        background lessons do not, so they have no examples or practice)."""
        return bool(self.technique or self.tell_category)

    def _clip_filter(self) -> Q:
        # A technique lesson is about how the clip was made; a tell lesson about one giveaway,
        # whatever the technique.
        if self.technique:
            return Q(technique=self.technique)
        return Q(tells__category=self.tell_category)

    def examples(self, limit: int = EXAMPLE_LIMIT) -> list[Clip]:
        """Published teaching examples showing what the lesson teaches, each with
        `lesson_tells` (the tells to explain: of the lesson's category, or all of them for a
        technique lesson). Only teaching examples: a lesson shows a clip with its truth, and a
        clip whose truth is out is never dealt by a test (Clip.teaching_example).

        Clips no quiz item uses come first, so the examples spoil as few practice answers as
        the library allows.
        """
        if not self.has_target:
            return []
        tells = Tell.objects.order_by("start_seconds", "pk")
        if self.tell_category and not self.technique:
            tells = tells.filter(category=self.tell_category)
        in_quiz = Exists(Item.objects.filter(Q(clip=OuterRef("pk")) | Q(other_clip=OuterRef("pk"))))
        clips = (
            Clip.objects.teaching_examples()
            .filter(self._clip_filter())
            .distinct()
            .annotate(in_quiz=in_quiz)
            .order_by("in_quiz", "-published_at", "-pk")
            .prefetch_related(Prefetch("tells", queryset=tells, to_attr="lesson_tells"))
        )
        return list(clips[:limit])

    def practice_pool(self):
        """The quiz items a practice round on this lesson draws from (learner-available only)."""
        if not self.has_target:
            return Item.objects.none()
        return Item.objects.available().matching(**self._pool_filters())

    def _pool_filters(self) -> dict[str, str]:
        if self.technique:
            return {"technique": self.technique}
        return {"tell_category": self.tell_category}

    def practice_quiz(self) -> Quiz | None:
        """The lesson's practice quiz (a published pool quiz on its tell or technique), made
        or brought in line with the lesson; None when the lesson has nothing to practise.

        Whether the pool has items is the caller's question (practice_pool().exists()): the
        quiz engine refuses to start an empty draw with a message of its own.
        """
        if not self.has_target:
            return None
        filters = self._pool_filters()
        wanted = {
            "title": gettext("Practice: %(title)s") % {"title": self.title},
            "description": self.summary,
            "mode": Mode.PRACTICE,
            "selection": Selection.POOL,
            "order": Order.SHUFFLED,
            "pool_size": PRACTICE_SIZE,
            "pool_technique": filters.get("technique", ""),
            "pool_tell_category": filters.get("tell_category", ""),
            "is_published": self.is_published,
        }
        with transaction.atomic():
            # Two first visits at once must not make two quizzes: the row lock makes the second
            # wait and then find the first one's quiz.
            locked = Lesson.objects.select_for_update().only("practice").get(pk=self.pk)
            self.practice_id = locked.practice_id
            quiz = self.practice
            if quiz is None:
                quiz = Quiz(slug=Quiz.unique_slug(f"practice-{self.slug}"), **wanted)
                quiz.save()
                self.practice = quiz
                Lesson.objects.filter(pk=self.pk).update(practice=quiz)
                return quiz
            changed = [field for field, value in wanted.items() if getattr(quiz, field) != value]
            if changed:
                for field in changed:
                    setattr(quiz, field, wanted[field])
                quiz.save(update_fields=[*changed, "updated_at"])
        return quiz
