"""Load the lessons and the glossary from lessons/content/ into the database.

Run by `make run` right after `migrate`; needs nothing else (no demo library, no quizzes).
Each `lessons/content/*.md` file is one lesson, each `lessons/content/glossary/*.md` one
glossary term (front matter, then Markdown: see docs/lessons.md). Safe to re-run: a lesson or
term is created when its slug is new, updated when its file changed, and left alone when staff
edited it in the site (`edited_in_site`), so a reload never overwrites their work. Lessons whose
file has gone are reported, not deleted (staff may have linked or assigned them).

--dry-run reads and checks every file and reports what would change, writing nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from lessons.content_files import ContentError, ContentFile, glossary_files, lesson_files
from lessons.models import GlossaryTerm, Lesson, LessonKind
from media_library.models import Technique, TellCategory


class DryRun(Exception):
    """Raised inside the transaction to roll back everything a dry run did."""


def lesson_fields(file: ContentFile) -> dict:
    fields = {
        "title": file.text("title"),
        "kind": file.text("kind", LessonKind.TELL),
        "tell_category": file.text("tell_category"),
        "technique": file.text("technique"),
        "summary": file.text("summary"),
        "body": file.body,
        "sources": "\n".join(file.lines("sources")),
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
    if not file.text("slug") or not fields["title"]:
        raise ContentError(f"{file.name}: slug and title are required")
    if not fields["sources"]:
        raise ContentError(f"{file.name}: a lesson needs at least one source")
    return fields


def term_fields(file: ContentFile) -> dict:
    fields = {
        "term": file.text("term"),
        "aliases": ", ".join(file.lines("aliases")),
        "definition": file.body,
        "sources": "\n".join(file.lines("sources")),
        "content_file": file.name,
    }
    if not file.text("slug") or not fields["term"]:
        raise ContentError(f"{file.name}: slug and term are required")
    return fields


def sync(model: type[models.Model], slug: str, fields: dict) -> str:
    """Create or update one row from its file; returns what happened, in a word."""
    row = model.objects.filter(slug=slug).first()
    if row is None:
        model.objects.create(slug=slug, **fields)
        return "created"
    if row.edited_in_site:
        return "kept"
    changed = [name for name, value in fields.items() if getattr(row, name) != value]
    if not changed:
        return "unchanged"
    for name in changed:
        setattr(row, name, fields[name])
    extra = ["updated_at"] if model is Lesson else []
    row.save(update_fields=[*changed, *extra])
    return "updated"


class Command(BaseCommand):
    help = "Create or update lessons and glossary terms from lessons/content/ (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        try:
            lessons = [(file.text("slug"), lesson_fields(file)) for file in lesson_files()]
            terms = [(file.text("slug"), term_fields(file)) for file in glossary_files()]
        except ContentError as error:
            raise CommandError(str(error)) from error
        counts: dict[str, int] = {}
        try:
            with transaction.atomic():
                for label, model, rows in (
                    ("lesson", Lesson, lessons),
                    ("term", GlossaryTerm, terms),
                ):
                    for slug, fields in rows:
                        outcome = sync(model, slug, fields)
                        counts[f"{label}s {outcome}"] = counts.get(f"{label}s {outcome}", 0) + 1
                        if outcome in ("created", "updated", "kept") and options["verbosity"] > 1:
                            self.stdout.write(f"  {label} {slug}: {outcome}")
                        if outcome == "kept":
                            self.stdout.write(f"  {label} {slug}: edited in the site, left alone")
                if dry_run:
                    raise DryRun
        except DryRun:
            pass
        loaded = {slug for slug, _ in lessons}
        orphans = Lesson.objects.exclude(content_file="").exclude(slug__in=loaded)
        for slug in orphans.values_list("slug", flat=True):
            self.stdout.write(f"  lesson {slug}: its file is gone (kept; unpublish it in the site)")
        summary = ", ".join(f"{count} {what}" for what, count in sorted(counts.items()))
        prefix = "Dry run, nothing written: would have " if dry_run else "Lessons loaded: "
        self.stdout.write(prefix + (summary or "no content files found"))
