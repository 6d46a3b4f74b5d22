"""The Spanish and Chinese catalogues against what the code asks for.

The msgids are collected here without xgettext: templates are compiled by Django's own engine
and their {% translate %} / {% blocktranslate %} nodes (and `_("…")` literals) read off the
node tree, building each msgid as makemessages does; Python modules are read with `ast`. So a
string wrapped after the last `makemessages`, a fuzzy or empty translation, a placeholder lost
in translation, a missing plural form or a stale compiled .mo each fail here, on a machine with
no gettext installed."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import polib
from django.conf import settings
from django.template import Node, engines
from django.template.base import FilterExpression, Variable
from django.template.smartif import TokenBase
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.test import SimpleTestCase
from django.utils.functional import Promise

BASE = Path(settings.BASE_DIR)
PYTHON_PACKAGES = ("quiz", "media_library", "lessons", "campaigns", "languages", "config")
SKIPPED_FOLDERS = {"tests", "bench", "migrations", "__pycache__"}
# Each catalogue and the number of plural forms its language has.
CATALOGUES = {"es": 2, "zh_Hans": 1}

# msgid key: (msgctxt or None, msgid); the value: msgid_plural or None, and where it was asked.
Key = tuple[str | None, str]


class Wanted:
    def __init__(self) -> None:
        self.plurals: dict[Key, str | None] = {}
        self.places: dict[Key, set[str]] = defaultdict(set)

    def add(self, where: str, msgid: str, plural: str | None = None, context: str | None = None):
        if not msgid:
            return  # gettext("") is the catalogue header, never a text
        key = (context, msgid)
        self.plurals[key] = plural or self.plurals.get(key)
        self.places[key].add(where)


# Templates ---------------------------------------------------------------------------------------


def template_files() -> list[tuple[str, Path]]:
    """(name the engine loads it by, file) for the project's templates and every app's own."""
    dirs = [Path(d) for d in engines["django"].engine.dirs]
    dirs += [BASE / package / "templates" for package in PYTHON_PACKAGES]
    found = []
    for folder in dirs:
        if folder.is_dir():
            found += [
                (path.relative_to(folder).as_posix(), path)
                for path in sorted(folder.rglob("*"))
                if path.is_file()
            ]
    return found


def _literal(expression) -> str | None:
    """The string literal a tag argument (a FilterExpression) holds, or None for a variable."""
    if isinstance(expression, FilterExpression):
        var = expression.var
        if isinstance(var, Variable):
            return var.literal if isinstance(var.literal, str) else None
        return var if isinstance(var, str) else None
    return None


def _translated_literals(value, depth: int = 0):
    """(msgctxt, msgid) of every `_("…")` literal inside a node's attribute value: filter
    expressions, their arguments, {% if %} conditions, tag arguments, keyword dictionaries."""
    if depth > 6:
        return
    if isinstance(value, Variable):
        if value.translate and isinstance(value.literal, str):
            # Resolving doubles each % (Variable.resolve), and so does makemessages.
            yield value.message_context, value.literal.replace("%", "%%")
    elif isinstance(value, Promise) and len(getattr(value, "_args", ())) in (1, 2):
        # A constant filter argument, `default:_("…")`, is resolved when the template is
        # compiled: to gettext_lazy(msgid), or pgettext_lazy(context, msgid).
        args = value._args
        yield (args[0] if len(args) == 2 else None), args[-1]
    elif isinstance(value, FilterExpression):
        yield from _translated_literals(value.var, depth + 1)
        for _func, args in value.filters:
            for _lookup, arg in args:
                yield from _translated_literals(arg, depth + 1)
    elif isinstance(value, TokenBase):
        for part in ("first", "second", "value"):
            yield from _translated_literals(getattr(value, part, None), depth + 1)
    elif isinstance(value, list | tuple | set):
        for each in value:
            yield from _translated_literals(each, depth + 1)
    elif isinstance(value, dict):
        for each in value.values():
            yield from _translated_literals(each, depth + 1)


def collect_templates(wanted: Wanted) -> None:
    engine = engines["django"].engine
    for name, path in template_files():
        template = engine.get_template(name)
        where = path.relative_to(BASE).as_posix()
        for node in template.nodelist.get_nodes_by_type(Node):
            if isinstance(node, TranslateNode):
                msgid = _literal(node.filter_expression)
                if msgid is not None:
                    # Rendering doubles each % (Variable.resolve), and so does makemessages.
                    wanted.add(
                        where, msgid.replace("%", "%%"), None, _literal(node.message_context)
                    )
            elif isinstance(node, BlockTranslateNode):
                singular, _vars = node.render_token_list(node.singular)
                plural = node.render_token_list(node.plural)[0] if node.plural else None
                wanted.add(where, singular, plural, _literal(node.message_context))
            for value in vars(node).values():
                for context, msgid in _translated_literals(value):
                    wanted.add(where, msgid, None, context)


# Python ------------------------------------------------------------------------------------------

# Function name → (position of msgctxt, of msgid, of msgid_plural), None where it takes none.
GETTEXT_CALLS = {
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "_": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


def python_files() -> list[Path]:
    files = []
    for package in PYTHON_PACKAGES:
        for path in sorted((BASE / package).rglob("*.py")):
            if not SKIPPED_FOLDERS & set(path.relative_to(BASE).parts[:-1]):
                files.append(path)
    return files


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def collect_python(wanted: Wanted) -> None:
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in GETTEXT_CALLS:
                continue
            context_at, msgid_at, plural_at = GETTEXT_CALLS[name]

            def arg(at, args=node.args):
                return _string(args[at]) if at is not None and at < len(args) else None

            msgid = arg(msgid_at)
            if msgid is None:
                continue  # a variable: translated elsewhere, as a literal
            where = f"{path.relative_to(BASE).as_posix()}:{node.lineno}"
            wanted.add(where, msgid, arg(plural_at), arg(context_at))


def wanted_msgids() -> Wanted:
    wanted = Wanted()
    collect_templates(wanted)
    collect_python(wanted)
    return wanted


# Placeholders ------------------------------------------------------------------------------------

PERCENT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*\d*(?:\.\d+)?(?P<kind>[a-zA-Z%])")
BRACE = re.compile(r"(?<!\{)\{(?P<field>[A-Za-z_][A-Za-z0-9_]*|\d*)(?:[!:][^{}]*)?\}(?!\})")


def placeholders(text: str, brace: bool) -> tuple:
    """What a translation must keep of `text`: its named %(x)s placeholders and %% (as a set),
    its positional %s/%d in order, and with brace-format its {fields}."""
    named, positional = set(), []
    for match in PERCENT.finditer(text):
        if match["kind"] == "%":
            named.add("%%")
        elif match["name"] is not None:
            named.add(f"%({match['name']}){match['kind']}")
        else:
            positional.append(f"%{match['kind']}")
    fields = {m["field"] for m in BRACE.finditer(text)} if brace else set()
    return frozenset(named), tuple(positional), frozenset(fields)


def _is_brace(entry: polib.POEntry) -> bool:
    return "python-brace-format" in entry.flags


def _describe(entry: polib.POEntry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"{context}{entry.msgid!r}"


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(BASE / "locale" / language / "LC_MESSAGES" / "django.po"))


class CataloguesTest(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.wanted = wanted_msgids()

    def test_it_finds_the_strings_the_code_asks_for(self):
        """The collector itself: a few strings known to be asked for, of each kind."""
        keys = set(self.wanted.plurals)
        # {% translate %} in the switcher, a Python gettext_lazy in a model, a blocktranslate
        # with a variable, and a blocktranslate with a plural.
        for key in [
            ("switch to the chosen language", "Change"),
            (None, "language preference"),
            (None, "Not yet written in %(language)s: shown in English."),
            (None, "No reason was recorded."),  # a `_("…")` filter argument
        ]:
            self.assertTrue(key in keys, f"{key} was not collected")
        plural = "Answers are kept for %(months)s months, then only folded into totals."
        self.assertEqual(
            self.wanted.plurals[
                (None, "Answers are kept for %(months)s month, then only folded into totals.")
            ],
            plural,
        )
        self.assertGreater(len(keys), 500)

    def test_it_has_every_msgid_in_each_catalogue(self):
        for language in CATALOGUES:
            with self.subTest(language=language):
                po = catalogue(language)
                present = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
                missing, wrong_plural = [], []
                for key in sorted(self.wanted.plurals, key=lambda k: (k[1], k[0] or "")):
                    places = ", ".join(sorted(self.wanted.places[key])[:3])
                    context, msgid = key
                    label = (f"[{context}] " if context else "") + repr(msgid)
                    if key not in present:
                        missing.append(f"  {label}  ({places})")
                    elif (present[key].msgid_plural or None) != self.wanted.plurals[key]:
                        wrong_plural.append(
                            f"  {label}: plural {present[key].msgid_plural!r} in the catalogue, "
                            f"{self.wanted.plurals[key]!r} in the code ({places})"
                        )
                problems = []
                if missing:
                    problems.append(
                        f"{len(missing)} msgid(s) asked for by the code are not in "
                        f"locale/{language}/LC_MESSAGES/django.po (run makemessages and "
                        "translate them):\n" + "\n".join(missing)
                    )
                if wrong_plural:
                    problems.append("plural msgids differ:\n" + "\n".join(wrong_plural))
                if problems:
                    self.fail("\n".join(problems))

    def test_it_has_no_fuzzy_or_untranslated_entry(self):
        for language in CATALOGUES:
            with self.subTest(language=language):
                po = catalogue(language)
                fuzzy = [_describe(e) for e in po.fuzzy_entries() if not e.obsolete]
                untranslated = [_describe(e) for e in po.untranslated_entries()]
                problems = [f"  fuzzy: {e}" for e in fuzzy]
                problems += [f"  untranslated: {e}" for e in untranslated]
                if problems:
                    self.fail(
                        f"{len(problems)} entries of locale/{language}/LC_MESSAGES/django.po need "
                        "a translation:\n" + "\n".join(problems),
                    )

    def test_it_keeps_the_placeholders_and_plural_forms(self):
        for language, forms in CATALOGUES.items():
            with self.subTest(language=language):
                po = catalogue(language)
                self.assertIn(f"nplurals={forms};", po.metadata["Plural-Forms"].replace(" ", ""))
                problems = []
                for entry in po.translated_entries():
                    brace = _is_brace(entry)
                    if not entry.msgid_plural:
                        if placeholders(entry.msgid, brace) != placeholders(entry.msgstr, brace):
                            problems.append(f"{_describe(entry)} → {entry.msgstr!r}")
                        continue
                    if sorted(entry.msgstr_plural) != list(range(forms)):
                        problems.append(
                            f"{_describe(entry)}: plural forms {sorted(entry.msgstr_plural)}, "
                            f"{language} has {forms}"
                        )
                    # A form may speak of one ("un mes") as the singular msgid does, or of many.
                    allowed = {
                        placeholders(entry.msgid, brace),
                        placeholders(entry.msgid_plural, brace),
                    }
                    for index, text in entry.msgstr_plural.items():
                        if placeholders(text, brace) not in allowed:
                            problems.append(f"{_describe(entry)} form {index} → {text!r}")
                self.assertEqual(problems, [], f"placeholders differ in {language}")

    def test_it_compiled_each_catalogue_as_written(self):
        """The committed .mo is what Django reads: it must say what the .po says."""
        for language in CATALOGUES:
            with self.subTest(language=language):
                po = catalogue(language)
                mo_path = BASE / "locale" / language / "LC_MESSAGES" / "django.mo"
                self.assertTrue(mo_path.is_file(), f"{mo_path} is not there: compilemessages")
                mo = polib.mofile(str(mo_path))

                def table(entries) -> dict:
                    return {
                        (e.msgctxt, e.msgid): (
                            tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural))
                            if e.msgid_plural
                            else e.msgstr
                        )
                        for e in entries
                        if e.msgid
                    }

                written = table(e for e in po.translated_entries() if not e.obsolete)
                compiled = table(mo)
                stale = sorted(
                    f"  {k[1]!r}: .po {written.get(k)!r}, .mo {compiled.get(k)!r}"
                    for k in written.keys() | compiled.keys()
                    if written.get(k) != compiled.get(k)
                )
                if stale:
                    self.fail(
                        f"locale/{language}/LC_MESSAGES/django.mo differs from its .po "
                        "(run compilemessages):\n" + "\n".join(stale[:40]),
                    )


class PlaceholdersTest(SimpleTestCase):
    """The placeholder comparison the catalogue test relies on."""

    def test_it_tells_a_lost_or_renamed_placeholder(self):
        same = placeholders("%(n)d of %(total)s, 50 %% right", brace=False)
        self.assertEqual(same, placeholders("%(total)s: %(n)d, 50 %% bien", brace=False))
        self.assertNotEqual(same, placeholders("%(n)d de %(todo)s, 50 %% bien", brace=False))
        self.assertNotEqual(same, placeholders("%(n)d de %(total)s, 50 bien", brace=False))
        self.assertNotEqual(placeholders("%s then %d", False), placeholders("%d, %s", False))
        self.assertNotEqual(placeholders("{name} left", True), placeholders("{nombre}", True))
