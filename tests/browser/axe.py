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


# Each word (letters and digits) of each visible text node, outside code and marked URLs/tokens, must sit on one
# line: its first and last letter are drawn on the same line. A word split across lines without a hyphen is
# what "Uk/en/dt" looked like on a phone.
_BROKEN_WORDS = """() => {
  const skip = 'code, pre, kbd, samp, script, style, .break-anywhere, .sr-only, .hide-base-svg, [aria-hidden="true"]';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  const word = /[\\p{L}\\p{N}]+/gu;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip) || !parent.checkVisibility()) continue;
    for (const m of node.data.matchAll(word)) {
      if (m[0].length < 2) continue;
      // The word's first and last letter on the same line. A letter's last box is its own: after a soft hyphen the
      // first letter also reports the hyphen drawn at the end of the line before.
      const top = (i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                           const boxes = [...r.getClientRects()]; const box = boxes[boxes.length - 1];
                           return box ? box.top + box.height / 2 : 0; };
      const first = top(m.index), last = top(m.index + m[0].length - 1);
      if (Math.abs(first - last) > 2) found.push(m[0] + ' in <' + parent.tagName.toLowerCase() + '>');
    }
  }
  return found;
}"""


def broken_words(page: Any) -> list[str]:
    """The words that the page breaks inside their letters (across two lines, no hyphen)."""
    return list(page.evaluate(_BROKEN_WORDS))


def scrolled_boxes(page: Any) -> list[str]:
    """Elements (table wrappers and the like) whose content is wider than they are: the answer would need a
    horizontal scroll inside the page even when the page itself fits."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('main *')].filter(e => {
                 const s = getComputedStyle(e);
                 return (s.overflowX === 'auto' || s.overflowX === 'scroll') && e.checkVisibility()
                        && e.scrollWidth > e.clientWidth + 1;
               }).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
                             + ' ' + (e.scrollWidth - e.clientWidth) + 'px')"""
        )
    )
