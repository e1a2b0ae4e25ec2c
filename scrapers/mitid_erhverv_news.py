"""mitid-erhverv.dk news archive: every item concerns MitID Erhverv, so no topic filter.

Article URLs look like ``/info/nyhedsarkiv/<slug>/``.
"""

from __future__ import annotations

import re

from scrapers.news import NewsArchiveSource


class MitidErhvervNewsSource(NewsArchiveSource):
    """The mitid-erhverv.dk news archive and its articles."""

    key = "mitid_erhverv_news"
    name = "MitID Erhverv – nyhedsarkiv"
    default_url = "https://www.mitid-erhverv.dk/info/nyhedsarkiv/"
    article_path = re.compile(r"/info/nyhedsarkiv/[^/?#]+/?$")
    topic = None


SOURCE = MitidErhvervNewsSource()


def article_links(html: str, url: str) -> list[str]:
    """Absolute URLs of the articles on an archive page."""
    return SOURCE.article_links(html, url)
