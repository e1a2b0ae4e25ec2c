"""axe-core (npm, pinned in package-lock.json) for the browser suite: load it into a page, run it, report.

``make test`` runs ``npm ci`` first; without node_modules the checks skip, or fail under TRACKER_REQUIRE_BROWSER.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def run_axe(page: Any) -> list[str]:
    """The WCAG 2.1 A/AA violations on the page, one readable line per failing node."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_AA,
    )
    return [
        f"{v['id']} ({v['impact']}): {node['target']} — {node['failureSummary'][:200]}"
        for v in result["violations"]
        for node in v["nodes"]
    ]


def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than its viewport (0: it reflows)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))
