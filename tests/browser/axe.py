"""axe-core in the browser tests: `assert_accessible(page)` fails on serious or critical findings.

axe.min.js comes from the axe-playwright-python wheel (pinned in requirements-dev.txt), which
bundles it: no npm step, no download at test time. It is evaluated through Playwright, which runs
it like the DevTools console does, so the page's CSP (no inline scripts, no eval) stays as it is.
Minor and moderate findings are left to review (they are often matters of taste, such as a region
landmark for every aside) except for the heading outline; serious and critical ones lock someone
out. Pages without JavaScript cannot run axe-core: the journeys check the same pages with it on.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.base import AXE_SCRIPT

FAILING_IMPACTS = ("serious", "critical")
# axe-core rates these "moderate", but a page without a top-level heading or with a skipped level
# leaves a screen reader user without the outline they navigate by: they fail too.
FAILING_RULES = ("page-has-heading-one", "heading-order")
# The standards the app means to meet; the "best practice" rules are included for heading order
# (a skipped level on the reveal was one of the findings that started this).
RUN_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
}


def violations(page) -> list[dict]:
    """axe-core's failing violations on the page as it is now (it needs JavaScript on)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("options => window.axe.run(document, options)", RUN_OPTIONS)
    return [
        v
        for v in results["violations"]
        if v["impact"] in FAILING_IMPACTS or v["id"] in FAILING_RULES
    ]


def report(found: list[dict]) -> str:
    lines = []
    for violation in found:
        lines.append(
            f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} elements): "
            f"{violation['help']}"
        )
        for node in violation["nodes"][:10]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"  {' '.join(map(str, node['target']))}: {summary}")
        if len(violation["nodes"]) > 10:
            lines.append(f"  … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def assert_accessible(page, where: str = "") -> None:
    """Fail with a readable list of what axe-core finds (see FAILING_IMPACTS, FAILING_RULES)."""
    found = violations(page)
    if found:
        pytest.fail(f"axe-core on {where or page.url}:\n{report(found)}", pytrace=False)
