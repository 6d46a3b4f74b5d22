"""Create the demo content a newcomer needs to see Telltale working: a curator and an admin.

Run by `make run`. Safe to re-run: it changes nothing that is already there. The full demo pack
(clips, a practice quiz, student/teacher/organizer accounts) arrives with the content issue.
Demo accounts have published passwords, so the command refuses to run with DEBUG off unless
--allow-production is given.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

from media_library.access import CURATORS_GROUP

DEMO_ACCOUNTS = [
    # username, password, curator?, superuser?
    ("curator", "curator-demo", True, False),
    ("admin", "admin-demo", True, True),
]


class Command(BaseCommand):
    help = "Create demo accounts (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Create the demo accounts even with DEBUG off (they have public passwords).",
        )

    def handle(self, *args, allow_production: bool = False, **options) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Demo accounts have public passwords; refusing with DEBUG off. "
                "Pass --allow-production if this really is a demo deployment."
            )
        curators, _ = Group.objects.get_or_create(name=CURATORS_GROUP)
        for username, password, curator, superuser in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": superuser, "is_superuser": superuser}
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            if curator:
                user.groups.add(curators)
        self.stdout.write("Demo log-ins:")
        for username, password, _curator, _superuser in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:10} password: {password}")
