"""Inquiry pages: the solution page's summary, the list's order, and forms that refuse bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import Account, client_for, make_account, make_role_accounts
from tracker.inquiries import services
from tracker.models import ChangeEvent, Inquiry, RiskAssessment, Solution


@pytest.fixture
def accounts(session: Session) -> dict[str, Account]:
    accounts = make_role_accounts(session)
    accounts["aarhus"] = make_account(session, "municipality", "pages-aarhus@example.dk", municipality="751")
    accounts["odense"] = make_account(session, "municipality", "pages-odense@example.dk", municipality="461")
    session.commit()
    return accounts


def _nexus(session: Session) -> Solution:
    return session.scalars(select(Solution).where(Solution.slug == "kmd-nexus")).one()


def _ask(session: Session, account: Account, question: str) -> Inquiry:
    return services.ask(
        session, user=account.user, solution=_nexus(session), question=question, daily_limit=10, force=True
    )


def _counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(Inquiry)) or 0,
        session.scalar(select(func.count()).select_from(ChangeEvent)) or 0,
    )


def test_solution_page_says_how_many_are_open_and_waiting(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    client = app.test_client()
    assert "Spørgsmål: 0 åbne – 0 kommuner venter" in client.get("/loesninger/kmd-nexus").get_data(as_text=True)
    first = _ask(session, accounts["municipality"], "Hvilket niveau kræver Nexus?")
    session.commit()
    assert "Spørgsmål: 1 åbent – 1 kommune venter" in client.get("/loesninger/kmd-nexus").get_data(as_text=True)
    services.join(session, user=accounts["aarhus"].user, inquiry=first)
    _ask(session, accounts["odense"], "Hvornår skifter Nexus dato?")
    session.commit()
    page = client.get("/loesninger/kmd-nexus").get_data(as_text=True)
    assert "Spørgsmål: 2 åbne – 3 kommuner venter" in page
    english = client.get("/loesninger/kmd-nexus?lang=en").get_data(as_text=True)
    assert "Questions: 2 open – 3 municipalities waiting" in english


def test_list_is_sorted_by_waiting_then_age_and_coordinators_see_the_oldest_unanswered_first(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    old = _ask(session, accounts["odense"], "Gammelt spørgsmål om Nexus?")
    old.created_at -= timedelta(days=30)
    popular = _ask(session, accounts["municipality"], "Populært spørgsmål om Nexus?")
    services.join(session, user=accounts["aarhus"].user, inquiry=popular)
    answered = _ask(session, accounts["aarhus"], "Besvaret spørgsmål om Nexus?")
    answered.created_at -= timedelta(days=60)
    services.answer(session, user=accounts["vendor_owner"].user, inquiry=answered, text="Ja.", source_url=None)
    session.commit()

    def order(html: str) -> list[int]:
        ids = [old.id, popular.id, answered.id]
        return sorted(ids, key=lambda i: html.index(f'/spoergsmaal/{i}"'))

    public = app.test_client().get("/spoergsmaal").get_data(as_text=True)
    assert order(public) == [popular.id, answered.id, old.id]  # 2 waiting, then 1 each by age
    coordinator, _ = client_for(app, accounts["coordinator"])
    assert order(coordinator.get("/spoergsmaal").get_data(as_text=True)) == [old.id, popular.id, answered.id]
    api = app.test_client().get("/api/v1/inquiries?state=open").get_json()
    assert [i["id"] for i in api["items"]][:2] == [popular.id, old.id]
    headers = accounts["coordinator"].bearer
    api = app.test_client().get("/api/v1/inquiries", headers=headers).get_json()
    assert [i["id"] for i in api["items"]][:3] == [old.id, popular.id, answered.id]


@pytest.mark.parametrize("question", ["", "   ", "x" * 50_000])
def test_ask_form_refuses_empty_and_huge_questions(
    app: Flask, session: Session, accounts: dict[str, Account], question: str
) -> None:
    client, token = client_for(app, accounts["municipality"])
    before = _counts(session)
    resp = client.post("/loesninger/kmd-nexus/spoergsmaal", data={"csrf_token": token, "question": question})
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert 'data-module="error-summary"' in text  # the error summary names the field
    assert _counts(session) == before


def test_ask_form_offers_a_similar_question_to_join(app: Flask, session: Session, accounts: dict[str, Account]) -> None:
    existing = _ask(session, accounts["odense"], "Hvornår skifter KMD Nexus til NSIS?")
    session.commit()
    client, token = client_for(app, accounts["municipality"])
    before = _counts(session)
    resp = client.post(
        "/loesninger/kmd-nexus/spoergsmaal",
        data={"csrf_token": token, "question": "Hvornår skifter KMD Nexus til NSIS"},
    )
    assert resp.status_code == 409 and _counts(session) == before
    page = resp.get_data(as_text=True)
    assert f'action="/spoergsmaal/{existing.id}/tilslut"' in page and "Mit spørgsmål er et andet" in page
    forced = client.post(
        "/loesninger/kmd-nexus/spoergsmaal",
        data={"csrf_token": token, "question": "Hvornår skifter KMD Nexus til NSIS", "force": "y"},
    )
    assert forced.status_code == 302


def test_unknown_solution_and_answering_a_closed_inquiry_through_the_forms(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    municipality, token = client_for(app, accounts["municipality"])
    resp = municipality.post("/loesninger/findes-ikke/spoergsmaal", data={"csrf_token": token, "question": "Hvad?"})
    assert resp.status_code == 404 and "Der findes ingen løsning" in resp.get_data(as_text=True)
    inquiry = _ask(session, accounts["municipality"], "Lukkes dette spørgsmål?")
    services.close(session, user=accounts["coordinator"].user, inquiry=inquiry, reason="Dublet.")
    session.commit()
    vendor, vendor_token = client_for(app, accounts["vendor_owner"])
    before = _counts(session)
    resp = vendor.post(f"/spoergsmaal/{inquiry.id}/svar", data={"csrf_token": vendor_token, "answer": "Svar."})
    assert resp.status_code == 409 and "er lukket" in resp.get_data(as_text=True)
    assert _counts(session) == before
    english = vendor.post(f"/spoergsmaal/{inquiry.id}/svar?lang=en", data={"csrf_token": vendor_token, "answer": "x"})
    assert english.status_code == 409 and "is closed" in english.get_data(as_text=True)


def test_every_inquiry_text_has_an_english_translation() -> None:
    from pathlib import Path

    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
    from babel.messages.pofile import read_po

    import tracker

    package = Path(tracker.__file__).parent
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found: set[str] = set()
    for path in sorted((package / "web" / "templates" / "inquiries").glob("*.html")):
        for _, message, _, _ in extract_from_file(
            "jinja2", str(path), keywords=keywords, options={"extensions": "jinja2.ext.i18n"}
        ):
            found.add(message if isinstance(message, str) else message[0])
    for name in (
        "web/inquiry_views.py",
        "web/assessment_views.py",
        "inquiries/services.py",
        "inquiries/assessments.py",
    ):
        for _, message, _, _ in extract_from_file("python", str(package / name), keywords=keywords):
            found.add(message if isinstance(message, str) else message[0])
    with (package / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="en")
    translated = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id and m.string}
    assert found and not sorted(found - translated)


def test_coordinator_records_a_risk_assessment_through_the_form(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    client, token = client_for(app, accounts["coordinator"])
    form = {
        "csrf_token": token,
        "by": "kombit",
        "on_behalf_of": "101, 751",
        "assessed_on": "2026-10-01",
        "concluded_loa": "hoej",
        "document_url": "",
        "note": "",
    }
    before = session.scalar(select(func.count()).select_from(RiskAssessment)) or 0
    for bad in (
        {"by": "999"},
        {"on_behalf_of": "101, 000"},
        {"assessed_on": "2026-02-31"},
        {"concluded_loa": "ukendt"},
    ):
        resp = client.post("/loesninger/kmd-nexus/risikovurderinger", data={**form, **bad})
        assert resp.status_code == 422, bad
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(RiskAssessment)) == before
    resp = client.post("/loesninger/kmd-nexus/risikovurderinger", data=form)
    assert resp.status_code == 302
    page = app.test_client().get("/loesninger/kmd-nexus/risikovurderinger").get_data(as_text=True)
    assert "KOMBIT" in page and "101, 751" in page and "Registrér en risikovurdering" not in page
