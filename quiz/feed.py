"""How a feed post presents itself before it is judged: a poster's handle and a caption.

A clip's own words cannot be used: its title names the trick, and a workshop fake's attribution
says it was edited while its transcript is dropped, so any of them would tell a fake from a
real post. The byline is picked from neutral lists by the attempt and the post's position
alone, the same for a real clip and a fake; only what every clip has (photo or video, its
length) comes from the clip.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import UUID

from django.utils.translation import gettext_lazy as _

HANDLES = (
    "harbourwatch",
    "city.desk.live",
    "dailyclipsuk",
    "the_local_view",
    "newsbite_now",
    "onthestreet",
    "frontrowfeed",
    "everyday.eye",
    "nowtrending_24",
    "maya.shares",
    "tom_reposts",
    "worldinaminute",
)
CAPTIONS = (
    _("You have to see this."),
    _("Caught on camera today."),
    _("Can't believe this actually happened."),
    _("Posting this before it gets taken down."),
    _("Sharing for everyone who missed it."),
    _("This is going around everywhere right now."),
    _("Thoughts?"),
    _("Not sure what to make of this one."),
    _("Wait for the end."),
    _("My feed is full of this today."),
)


@dataclass(frozen=True)
class Byline:
    handle: str
    caption: str
    # "@maya.shares" → "M", the avatar's letter.
    initial: str
    # One of a few avatar colours (CSS classes avatar-0 … avatar-5).
    tone: int


def byline(attempt_uid: UUID, position: int) -> Byline:
    """The same post of the same attempt always reads the same; nothing about the clip goes in."""
    digest = hashlib.sha256(f"{attempt_uid}:{position}".encode()).digest()
    handle = HANDLES[digest[0] % len(HANDLES)]
    return Byline(
        handle=handle,
        caption=str(CAPTIONS[digest[1] % len(CAPTIONS)]),
        initial=handle[0].upper(),
        tone=digest[2] % 6,
    )
