"""Building the demo pack's media library part: the demo accounts and the library of demo clips.

Every step looks for what an earlier run made and leaves it alone, so running it again changes
nothing, but for writing in the translations of titles and tells an earlier run left without
them (a demo seeded before they were written); a translation a curator wrote is kept.
Clips are processed here, synchronously, so they are ready when the command ends.
The quizzes and the class over these clips belong to quiz and lessons; lessons' seed_demo
command builds them after this pack, from `DemoPack.clips`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from languages.commands import gettext as _
from languages.texts import fill_missing
from media_library.choices import TellOrigin
from media_library.demo import tell_texts
from media_library.demo.items import ITEMS, Item, Made, is_teaching_example, recipe
from media_library.models import Clip, ProcessingStatus, Tell
from media_library.processing.workdir import discard, new_work_path
from media_library.roles import Role, grant

IMPORT_SOURCE = "demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    roles: tuple[Role, ...]
    superuser: bool = False


# Published passwords: the reason seed_demo refuses to run with DEBUG off.
ACCOUNTS = (
    DemoAccount("student", "student-demo", (Role.STUDENT,)),
    DemoAccount("teacher", "teacher-demo", (Role.TEACHER,)),
    DemoAccount("curator", "curator-demo", (Role.CURATOR,)),
    DemoAccount("organizer", "organizer-demo", (Role.ORGANIZER,)),
    DemoAccount("admin", "admin-demo", (Role.CURATOR,), superuser=True),
)


class DemoPackError(RuntimeError):
    pass


@dataclass
class DemoPack:
    say: Callable[[str], None] = print
    clips: dict[str, Clip] = field(default_factory=dict)
    made: list[str] = field(default_factory=list)

    def build(self) -> None:
        self.create_accounts()
        curator = User.objects.get(username="curator")
        for item in ITEMS:
            self.clips[item.key] = self.clip_for(item, curator)

    # Accounts.

    def create_accounts(self) -> None:
        for account in ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=account.username,
                defaults={"is_staff": account.superuser, "is_superuser": account.superuser},
            )
            if created:
                user.set_password(account.password)
                user.save(update_fields=["password"])
            for role in account.roles:
                grant(user, role)

    # Clips.

    def clip_for(self, item: Item, curator: User) -> Clip:
        existing = Clip.objects.filter(import_source=IMPORT_SOURCE, import_key=item.key).first()
        if existing is not None and existing.processing_status == ProcessingStatus.READY:
            self.translate(existing, item)
            return existing
        if existing is not None:
            if existing.answer_records().keep_the_clip:
                # It was played before its processing failed (a later re-processing): the
                # answers are learners' records, so it is not deleted to be made again.
                raise DemoPackError(
                    _(
                        "%(title)s: processing failed, but learners have answered it, so it "
                        "is kept; retry its processing in the curator area."
                    )
                    % {"title": existing.title}
                )
            # A run that stopped half way: start this item again from nothing.
            existing.delete_with_files()
        clip = self.create(item, curator)
        self.made.append(item.key)
        self.say(
            _("  made %(verdict)s %(kind)s  %(title)s")
            % {"verdict": f"{item.verdict:11}", "kind": f"{clip.kind:5}", "title": item.title}
        )
        return clip

    def create(self, item: Item, curator: User) -> Clip:
        fields = self.record(item)
        made: Made | None = None
        if item.photo is not None:
            path = item.photo.path
        else:
            made = item.make(new_work_path(item.suffix))
            path = made.path
            fields["recipe"] = recipe(item, made, self.clips)
        try:
            with open(path, "rb") as handle:
                upload = File(handle, name=f"{item.key.replace('/', '-')}{item.suffix}")
                clip = Clip.objects.create_from_upload(upload, curator, **fields)
        except ValidationError as error:
            raise DemoPackError(
                _("%(title)s: %(errors)s")
                % {"title": item.title, "errors": " ".join(error.messages)}
            ) from error
        finally:
            if made is not None:
                discard(made.path)
        try:
            self.finish(clip, made, curator)
        except BaseException:
            clip.delete_with_files()
            raise
        return clip

    def finish(self, clip: Clip, made: Made | None, curator: User) -> None:
        # Processed here rather than by the worker, so the pack is ready when the command ends.
        clip.process()
        clip.refresh_from_db()
        if clip.processing_status != ProcessingStatus.READY:
            raise DemoPackError(
                _("%(title)s: processing failed: %(error)s")
                % {"title": clip.title, "error": clip.processing_error}
            )
        with transaction.atomic():
            tells = [
                Tell.objects.create(
                    clip=clip,
                    category=spec.category,
                    start_seconds=spec.start,
                    end_seconds=spec.end,
                    box_x=spec.box[0] if spec.box else None,
                    box_y=spec.box[1] if spec.box else None,
                    box_w=spec.box[2] if spec.box else None,
                    box_h=spec.box[3] if spec.box else None,
                    **spec.explanation.columns("explanation"),
                    origin=TellOrigin.IMPORT,
                    created_by=curator,
                )
                for spec in (made.tells if made else [])
            ]
            if not clip.publish_by_command(curator):
                raise DemoPackError(_("%(title)s: could not be published") % {"title": clip.title})
        for tell in tells:
            tell.render_still()

    def translate(self, clip: Clip, item: Item) -> None:
        """Write in the translations an earlier run's clip lacks (title and tells)."""
        if changed := fill_missing(clip, title=item.title):
            clip.save(update_fields=changed)
        for tell in clip.tells.filter(origin=TellOrigin.IMPORT):
            text = tell_texts.matching(tell.explanation_en or "")
            if text is not None and (changed := fill_missing(tell, explanation=text)):
                tell.save(update_fields=changed)

    def record(self, item: Item) -> dict:
        """The clip's fields: what it is, where it came from, and who is in it."""
        fields = {
            **item.title.columns("title"),
            "verdict": item.verdict,
            "technique": item.technique,
            "is_demo": True,
            "teaching_example": is_teaching_example(item),
            "import_source": IMPORT_SOURCE,
            "import_key": item.key,
        }
        if item.photo is not None:
            photo = item.photo
            people = photo.people
            return fields | {
                "licence": "Public domain",
                "attribution": f"{photo.author}. File {photo.package_file}",
                "source_url": photo.source_url,
                "depicts_people": bool(people),
                "depicts_public_figure": True if people else None,
                "consent_on_file": False,
                "consent_notes": (
                    f"Public-domain photograph ({photo.licence_statement}) shipped in the "
                    f"{photo.distribution} package as {photo.module}/{photo.relative_path}, "
                    "used unaltered. "
                    + (
                        f"It shows {people}, in an official portrait released for public use; "
                        "no personal consent record exists or is needed for that use."
                        if people
                        else "Nobody is recognisable in it."
                    )
                ),
            }
        original = self.clips[item.original]
        sources = [self.clips[key] for key in item.sources]
        return fields | {
            "original": original,
            "licence": "Public domain (made by Telltale from public-domain photographs)",
            "attribution": "Telltale demo pack, from: "
            + "; ".join(f"{clip.attribution}" for clip in sources),
            "source_url": original.source_url,
            "depicts_people": bool(item.people),
            "depicts_public_figure": True if item.people else None,
            "consent_on_file": False,
            "consent_notes": (
                f"Made from public-domain photographs; shows {item.people}. No consent to this "
                "manipulation was given or sought."
                if item.people
                else "Made from a public-domain photograph in which nobody is recognisable."
            ),
            "content_notes": item.content_notes,
        }
