"""HTML → PDF for "Rapport til ledelsen" (WeasyPrint): a tagged PDF/UA-1 document (structure for screen readers,
language and title from the page), styled by the same vendored DKFDS and our stylesheet as the printed page.

Only our own static files are read (the fonts DKFDS names, from memory); nothing else is fetched. WeasyPrint needs
Pango from the system (Debian: libpango-1.0-0, libpangoft2-1.0-0); without it the PDF answers 503 with a reason,
and the printable page (print CSS) still works.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from tracker.errors import AppError
from tracker.web.assets import AssetStore

# The page's own stylesheets, given to WeasyPrint from memory rather than fetched.
STYLESHEETS = ("vendor/dkfds/css/dkfds.min.css", "tracker.css")


class PdfUnavailable(AppError):
    """The PDF library or the system's Pango is missing."""

    status = 503
    code = "pdf_unavailable"


def _static_fetcher(store: AssetStore) -> Any:
    """A WeasyPrint URL fetcher that answers ``/static/…`` from the asset store and refuses everything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            path = urlsplit(url).path
            asset = store.find(path.removeprefix("/static/"))[0] if path.startswith("/static/") else None
            # DKFDS lists an EOT font first, which WeasyPrint cannot read: refused, it takes the WOFF after it.
            if asset is None or asset.name.endswith(".eot"):
                raise ValueError(f"not fetched for the PDF: {url}")
            return URLFetcherResponse(url, asset.data, {"Content-Type": asset.mimetype})

    return StaticOnly()


_parsed: dict[str, Any] = {}  # parsing DKFDS's stylesheet takes seconds: once per worker


def _font_config() -> Any:
    """One font configuration per worker: @font-face rules (DKFDS's IBM Plex Sans) load only through one."""
    if "fonts" not in _parsed:
        from weasyprint.text.fonts import FontConfiguration

        _parsed["fonts"] = FontConfiguration()
    return _parsed["fonts"]


def _stylesheets(store: AssetStore, base_url: str, fetcher: Any) -> list[Any]:
    from weasyprint import CSS

    for name in STYLESHEETS:
        asset = store.assets[name]
        key = f"{name}:{asset.digest}:{base_url}"
        if key not in _parsed:
            url = f"{base_url.rstrip('/')}/static/{name}"
            _parsed[key] = CSS(
                string=asset.data.decode("utf-8"), base_url=url, url_fetcher=fetcher, font_config=_font_config()
            )
    return [_parsed[f"{name}:{store.assets[name].digest}:{base_url}"] for name in STYLESHEETS]


def html_to_pdf(html: str, base_url: str) -> bytes:
    """The page as a tagged A4 PDF (PDF/UA-1: the print stylesheet applies, ``lang`` and ``<title>`` carry over)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise PdfUnavailable("web.pdf_unavailable") from exc
    store: AssetStore = current_app.extensions["assets"]
    fetcher = _static_fetcher(store)
    html = re.sub(
        r"<link rel=\"stylesheet\"[^>]*>|<script\b[^>]*></script>|<noscript>.*?</noscript>", "", html, flags=re.S
    )
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher, media_type="print")
    stylesheets = _stylesheets(store, base_url, fetcher)
    pdf = document.write_pdf(stylesheets=stylesheets, font_config=_font_config(), pdf_variant="pdf/ua-1", pdf_tags=True)
    return bytes(pdf or b"")
