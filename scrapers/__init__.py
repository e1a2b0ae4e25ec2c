"""Scrapers: fetch and parse public pages into observations with evidence. Pure: no ``tracker``, no DB.

``SOURCES`` maps each stable source key to its (stateless) source object.
"""

from __future__ import annotations

from scrapers import digst_launch, digst_news, mitid_erhverv_news, watch
from scrapers.base import Source

# Each source module has the same shape and exports one ``SOURCE``.
SOURCES: dict[str, Source] = {
    module.SOURCE.key: module.SOURCE for module in (digst_launch, digst_news, mitid_erhverv_news, watch)
}


def get_source(key: str) -> Source:
    """The source registered under ``key``; KeyError naming the known keys otherwise."""
    try:
        return SOURCES[key]
    except KeyError:
        raise KeyError(f"unknown source {key!r}; known: {', '.join(sorted(SOURCES))}") from None
