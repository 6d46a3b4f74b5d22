"""axe-core in the browser tests: `assert_accessible(page)` fails on serious or critical findings.

axe.min.js comes from the axe-playwright-python wheel (pinned in requirements-dev.txt), which
bundles it: no npm step, no download at test time. It is evaluated through Playwright, which runs
it like the DevTools console does, so the page's CSP (no inline scripts, no eval) stays as it is.
Minor and moderate findings are left to review: they are often matters of taste (a region
landmark for every aside), while serious and critical ones lock someone out.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.base import AXE_SCRIPT

FAILING_IMPACTS = ("serious", "critical")
# The standards the app means to meet; the "best practice" rules are included for heading order
# (a skipped level on the reveal was one of the findings that started this).
RUN_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
}


def violations(page, *, impacts: tuple[str, ...] = FAILING_IMPACTS) -> list[dict]:
    """axe-core's violations on the page as it is now, of the given impacts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("options => window.axe.run(document, options)", RUN_OPTIONS)
    return [v for v in results["violations"] if v["impact"] in impacts]


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
    """Fail with a readable list when axe-core finds a serious or critical violation."""
    found = violations(page)
    if found:
        pytest.fail(f"axe-core on {where or page.url}:\n{report(found)}", pytrace=False)
