"""Load the lessons and the glossary from lessons/content/ into the database.

Run by `make run` right after `migrate`; needs nothing else (no demo library, no quizzes).
Each `lessons/content/*.md` file is one lesson, each `lessons/content/glossary/*.md` one
glossary term (front matter, then Markdown: see docs/lessons.md). The same files under
`lessons/content/es/` and `lessons/content/zh-Hans/` (with `glossary/` beneath each) are their
translations, matched by slug, and fill that language's columns (title_es, body_zh_hans…); a
translation whose slug has no English file is an error naming the file, and a language without
a file for a lesson keeps NULL columns, so the page shows the English with a note.

Safe to re-run: a lesson or term is created when its slug is new, updated when one of its
files changed (English or a translation), and left alone when staff edited it in the site
(`edited_in_site`) — in every language, since the site's editor writes all of them — so a
reload never overwrites their work. Lessons whose file has gone are reported, not deleted
(staff may have linked or assigned them).

--dry-run reads and checks every file and reports what would change, writing nothing.
--content-dir reads another copy of the folder (a translator's draft, checked before it is
committed) instead of lessons/content/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from modeltranslation.utils import build_localized_fieldname

from languages.commands import gettext as _
from languages.commands import gettext_lazy, ngettext
from lessons.content_files import (
    CONTENT_DIR,
    ContentError,
    ContentFile,
    glossary_files,
    lesson_files,
    translated_glossary_files,
    translated_lesson_files,
)
from lessons.models import GlossaryTerm, Lesson, LessonKind
from media_library.models import Technique, TellCategory

ENGLISH = settings.LANGUAGE_CODE
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != ENGLISH]
# Front matter a translation must not carry: one value for every language, set in English.
SHARED_KEYS = {"kind", "tell_category", "technique", "position"}


class DryRun(Exception):
    """Raised inside the transaction to roll back everything a dry run did."""


def lesson_texts(file: ContentFile) -> dict[str, str]:
    """What one lesson file writes in its language."""
    return {
        "title": file.text("title"),
        "summary": file.text("summary"),
        "body": file.body.strip() and file.body,
        "sources": "\n".join(file.lines("sources")),
    }


def term_texts(file: ContentFile) -> dict[str, str]:
    return {
        "term": file.text("term"),
        "aliases": ", ".join(file.lines("aliases")),
        "definition": file.body.strip() and file.body,
        "sources": "\n".join(file.lines("sources")),
    }


# The keys each reader returns: every one of them gets a column per language.
TRANSLATED_TEXTS = {
    lesson_texts: ("title", "summary", "body", "sources"),
    term_texts: ("term", "aliases", "definition", "sources"),
}


def in_language(texts: dict[str, str | None], language: str) -> dict[str, str | None]:
    return {build_localized_fieldname(name, language): value for name, value in texts.items()}


def lesson_fields(file: ContentFile) -> dict:
    texts = lesson_texts(file)
    fields = {
        **in_language(texts, ENGLISH),
        "kind": file.text("kind", LessonKind.TELL),
        "tell_category": file.text("tell_category"),
        "technique": file.text("technique"),
        "content_file": file.name,
    }
    checks = (("kind", LessonKind), ("tell_category", TellCategory), ("technique", Technique))
    for key, choices in checks:
        if fields[key] and fields[key] not in choices.values:
            raise ContentError(f"{file.name}: {key} '{fields[key]}' is not one of {choices.values}")
    try:
        fields["position"] = int(file.text("position", "0"))
    except ValueError:
        raise ContentError(f"{file.name}: position must be a whole number") from None
    if not file.text("slug") or not texts["title"]:
        raise ContentError(f"{file.name}: slug and title are required")
    if not texts["sources"]:
        raise ContentError(f"{file.name}: a lesson needs at least one source")
    return fields


def term_fields(file: ContentFile) -> dict:
    texts = term_texts(file)
    if not file.text("slug") or not texts["term"]:
        raise ContentError(f"{file.name}: slug and term are required")
    return {**in_language(texts, ENGLISH), "content_file": file.name}


def add_translations(
    rows: dict[str, dict],
    label: str,
    files_of: Callable[[str], Iterable[ContentFile]],
    texts_of: Callable[[ContentFile], dict[str, str]],
    required: str,
) -> dict[str, int]:
    """Fill each row's columns in the other languages from their files, NULL where a language
    has no file (or leaves a key out): NULL is what reads as "not translated". Returns how
    many files each language has."""
    counts = {}
    for language in TRANSLATED:
        seen: dict[str, str] = {}
        for file in files_of(language):
            slug = file.text("slug")
            if not slug or not file.text(required):
                raise ContentError(f"{file.name}: slug and {required} are required")
            if slug not in rows:
                raise ContentError(f"{file.name}: no English {label} has the slug '{slug}'")
            if slug in seen:
                raise ContentError(f"{file.name}: the slug '{slug}' is also in {seen[slug]}")
            if shared := sorted(SHARED_KEYS & file.meta.keys()):
                raise ContentError(
                    f"{file.name}: {', '.join(shared)} is set in the English file only"
                )
            seen[slug] = file.name
            rows[slug].update(in_language(texts_of(file), language))
        for fields in rows.values():
            for name in TRANSLATED_TEXTS[texts_of]:
                column = build_localized_fieldname(name, language)
                fields[column] = fields.get(column) or None
        counts[language] = len(seen)
    return counts


def sync(model: type[models.Model], slug: str, fields: dict) -> tuple[str, list[str]]:
    """Create or update one row from its files; returns what happened, in a word, and the
    columns an update changed."""
    row = model.objects.filter(slug=slug).first()
    if row is None:
        model.objects.create(slug=slug, **fields)
        return "created", []
    if row.edited_in_site:
        return "kept", []
    changed = [name for name, value in fields.items() if getattr(row, name) != value]
    if not changed:
        return "unchanged", []
    for name in changed:
        setattr(row, name, fields[name])
    extra = ["updated_at"] if model is Lesson else []
    row.save(update_fields=[*changed, *extra])
    return "updated", changed


# One whole message per kind of row and outcome, so that each language words and counts it.
OUTCOMES = {
    ("lessons", "created"): ("%(n)d lesson created", "%(n)d lessons created"),
    ("lessons", "updated"): ("%(n)d lesson updated", "%(n)d lessons updated"),
    ("lessons", "unchanged"): ("%(n)d lesson unchanged", "%(n)d lessons unchanged"),
    ("lessons", "kept"): ("%(n)d lesson kept", "%(n)d lessons kept"),
    ("terms", "created"): ("%(n)d term created", "%(n)d terms created"),
    ("terms", "updated"): ("%(n)d term updated", "%(n)d terms updated"),
    ("terms", "unchanged"): ("%(n)d term unchanged", "%(n)d terms unchanged"),
    ("terms", "kept"): ("%(n)d term kept", "%(n)d terms kept"),
}


def _outcome(kind: str, outcome: str, n: int) -> str:
    singular, plural = OUTCOMES[(kind, outcome)]
    return ngettext(singular, plural, n) % {"n": n}


class Command(BaseCommand):
    help = gettext_lazy(
        "Create or update lessons and glossary terms from lessons/content/ (idempotent)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Report what would change; write nothing.")
        )
        parser.add_argument(
            "--content-dir",
            type=Path,
            default=CONTENT_DIR,
            help=_("The folder to read instead of lessons/content/ (same layout)."),
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        root = options.get("content_dir") or CONTENT_DIR
        if not root.is_dir():
            raise CommandError(_("%(folder)s: no such folder") % {"folder": root})
        try:
            lessons = {file.text("slug"): lesson_fields(file) for file in lesson_files(root)}
            terms = {file.text("slug"): term_fields(file) for file in glossary_files(root)}
            translated = {
                "lessons": add_translations(
                    lessons,
                    "lesson",
                    partial(translated_lesson_files, root=root),
                    lesson_texts,
                    "title",
                ),
                "terms": add_translations(
                    terms,
                    "glossary term",
                    partial(translated_glossary_files, root=root),
                    term_texts,
                    "term",
                ),
            }
        except ContentError as error:
            raise CommandError(str(error)) from error
        counts: dict[tuple[str, str], int] = {}
        try:
            with transaction.atomic():
                for kind, model, rows in (
                    ("lessons", Lesson, lessons),
                    ("terms", GlossaryTerm, terms),
                ):
                    label = _("lesson") if kind == "lessons" else _("term")
                    for slug, fields in rows.items():
                        outcome, changed = sync(model, slug, fields)
                        counts[(kind, outcome)] = counts.get((kind, outcome), 0) + 1
                        named = {"what": label, "slug": slug, "fields": ", ".join(changed)}
                        if outcome == "updated":
                            self.stdout.write(_("  %(what)s %(slug)s: updated %(fields)s") % named)
                        elif outcome == "created" and options["verbosity"] > 1:
                            self.stdout.write(_("  %(what)s %(slug)s: created") % named)
                        elif outcome == "kept":
                            self.stdout.write(
                                _("  %(what)s %(slug)s: edited in the site, left alone") % named
                            )
                if dry_run:
                    raise DryRun
        except DryRun:
            pass
        orphans = Lesson.objects.exclude(content_file="").exclude(slug__in=lessons)
        for slug in orphans.values_list("slug", flat=True):
            self.stdout.write(
                _("  lesson %(slug)s: its file is gone (kept; unpublish it in the site)")
                % {"slug": slug}
            )
        summary = _(", ").join(_outcome(*key, n) for key, n in sorted(counts.items()))
        if not summary:
            summary = _("no content files found")
        if dry_run:
            self.stdout.write(
                _("Dry run, nothing written: would have %(summary)s") % {"summary": summary}
            )
        else:
            self.stdout.write(_("Lessons loaded: %(summary)s") % {"summary": summary})
        if options["verbosity"] > 0:
            read = _("; ").join(
                _("%(language)s %(lessons)d lessons and %(terms)d terms")
                % {
                    "language": language,
                    "lessons": translated["lessons"][language],
                    "terms": translated["terms"][language],
                }
                for language in TRANSLATED
            )
            self.stdout.write(_("Translations in the files: %(read)s") % {"read": read})
