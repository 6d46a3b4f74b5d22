"""The layers hold: `media_library.detector` and `languages` <- `media_library` <- `quiz` <-
`campaigns` <- `lessons` <- `config`.

Python imports are checked by import-linter (the contracts in pyproject.toml, run by `make lint`);
the tests here show that each contract breaks on a deliberate violation in a small stand-in
project, so a contract weakened by accident fails here. Templates are checked here directly: a
lower app's template never loads a higher app's tag library, never `{% url %}`-links a higher
app's namespace and never includes or extends a higher app's template.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from django.conf import settings
from django.template.backends.django import get_installed_libraries
from django.template.base import Lexer, TokenType
from django.test import SimpleTestCase
from django.urls import get_resolver

# Lowest first. config's own templates (base.html, home.html, errors) sit on top of them all.
APP_LAYERS = ("languages", "media_library", "quiz", "campaigns", "lessons")
TEMPLATES = Path(settings.BASE_DIR) / "templates"
PYPROJECT = Path(settings.BASE_DIR) / "pyproject.toml"

# A stand-in project that keeps every contract: one module per layer, the detector a package of
# its own that imports only itself and the standard library.
CLEAN_TREE = {
    "config/__init__.py": "",
    "config/urls.py": "import django.urls\nimport lessons.views\nimport quiz.views\n",
    "lessons/__init__.py": "",
    "lessons/models.py": "import campaigns.models\nimport quiz.models\n",
    "lessons/views.py": "import lessons.models\nimport media_library.models\n",
    "campaigns/__init__.py": "",
    "campaigns/models.py": "import django.db\nimport quiz.models\n",
    "quiz/__init__.py": "",
    "quiz/models.py": "import django.db\nimport media_library.models\n",
    "quiz/views.py": "import quiz.models\n",
    "languages/__init__.py": "",
    "languages/choice.py": "import django.utils.translation\n",
    "media_library/__init__.py": "",
    "media_library/models/__init__.py": (
        "import django.db\nfrom media_library.detector import analysis\n"
    ),
    # The one cycle the contract allows: a model queues its task, the task loads the model.
    "media_library/models/clip.py": "\n\ndef later():\n    from media_library import tasks\n",
    "media_library/tasks.py": "import media_library.models\n",
    "media_library/detector/__init__.py": "",
    "media_library/ranges.py": "import re\n",
    "media_library/detector/analysis.py": (
        "import json\nfrom media_library.detector.signals import face\n"
    ),
    "media_library/detector/signals/__init__.py": "",
    "media_library/detector/signals/face.py": "import math\n",
}


def deferred(statement: str) -> str:
    """An import inside a function: import-linter must see it like any other."""
    return f"\n\ndef later():\n    {statement}\n"


def contract_ids() -> dict[str, str]:
    """Contract name -> id, as pyproject.toml declares them."""
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    return {contract["name"]: contract["id"] for contract in config["contracts"]}


class ImportContractTests(SimpleTestCase):
    """pyproject.toml's contracts, run on the stand-in project with one violation added."""

    def lint(self, additions: dict[str, str] | None = None) -> dict[str, str]:
        """Each contract's id -> "KEPT" or "BROKEN" once `additions` (path -> text appended)
        are made to the clean tree."""
        root = Path(self.enterContext(tempfile.TemporaryDirectory()))
        tree = dict(CLEAN_TREE)
        for path, text in (additions or {}).items():
            tree[path] = tree.get(path, "") + text
        for path, text in tree.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        shutil.copy(PYPROJECT, root / "pyproject.toml")
        env = {**os.environ, "COLUMNS": "300", "NO_COLOR": "1", "PYTHONPATH": str(root)}
        result = subprocess.run(
            [Path(sys.executable).parent / "lint-imports", "--no-cache", "--no-logo"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertIn(result.returncode, (0, 1), result.stdout + result.stderr)
        verdicts = {}
        for name, contract_id in contract_ids().items():
            line = next(
                (line for line in result.stdout.splitlines() if line.startswith(f"{name} ")), ""
            )
            # "NAME KEPT" or "NAME BROKEN", perhaps followed by "(1 ignored import)".
            verdict = re.search(r" (KEPT|BROKEN)\b", line.removeprefix(name))
            verdicts[contract_id] = verdict.group(1) if verdict else "MISSING"
        return verdicts

    def assertBroken(self, contract: str, additions: dict[str, str]) -> None:
        verdicts = self.lint(additions)
        self.assertEqual(verdicts.pop(contract), "BROKEN", additions)
        self.assertEqual(set(verdicts.values()), {"KEPT"}, additions)

    def test_the_clean_stand_in_keeps_every_contract(self) -> None:
        verdicts = self.lint()
        self.assertEqual(set(verdicts), {"layers", "detector-library", "acyclic"})
        self.assertEqual(set(verdicts.values()), {"KEPT"})

    def test_a_lower_app_importing_a_higher_one_breaks_the_layers(self) -> None:
        self.assertBroken("layers", {"quiz/views.py": deferred("from lessons import models")})
        self.assertBroken("layers", {"media_library/tasks.py": "import quiz.views\n"})
        self.assertBroken("layers", {"quiz/models.py": deferred("import campaigns.models")})

    def test_the_detector_importing_django_breaks_the_library_contract(self) -> None:
        self.assertBroken(
            "detector-library",
            {"media_library/detector/analysis.py": "from django.utils import timezone\n"},
        )

    def test_the_detector_importing_media_library_breaks_the_library_contract(self) -> None:
        self.assertBroken(
            "detector-library",
            {
                "media_library/detector/signals/face.py": deferred(
                    "from media_library import ranges"
                )
            },
        )

    def test_it_covers_media_library_packages_that_do_not_exist_yet(self) -> None:
        self.assertBroken(
            "detector-library",
            {
                "media_library/storage/__init__.py": "",
                "media_library/storage/weights.py": "",
                "media_library/detector/analysis.py": "from media_library.storage import weights\n",
            },
        )

    def test_a_cycle_hidden_by_a_deferred_import_breaks_the_acyclic_contract(self) -> None:
        self.assertBroken(
            "acyclic",
            {
                "media_library/tasks.py": "import media_library.ranges\n",
                "media_library/ranges.py": deferred("from media_library import tasks"),
            },
        )
        self.assertBroken("acyclic", {"lessons/models.py": deferred("from lessons import views")})

    def test_a_cycle_deep_inside_a_package_breaks_the_acyclic_contract(self) -> None:
        self.assertBroken(
            "acyclic",
            {
                "media_library/detector/signals/face.py": deferred(
                    "from media_library.detector import analysis"
                )
            },
        )


def tag_library_apps() -> dict[str, str]:
    """Each tag library `{% load %}` knows -> the top-level package that defines it."""
    return {name: module.split(".")[0] for name, module in get_installed_libraries().items()}


def url_namespace_apps() -> dict[str, str]:
    """Each top-level URL namespace -> the top-level package of the URLconf that declares it."""
    apps = {}
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        module = getattr(resolver.urlconf_module, "__name__", "")
        apps[namespace] = module.split(".")[0]
    return apps


def upward_references(app: str, source: str) -> list[str]:
    """What a template of `app` uses from an app above it: tag libraries, URL names, templates."""
    higher = set(APP_LAYERS[APP_LAYERS.index(app) + 1 :])
    libraries, namespaces = tag_library_apps(), url_namespace_apps()
    found = []
    for token in Lexer(source).tokenize():
        if token.token_type != TokenType.BLOCK:
            continue
        bits = token.split_contents()
        if bits[0] == "load":
            names = bits[bits.index("from") + 1 :] if "from" in bits else bits[1:]
            found += [f"{{% load {n} %}}" for n in names if libraries.get(n) in higher]
        elif bits[0] == "url" and len(bits) > 1:
            name = bits[1].strip("\"'")
            if ":" in name and namespaces.get(name.split(":")[0]) in higher:
                found.append(f"{{% url '{name}' %}}")
        elif bits[0] in {"include", "extends"} and len(bits) > 1:
            template = bits[1].strip("\"'")
            if template.split("/")[0] in higher:
                found.append(f'{{% {bits[0]} "{template}" %}}')
    return found


class TemplateLayerTests(SimpleTestCase):
    def test_no_template_uses_the_tags_urls_or_templates_of_a_higher_app(self) -> None:
        problems = []
        for app in APP_LAYERS:
            for path in sorted((TEMPLATES / app).rglob("*.html")):
                for reference in upward_references(app, path.read_text()):
                    problems.append(f"{path.relative_to(TEMPLATES)}: {reference}")
        self.assertEqual(
            problems,
            [],
            "a lower app's template reaches up; let the higher app "
            "register the link instead (see docs/architecture.md)",
        )

    def test_the_check_knows_every_apps_tag_libraries_and_namespaces(self) -> None:
        # Read from the installed apps, not a hand list: every app has URLs, and every app with
        # a templatetags package has its libraries known (lessons has none: the links it gives
        # lower pages go through media_library's registry).
        libraries, namespaces = tag_library_apps(), url_namespace_apps()
        for app in APP_LAYERS:
            with self.subTest(app=app):
                self.assertIn(app, namespaces.values())
                if (Path(settings.BASE_DIR) / app / "templatetags").is_dir():
                    self.assertIn(app, libraries.values())

    def test_it_catches_a_deliberate_upward_reference(self) -> None:
        libraries, namespaces = tag_library_apps(), url_namespace_apps()
        quiz_library = next(name for name, app in libraries.items() if app == "quiz")
        lessons_namespace = next(name for name, app in namespaces.items() if app == "lessons")
        media_library_library = next(n for n, app in libraries.items() if app == "media_library")
        source = (
            f"{{% load i18n {quiz_library} %}}{{% load thing from {quiz_library} %}}"
            f"{{% load {media_library_library} %}}"
            f"<a href=\"{{% url '{lessons_namespace}:page' 1 %}}\">"
            "{% include 'lessons/part.html' %}{% url 'media_library:clip-list' %}"
        )
        self.assertEqual(
            upward_references("media_library", source),
            [
                f"{{% load {quiz_library} %}}",
                f"{{% load {quiz_library} %}}",
                f"{{% url '{lessons_namespace}:page' %}}",
                '{% include "lessons/part.html" %}',
            ],
        )
        self.assertEqual(
            upward_references("quiz", source),
            [
                f"{{% url '{lessons_namespace}:page' %}}",
                '{% include "lessons/part.html" %}',
            ],
        )
        self.assertEqual(upward_references("lessons", source), [])


class StartUpTests(SimpleTestCase):
    def test_a_web_or_worker_process_does_not_load_scikit_learn(self) -> None:
        # Only fitting, evaluating and the pages of the learning measures use it; every
        # process loads the models, the URLs and the tasks, and should not pay for it there.
        code = (
            "import sys, django; django.setup(); "
            "import config.urls, media_library.tasks, media_library.models; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn')[:3])"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), "[]")
