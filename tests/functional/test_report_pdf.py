""" "Rapport til ledelsen" read back: the PDF is tagged (PDF/UA), in Danish, titled, and carries the same "Det skal
der gøres" table as the page printed from the browser: what to do and by when for each row at risk."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.support.municipalities import idp, log_in, solution, use, user_with_token
from tracker.municipalities.readiness import today_in_denmark

pypdf = pytest.importorskip("pypdf")


@pytest.fixture
def report(client: FlaskClient, session: Session) -> tuple[bytes, str]:
    """Aarhus with one IdP at Lav and a solution demanding Betydelig in 40 days: one row to act on."""
    user, _ = user_with_token(session, "rapport@aarhus.dk", "municipality", "751")
    idp(session, "751", "Aarhus AD", "lav")
    solution(session, "rapport-x", loa="betydelig", earliest=today_in_denmark() + timedelta(days=40), name="Rapport X")
    use(session, "751", "rapport-x")
    session.commit()
    log_in(client, user)
    pdf = client.get("/kommuner/751/rapport.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    return pdf.data, client.get("/kommuner/751/rapport").get_data(as_text=True)


def test_the_pdf_is_tagged_danish_and_titled(report: tuple[bytes, str]) -> None:
    data, _ = report
    reader = pypdf.PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "da"
    assert bool(catalog["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in catalog
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])  # viewers show the title, not the file name
    assert reader.metadata is not None and reader.metadata.title.startswith("Rapport til ledelsen: Aarhus Kommune")
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=False)
    if info.returncode == 0:  # poppler-utils, when installed, says the same
        assert re.search(rb"^Tagged:\s+yes$", info.stdout, re.M)


def test_the_pdf_and_the_printed_page_have_the_action_table(report: tuple[bytes, str]) -> None:
    data, html = report
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    text = re.sub(r"\s+", " ", text)
    for heading in ("Det skal der gøres", "Løsning", "Status", "Gør nu", "Frist", "Kilder"):
        assert heading in text and heading in html, heading
    action = "Anmeld IdP'en 'Aarhus AD' på Betydelig senest"
    assert action in text and action.replace("'", "&#39;") in html
    row = html[html.index('<tr data-action="notify_idp">') :]
    row = row[: row.index("</tr>")]
    due = re.search(r'<td class="due" data-title="Frist"><span class="nowrap">([^<]+)</span>', row)
    assert due and due.group(1) in text  # the due date, on screen and on paper
    assert "I fare" in text and "Rapport X" in text
