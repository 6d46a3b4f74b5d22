"""Browser tests: Playwright's sync API drives Debian's chromium against the live_server.

Playwright's own browser download does not work here, so the tests use /usr/bin/chromium. When it
is missing and we are root, it is installed with apt-get; otherwise the tests skip and say why.
Every page is watched: a console error, an uncaught exception or a CSP violation fails the test.
Screenshots go to artifacts/browser/ (ignored by git); axe-core checks are in axe.py.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

CHROMIUM = Path("/usr/bin/chromium")
# Screenshots the journeys take, for a person (or CI's artefact upload) to look at; git ignores it.
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Reported by the page itself, so a violation is caught even where chromium logs nothing.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const blocked = event.blockedURI || "inline code";
  console.error(`CSP violation: ${event.violatedDirective} blocked ${blocked}`);
});
"""


def _fonts_environment(folder: Path) -> dict[str, str]:
    """Chromium's environment with the Chinese face the share card uses (Noto Sans CJK SC from
    the mplfonts wheel) added to the machine's fonts: a machine without a CJK system font would
    draw every Han character of the Chinese journeys' screenshots as a box. A visitor's own
    system fonts do this on real devices; nothing is downloaded."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return dict(os.environ)
    fonts = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{fonts}</dir>\n"
        "  <!-- SimHei, in the same wheel, has an unclear licence: never offered. -->\n"
        "  <selectfont><rejectfont><glob>*SimHei*</glob></rejectfont></selectfont>\n"
        f"  <cachedir>{folder / 'cache'}</cachedir>\n"
        "</fontconfig>\n"
    )
    return {**os.environ, "FONTCONFIG_FILE": str(config)}


def _chromium_missing_reason() -> str | None:
    if CHROMIUM.exists():
        return None
    if os.geteuid() != 0:
        return f"{CHROMIUM} is missing and we are not root: run `sudo apt-get install chromium`"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "chromium"]
    if subprocess.run(install, env=env, capture_output=True, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, check=False)
        subprocess.run(install, env=env, capture_output=True, check=False)
    return None if CHROMIUM.exists() else "apt-get could not install chromium"


@pytest.fixture(scope="session")
def browser(tmp_path_factory) -> Iterator:
    reason = _chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    env = _fonts_environment(tmp_path_factory.mktemp("fonts"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, env=env
        )
        yield browser
        browser.close()


@pytest.fixture
def media_root(tmp_path: Path) -> Iterator[Path]:
    """Media and work folders of the test's own, for journeys that make real clip files."""
    root = tmp_path / "media"
    root.mkdir()
    (tmp_path / "work").mkdir()
    with override_settings(MEDIA_ROOT=root, MEDIA_WORK_DIR=tmp_path / "work"):
        yield root


class PageProblems(list):
    """Console errors, uncaught exceptions and CSP violations seen on the page, in order."""

    expected: tuple[str, ...] = ()

    def unexpected(self) -> list[str]:
        allowed = self.expected
        return [p for p in self if not any(a in p for a in allowed)]


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser, live_server, page_problems: PageProblems) -> Iterator:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(20_000)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()

    def on_console(message) -> None:
        if message.type == "error":
            page_problems.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_problems.append(f"uncaught: {error}"))
    yield page
    context.close()
    assert not page_problems.unexpected(), page_problems.unexpected()


@pytest.fixture
def log_in(page):
    """Sign in through the real log-in form (tests/base.py users have the password "password")."""

    def log_in(username: str, password: str = "password") -> None:  # noqa: S107
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert "/accounts/login/" not in page.url, f"{username} could not log in"

    return log_in
