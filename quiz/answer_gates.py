"""Whether an attempt still takes answers, as far as a higher app that runs it is concerned
(a campaign takes none once it has ended). The app registers a gate from its AppConfig.ready();
the answer endpoint asks every gate before it stores anything. A gate answers from what the
request already holds (the session), never with a query: this is the hot path."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.http import HttpRequest

from media_library.registry import Registry

# (request, attempt uid) -> why no answer is taken now, or None
Gate = Callable[[HttpRequest, UUID], str | None]

_gates: Registry[Gate] = Registry()
register = _gates.register
unregister = _gates.unregister


def refusal(request: HttpRequest, uid: UUID) -> str | None:
    for gate in _gates:
        reason = gate(request, uid)
        if reason:
            return reason
    return None
