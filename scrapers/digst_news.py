"""digst.dk news archive (Digitaliseringsstyrelsen): items and articles about NemLog-in, MitID Erhverv, NSIS.

Article URLs look like ``/nyheder/nyhedsarkiv/2022/maj/<slug>/``; article pages
have an H1, a date line ("12-05-2022"), a category, a lead and H2 sections.
"""

from __future__ import annotations

import re

from scrapers.news import NewsArchiveSource


class DigstNewsSource(NewsArchiveSource):
    """The digst.dk news archive and its articles."""

    key = "digst_news"
    name = "Digitaliseringsstyrelsen – nyhedsarkiv"
    default_url = "https://digst.dk/nyheder/nyhedsarkiv/"
    article_path = re.compile(r"/nyheder/nyhedsarkiv/\d{4}/[^/]+/[^/]+/?$")
    # digst.dk publishes news on every topic; only these concern TU-tracker.
    topic = re.compile(
        r"nemlog-?in|mitid[\s-]+erhverv|nsis|sikringsniveau|lokal(?:e)?\s+idp|medarbejdersignatur|oces",
        re.IGNORECASE,
    )


SOURCE = DigstNewsSource()


def article_links(html: str, url: str) -> list[str]:
    """Absolute URLs of the relevant articles on an archive page."""
    return SOURCE.article_links(html, url)
