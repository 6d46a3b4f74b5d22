"""Make a shallowfake of a published real video with one of the workshop's recipes.

    manage.py make_shallowfake CLIP_SLUG RECIPE [--factor 0.75] [--start 1 --end 2.5]
        [--caption "..."] [--user USERNAME] [--now] [--dry-run]

Each recipe parameter is an option of the same name (`--audio-clip` for audio_clip); the
recipe's form checks them exactly as the curator's page does. The derived clip is rendered by
the worker (`manage.py db_worker`), or in this process with --now. --dry-run checks the request
and prints the title and the ffmpeg filter graph, storing nothing.
"""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from languages.commands import gettext as _
from languages.commands import gettext_lazy
from media_library import tasks
from media_library.models import Clip
from media_library.workshop import RECIPES, plan


def _parameter_names() -> list[str]:
    names: list[str] = []
    for recipe in RECIPES.values():
        for name in recipe.form_class.base_fields:
            if name not in names:
                names.append(name)
    return names


class Command(BaseCommand):
    help = gettext_lazy(
        "Make a shallowfake (slowed, sped-up, spliced, captioned...) of a published real video."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("clip", help=_("Slug of the published real video to edit."))
        parser.add_argument("recipe", choices=list(RECIPES), help=_("The workshop recipe."))
        for name in _parameter_names():
            parser.add_argument(
                f"--{name.replace('_', '-')}", dest=f"param_{name}", metavar=name.upper()
            )
        parser.add_argument("--user", help=_("Username recorded as the clip's creator."))
        parser.add_argument(
            "--now", action="store_true", help=_("Render in this process instead of the worker.")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check and show the recipe; store nothing.")
        )

    def handle(self, *args, **options) -> None:
        source = Clip.objects.filter(slug=options["clip"]).first()
        if source is None:
            raise CommandError(_("No clip has the slug “%(slug)s”.") % {"slug": options["clip"]})
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(
                    _("No user is called “%(username)s”.") % {"username": options["user"]}
                )
        form_fields = RECIPES[options["recipe"]].form_class.base_fields
        params = {
            name: options[f"param_{name}"]
            for name in form_fields
            if options.get(f"param_{name}") is not None
        }
        unused = [
            f"--{key[6:].replace('_', '-')}"
            for key, value in options.items()
            if key.startswith("param_") and value is not None and key[6:] not in form_fields
        ]
        if unused:
            raise CommandError(
                _("%(recipe)s does not take %(unused)s; it takes: %(takes)s.")
                % {
                    "recipe": options["recipe"],
                    "unused": ", ".join(unused),
                    "takes": ", ".join(form_fields) or _("no parameters"),
                }
            )
        try:
            if options["dry_run"]:
                recipe, record = plan(source, options["recipe"], params)
                self.stdout.write(
                    _("Would make: %(title)s")
                    % {"title": recipe.title(source.title, record["params"])}
                )
                self.stdout.write(json.dumps(record, indent=2, ensure_ascii=False))
                return
            with transaction.atomic():
                clip = source.make_shallowfake(options["recipe"], params, user)
        except ValidationError as error:
            raise CommandError(_describe(error)) from error
        if options["now"]:
            tasks.make_shallowfake.call(clip.pk)
            clip.refresh_from_db()
            self.stdout.write(
                f"{clip.title} ({clip.slug}): {clip.get_processing_status_display()}"
                + (f" — {clip.processing_error}" if clip.processing_error else "")
            )
        else:
            self.stdout.write(
                _("Queued %(title)s (%(slug)s); the worker renders it.")
                % {"title": clip.title, "slug": clip.slug}
            )


def _describe(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for field, messages in error.message_dict.items():
        prefix = "" if field == "__all__" else f"{field}: "
        parts.append(prefix + " ".join(messages))
    return "; ".join(parts)
