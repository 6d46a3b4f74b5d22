"""Django's own texts that its Spanish catalogue does not translate yet (Django 6.1 is newer
than its translations). Naming them here puts them in our catalogues when makemessages runs,
and Django reads LOCALE_PATHS before its own catalogues, so pages show ours.

Nothing imports this module: the catalogue lookup is by msgid, at run time, wherever Django
asks for the text (e.g. BLANK_CHOICE_LABEL, the empty choice of every select of a model's
choices field)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

DJANGO_TEXTS = (gettext_noop("- Select an option -"),)
