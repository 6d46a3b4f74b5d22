"""Layout checks the journeys share: screen sizes, and the labels stacked tables show on a phone."""

from __future__ import annotations

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
# A cell's label as a phone shows it: the ::before content its data-label gives (site.css).
CELL_LABEL = "td => getComputedStyle(td, '::before').content"


def unlabelled_stacked_cells(page, table: str) -> list[str]:
    """The text of every non-empty cell of the table that shows no label before it.

    Call it at PHONE size, where .clip-table rows stack into cards."""
    cells = page.locator(f"{table} tbody td, {table} tfoot td")
    assert cells.count() > 0, f"{table} has no cells"
    unlabelled = []
    for cell in cells.all():
        text = cell.inner_text().strip()
        if not text:
            continue
        label = cell.evaluate(CELL_LABEL)
        if label in ("none", "normal", "") or not cell.get_attribute("data-label"):
            unlabelled.append(text)
    return unlabelled
