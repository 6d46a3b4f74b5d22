"""The language management commands speak: the environment's, as other command-line tools do.

`manage.py` calls `speak_environment_language()` before running a command. From then on the
commands' own messages (what they write, their errors, their --help) come out in the language
named by LANGUAGE, LC_ALL, LC_MESSAGES or LANG (`LANG=es_ES.UTF-8` → Spanish, `zh_CN.UTF-8` →
simplified Chinese), or in English when none names a site language (`C.UTF-8`, unset).

Only the messages change language: the active Django language stays English, so a command
reads and writes the same columns whatever the terminal's locale (django-modeltranslation
points `title` at the active language's column, and a command must not change what it stores).
A command run from code (`call_command`, the tests) speaks English, whatever the environment
or a request left active, so what it prints does not depend on what ran before it.

Commands mark their messages with this module's `gettext` (imported as `_`), which
`makemessages` extracts like Django's own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.conf import settings
from django.utils import translation

from languages.choice import supported

# gettext's order: LANGUAGE is a priority list; of the others the first one set decides.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

# Set by manage.py; the language is resolved on first use, once settings are loaded.
_speaking = {"environment": False, "language": None}


def _code(locale_name: str) -> str:
    """A locale name as a language code: es_ES.UTF-8 → es-es, zh_CN@pinyin → zh-cn, C → c."""
    return locale_name.split(".")[0].split("@")[0].replace("_", "-").strip().lower()


def environment_language(environ: Mapping[str, str] | None = None) -> str:
    """The site language the environment's locale names, else English (LANGUAGE_CODE)."""
    environ = os.environ if environ is None else environ
    for entry in environ.get("LANGUAGE", "").split(":"):
        if entry and (language := supported(_code(entry))):
            return language
    for name in LOCALE_VARIABLES:
        if value := environ.get(name):
            return supported(_code(value)) or settings.LANGUAGE_CODE
    return settings.LANGUAGE_CODE


def speak_environment_language() -> None:
    """Make commands' messages follow the environment's locale (called by manage.py)."""
    _speaking.update(environment=True, language=None)


def command_language() -> str:
    """The language commands' messages are in."""
    if not _speaking["environment"]:
        return settings.LANGUAGE_CODE
    if _speaking["language"] is None:
        _speaking["language"] = environment_language()
    return _speaking["language"]


def gettext(message: str) -> str:
    with translation.override(command_language()):
        return translation.gettext(message)


def ngettext(singular: str, plural: str, number: int) -> str:
    with translation.override(command_language()):
        return translation.ngettext(singular, plural, number)


class LazyMessage:
    """A message translated when it is read. As a class attribute (a command's `help`) it reads
    as a plain str, which argparse needs (Django's lazy strings make it fail); elsewhere str()
    translates it."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __get__(self, instance: object, owner: type | None = None) -> str:
        return gettext(self.message)

    def __str__(self) -> str:
        return gettext(self.message)


def gettext_lazy(message: str) -> LazyMessage:
    return LazyMessage(message)
