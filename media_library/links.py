"""Links a lower app's pages show to pages only a higher app has.

A media_library or quiz page may point at something a higher app provides (the lesson that
teaches a tell, the learner's progress page) but must not import that app, load its template
tags or reverse its URLs. So the higher app registers a named provider here, from its
AppConfig.ready(), and the page asks for the link by name:

    {% load provided_links %}
    {% provided_link "lesson-for-tell" tell.category as lesson %}
    {% if lesson %}<a href="{{ lesson.url }}">{{ lesson.title }}</a>{% endif %}

With no provider registered (the higher app not installed, or a test that unregisters it) the
page gets None and shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from media_library.registry import Registry

# The names pages ask for; the arguments each provider takes are given beside it.
LESSON_FOR_TELL = "lesson-for-tell"  # (tell category) -> the published lesson teaching it
LEARNER_PROGRESS = "learner-progress"  # () -> the signed-in learner's progress page
LESSONS = "lessons"  # () -> the list of Telltale's lessons
# () -> the published lesson on why detectors fail on fakes unlike those they learnt from (the
# detector's reveal links it when it cannot tell), or None
LESSON_ON_DETECTORS = "lesson-on-detectors"
# (attempt) -> the page that shows this attempt's results instead of the quiz's own (a
# campaign's attempt ends on the campaign's result page), or None
ATTEMPT_RESULTS = "attempt-results"


@dataclass(frozen=True)
class Link:
    url: str
    title: str = ""


Provider = Callable[..., Link | None]

_providers: Registry[Provider] = Registry()
register = _providers.register
unregister = _providers.unregister


def resolve(name: str, *args) -> Link | None:
    provider = _providers.get(name)
    return None if provider is None else provider(*args)
