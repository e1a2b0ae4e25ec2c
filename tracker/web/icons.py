"""DKFDS's icons, as DKFDS uses them: ``<svg class="icon-svg"><use href="#name"></use></svg>``.

The symbols come from the vendored sprite (static/vendor/dkfds/img/all-svg-icons.svg). Each page carries only
the few it uses, inline and hidden (``hide-base-svg``), so ``#name`` resolves without a request.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from markupsafe import Markup

SPRITE = Path(__file__).parent / "static" / "vendor" / "dkfds" / "img" / "all-svg-icons.svg"
# The icons the page frame and the shared components use (menu, alerts, language, links, log-off).
USED = (
    "menu", "close", "lock", "check", "info", "success", "warning", "error", "language", "open-in-new",
    "arrow-upward", "download", "print", "file-pdf", "chevron-right", "chevron-down",
)  # fmt: skip
_SYMBOL = re.compile(r'<symbol id="([^"]+)"[^>]*>.*?</symbol>', re.S)


@cache
def _symbols() -> dict[str, str]:
    return {m.group(1): m.group(0) for m in _SYMBOL.finditer(SPRITE.read_text(encoding="utf-8"))}


@cache
def icon_sprite() -> Markup:
    """The hidden inline sprite with the symbols in ``USED``."""
    symbols = _symbols()
    body = "".join(symbols[name] for name in USED if name in symbols)
    # The symbols are DKFDS's own vendored SVG, not user input.
    return Markup(f'<div class="hide-base-svg"><svg xmlns="http://www.w3.org/2000/svg">{body}</svg></div>')  # noqa: S704 - DKFDS's vendored SVG, not user input


def icon(name: str, label: str | None = None, classes: str = "") -> Markup:
    """One icon; decorative (``aria-hidden``) unless it has a ``label`` of its own."""
    if name not in USED:
        raise ValueError(f"icon {name!r} is not in the page's sprite (tracker.web.icons.USED)")
    css = f"icon-svg {classes}".strip()
    if label:
        return Markup(
            '<svg class="{}" role="img" aria-label="{}" focusable="false"><use href="#{}"></use></svg>'
        ).format(css, label, name)
    return Markup('<svg class="{}" focusable="false" aria-hidden="true"><use href="#{}"></use></svg>').format(css, name)
