"""Named callables a higher app hands a lower one, from its AppConfig.ready().

A lower layer never imports a higher one (docs/architecture.md), yet sometimes needs an answer
only the higher app has: a link to its page, a count of its records, whether it vouches for a
user. The lower module keeps a Registry; the higher app registers what answers; the lower one
asks, and copes with nothing registered. Tests take an entry out and put it back.
"""

from __future__ import annotations

from collections.abc import Iterator


class Registry[T]:
    def __init__(self) -> None:
        self._entries: dict[str, T] = {}

    def register(self, name: str, entry: T) -> None:
        self._entries[name] = entry

    def unregister(self, name: str) -> T | None:
        """Remove an entry and return it (tests put it back with register)."""
        return self._entries.pop(name, None)

    def get(self, name: str) -> T | None:
        return self._entries.get(name)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._entries.values()))
