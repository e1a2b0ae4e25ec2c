"""HTML → PDF for "Rapport til ledelsen" (WeasyPrint): our stylesheet read from disk, nothing fetched.

WeasyPrint needs Pango from the system (Debian: libpango-1.0-0, libpangoft2-1.0-0); without it the PDF
answers 503 with a reason, and the printable page (print CSS) still works.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import current_app

from tracker.errors import AppError


class PdfUnavailable(AppError):
    """The PDF library or the system's Pango is missing."""

    status = 503
    code = "pdf_unavailable"


def html_to_pdf(html: str, base_url: str) -> bytes:
    """The page as an A4 PDF (the print stylesheet applies); nothing is fetched, not even from us."""
    try:
        from weasyprint import CSS, HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise PdfUnavailable("PDF kan ikke laves på denne server; brug browserens udskrift i stedet.") from exc
    stylesheet = Path(current_app.static_folder or "") / "tracker.css"
    refuse_all = URLFetcher(allowed_protocols=())
    html = re.sub(r'<link rel="stylesheet"[^>]*>', "", html)  # given from disk below instead
    document = HTML(string=html, base_url=base_url, url_fetcher=refuse_all)
    pdf = document.write_pdf(stylesheets=[CSS(filename=str(stylesheet))])
    return bytes(pdf or b"")
