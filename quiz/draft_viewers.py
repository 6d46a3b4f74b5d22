"""Who besides a draft quiz's builder, curators and staff may see it.

A draft can belong to a class: set as an assignment, or frozen into a pre-test or post-test.
The teachers of that class must be able to open it (to try what their students will take),
but classes live in lessons, a layer above quiz, so quiz cannot ask about them itself. The
higher app registers a check here from its AppConfig.ready(), and `Quiz.is_visible_to` asks
each one. With nothing registered a draft is its builder's, the curators' and staff's alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from media_library.registry import Registry

if TYPE_CHECKING:
    from quiz.models import Quiz

# (signed-in user, draft quiz) -> whether the user may see it.
Check = Callable[..., bool]

_checks: Registry[Check] = Registry()
register = _checks.register
unregister = _checks.unregister


def vouched_for(user, quiz: Quiz) -> bool:
    return any(check(user, quiz) for check in _checks)
