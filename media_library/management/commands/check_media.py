"""List the rows whose files are missing from media storage: the check after a restore.

    manage.py check_media [--database ALIAS] [--quiet]

Walks every file field of every installed model (clips' uploads, library files, posters,
strips and quiz renditions, tells' stills, and any added later) and asks the storage whether
each named file exists. Prints how many were checked and lists each missing one as
`<app>.<Model> <pk> <field>: <name>`; exits with status 1 when any is missing, so a restore
script (docs/deployment.md, "Backup and restore") can stop there. Reads only: nothing is
changed or deleted. With S3 storage each file is one HEAD request.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, models

from languages.commands import gettext as _
from languages.commands import gettext_lazy


@dataclass(frozen=True)
class StoredFile:
    model: str
    pk: object
    field: str
    name: str

    def __str__(self) -> str:
        return f"{self.model} {self.pk} {self.field}: {self.name}"


def file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field


def stored_files(database: str) -> Iterator[tuple[StoredFile, models.FileField]]:
    """Every file name a row holds, with the field (and so the storage) it belongs to."""
    for model, field in file_fields():
        rows = (
            model._default_manager.using(database)
            .exclude(**{field.attname: ""})
            .exclude(**{f"{field.attname}__isnull": True})
            .order_by("pk")
            .values_list("pk", field.attname)
        )
        for pk, name in rows.iterator():
            yield StoredFile(model._meta.label, pk, field.name, name), field


class Command(BaseCommand):
    help = gettext_lazy(
        "List rows whose files are missing from media storage (exit status 1 if any)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help=_("The database to read (default: default)."),
        )
        parser.add_argument(
            "--quiet", action="store_true", help=_("Print only the missing files, if any.")
        )

    def handle(self, *args, database: str, quiet: bool, **options) -> None:
        checked, missing = 0, []
        for stored, field in stored_files(database):
            checked += 1
            if not field.storage.exists(stored.name):
                missing.append(stored)
        fields = sum(1 for _ in file_fields())
        if not missing:
            if not quiet:
                self.stdout.write(
                    _("Checked %(files)d files named by %(fields)d file fields: all present.")
                    % {"files": checked, "fields": fields}
                )
            return
        self.stdout.write(
            _("Missing %(missing)d of %(files)d files:")
            % {"missing": len(missing), "files": checked}
        )
        for stored in missing:
            self.stdout.write(f"  {stored}")
        raise CommandError(
            _(
                "%(missing)d files are missing from media storage: restore them from the media "
                "backup taken with the database dump (docs/deployment.md, Backup and restore)."
            )
            % {"missing": len(missing)}
        )
