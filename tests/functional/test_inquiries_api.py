"""Inquiries through the API: ask once, others join, the vendor answers, everyone sees it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import Account, make_account, make_role_accounts
from tracker.clock import clock_set_to
from tracker.inquiries.queries import mail_recipients
from tracker.models import (
    ChangeEvent,
    Delivery,
    Inquiry,
    InquiryFollower,
    Proposal,
    RiskAssessment,
    Solution,
    Subscription,
)

QUESTION = "Hvornår skifter KMD Nexus til NSIS, og hvilket sikringsniveau kræves for medarbejdere?"


@pytest.fixture
def accounts(session: Session) -> dict[str, Account]:
    accounts = make_role_accounts(session)
    accounts["aarhus"] = make_account(session, "municipality", "it-aarhus@example.dk", municipality="751")
    accounts["aarhus2"] = make_account(session, "municipality", "sikkerhed-aarhus@example.dk", municipality="751")
    session.commit()
    return accounts


def _ask(client: Any, account: Account, question: str = QUESTION, slug: str = "kmd-nexus", **extra: Any) -> Any:
    return client.post(
        f"/api/v1/solutions/{slug}/inquiries", json={"question": question, **extra}, headers=account.bearer
    )


def _count(session: Session, model: Any) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_whole_flow(app: Flask, session: Session, accounts: dict[str, Account]) -> None:
    client = app.test_client()
    created = _ask(client, accounts["municipality"])
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    inquiry_id = body["id"]
    assert body["state"] == "open" and body["waiting"] == 1
    assert body["asker"] == "Københavns Kommune" and body["asker_municipality"]["code"] == "101"

    for _ in range(2):  # joining twice changes nothing
        joined = client.post(f"/api/v1/inquiries/{inquiry_id}/join", headers=accounts["aarhus"].bearer)
        assert joined.status_code == 200 and joined.get_json()["waiting"] == 2
    # A second user of the same municipality follows too, but the municipality counts once.
    assert (
        client.post(f"/api/v1/inquiries/{inquiry_id}/join", headers=accounts["aarhus2"].bearer).get_json()["waiting"]
        == 2
    )

    answer = {
        "answer": "KMD Nexus skifter 1. marts 2027 og kræver betydelig.",
        "source_url": "https://www.kmd.dk/nexus",
    }
    refused_vendor = client.post(
        f"/api/v1/inquiries/{inquiry_id}/answer", json=answer, headers=accounts["vendor_other"].bearer
    )
    refused_municipality = client.post(
        f"/api/v1/inquiries/{inquiry_id}/answer", json=answer, headers=accounts["municipality"].bearer
    )
    assert refused_vendor.status_code in (403, 404) and refused_municipality.status_code in (403, 404)
    assert refused_vendor.get_json()["error"]["message"].startswith("Kun løsningens leverandør")

    asked = client.post(
        f"/api/v1/inquiries/{inquiry_id}/asked",
        json={"note": "KL har spurgt KMD den 2. december."},
        headers=accounts["coordinator"].bearer,
    )
    assert asked.status_code == 200 and asked.get_json()["state"] == "asked"

    answered = client.post(
        f"/api/v1/inquiries/{inquiry_id}/answer", json=answer, headers=accounts["vendor_owner"].bearer
    )
    assert answered.status_code == 200, answered.get_json()

    public = app.test_client().get(f"/api/v1/inquiries/{inquiry_id}").get_json()
    assert public["state"] == "answered" and public["answer"] == answer["answer"]
    assert public["answer_source_url"] == answer["source_url"] and public["answered_by"] == "KMD"
    assert public["waiting"] == 2

    events = app.test_client().get("/api/v1/events?limit=500").get_json()["items"]
    types = [e["type"] for e in events if (e.get("solution") or {}).get("slug") == "kmd-nexus"]
    assert "inquiry.created" in types and "inquiry.answered" in types
    answered_event = next(e for e in events if e["type"] == "inquiry.answered")
    assert answered_event["actor"] == "KMD" and answered_event["source"]["kind"] == "vendor"
    listed = app.test_client().get("/api/v1/solutions/kmd-nexus/inquiries").get_json()
    assert [i["id"] for i in listed["items"]] == [inquiry_id]
    assert app.test_client().get("/api/v1/inquiries?state=answered&solution=kmd-nexus").get_json()["total"] == 1
    feed = app.test_client().get("/feeds/solutions/kmd-nexus.atom").get_data(as_text=True)
    assert "besvaret af KMD" in feed


def test_answer_with_a_proposed_fact_becomes_a_pending_proposal(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    client = app.test_client()
    inquiry_id = _ask(client, accounts["municipality"]).get_json()["id"]
    resp = client.post(
        f"/api/v1/inquiries/{inquiry_id}/answer",
        json={
            "answer": "Vi kræver betydelig fra Q2 2027.",
            "source_url": "https://www.kmd.dk/nexus",
            "propose": {"required_loa": {"value": "betydelig"}, "switch_date": {"text": "Q2 2027"}},
        },
        headers=accounts["vendor_owner"].bearer,
    )
    assert resp.status_code == 200, resp.get_json()
    proposal = session.get(Proposal, resp.get_json()["proposal_id"])
    assert (
        proposal is not None and proposal.state == "pending" and proposal.evidence == "Vi kræver betydelig fra Q2 2027."
    )
    assert proposal.changes["loa_value"] == "betydelig" and proposal.changes["switch_earliest_on"] == "2027-04-01"
    assert proposal.source_url == "https://www.kmd.dk/nexus"


def test_a_similar_open_question_is_offered_instead(app: Flask, session: Session, accounts: dict[str, Account]) -> None:
    client = app.test_client()
    first = _ask(client, accounts["municipality"]).get_json()["id"]
    again = _ask(client, accounts["aarhus"], QUESTION.replace("Hvornår", "hvornår") + "?")
    assert again.status_code == 409
    error = again.get_json()["error"]
    assert error["code"] == "similar_inquiry" and error["details"]["similar"][0]["id"] == first
    assert "Tilslut jer" in error["message"]
    assert _ask(client, accounts["aarhus"], QUESTION + "?", force=True).status_code == 201


def test_daily_limit_per_user(app: Flask, session: Session, accounts: dict[str, Account]) -> None:
    app.config["INQUIRY_DAILY_LIMIT"] = 2
    try:
        client = app.test_client()
        for n, text in enumerate(["Hvilket niveau kræver Aula?", "Hvornår lukker FMK for lav?"]):
            assert _ask(client, accounts["municipality"], text, slug=["aula", "fmk"][n]).status_code == 201
        before = _count(session, Inquiry)
        refused = _ask(client, accounts["municipality"], "Hvad med virk.dk og MitID Erhverv?", slug="virk-dk")
        assert refused.status_code == 429 and "grænsen" in refused.get_json()["error"]["message"]
        assert _count(session, Inquiry) == before
    finally:
        app.config["INQUIRY_DAILY_LIMIT"] = 10


@pytest.mark.parametrize(
    ("question", "slug", "status"),
    [
        ("", "kmd-nexus", 422),
        ("   ", "kmd-nexus", 422),
        ("x" * 50_000, "kmd-nexus", 422),
        (QUESTION, "findes-ikke", 404),
    ],
)
def test_bad_questions_are_refused_in_danish_and_nothing_is_stored(
    app: Flask, session: Session, accounts: dict[str, Account], question: str, slug: str, status: int
) -> None:
    before = (_count(session, Inquiry), _count(session, ChangeEvent), _count(session, InquiryFollower))
    resp = _ask(app.test_client(), accounts["municipality"], question, slug=slug)
    assert resp.status_code == status
    message = resp.get_json()["error"]["message"]
    assert any(word in message for word in ("Skriv et spørgsmål", "højst", "Der findes ingen løsning")), message
    assert (_count(session, Inquiry), _count(session, ChangeEvent), _count(session, InquiryFollower)) == before


def test_bad_question_in_english_with_lang(app: Flask, accounts: dict[str, Account]) -> None:
    resp = app.test_client().post(
        "/api/v1/solutions/kmd-nexus/inquiries?lang=en", json={"question": " "}, headers=accounts["municipality"].bearer
    )
    assert resp.status_code == 422 and resp.get_json()["error"]["message"] == "Write a question."


def test_answering_a_closed_inquiry_is_a_conflict(app: Flask, session: Session, accounts: dict[str, Account]) -> None:
    client = app.test_client()
    inquiry_id = _ask(client, accounts["municipality"]).get_json()["id"]
    closed = client.post(
        f"/api/v1/inquiries/{inquiry_id}/close", json={"reason": "Dublet af #1"}, headers=accounts["coordinator"].bearer
    )
    assert closed.status_code == 200 and closed.get_json()["state"] == "closed"
    events = _count(session, ChangeEvent)
    resp = client.post(
        f"/api/v1/inquiries/{inquiry_id}/answer", json={"answer": "Svar"}, headers=accounts["vendor_owner"].bearer
    )
    assert resp.status_code == 409 and "lukket" in resp.get_json()["error"]["message"]
    session.expire_all()
    inquiry = session.get(Inquiry, inquiry_id)
    assert inquiry is not None and inquiry.answer is None and _count(session, ChangeEvent) == events
    assert client.post(f"/api/v1/inquiries/{inquiry_id}/join", headers=accounts["aarhus"].bearer).status_code == 409
    assert client.get("/api/v1/inquiries/999999").status_code == 404


def test_shared_risk_assessment_and_its_proposal(app: Flask, session: Session, accounts: dict[str, Account]) -> None:
    client = app.test_client()
    body = {
        "by": "751",
        "on_behalf_of": "all",
        "assessed_on": "2026-11-20",
        "concluded_loa": "betydelig",
        "document_url": "https://www.aarhus.dk/risikovurdering-nexus.pdf",
        "propose": True,
    }
    resp = client.post(
        "/api/v1/solutions/kmd-nexus/risk-assessments", json=body, headers=accounts["coordinator"].bearer
    )
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert created["by"] == {"label": "Aarhus Kommune", "municipality": "751"} and created["on_behalf_of"] == "all"
    proposal = session.get(Proposal, created["proposal_id"])
    assert proposal is not None and proposal.state == "pending"
    assert proposal.changes["loa_source_kind"] == "risk_assessment" and proposal.source_kind == "risk_assessment"
    listed = app.test_client().get("/api/v1/solutions/kmd-nexus/risk-assessments").get_json()["items"]
    assert [a["id"] for a in listed] == [created["id"]]
    for role in ("municipality", "vendor_owner"):
        assert (
            client.post(
                "/api/v1/solutions/kmd-nexus/risk-assessments", json=body, headers=accounts[role].bearer
            ).status_code
            == 403
        )
    before = _count(session, RiskAssessment)
    for bad in (
        {"by": "999"},
        {"on_behalf_of": ["101", "000"]},
        {"concluded_loa": "ukendt"},
        {"assessed_on": "2099-01-01"},
    ):
        assert (
            client.post(
                "/api/v1/solutions/kmd-nexus/risk-assessments",
                json={**body, **bad},
                headers=accounts["coordinator"].bearer,
            ).status_code
            == 422
        )
    assert _count(session, RiskAssessment) == before
    page = app.test_client().get("/loesninger/kmd-nexus").get_data(as_text=True)
    assert "Aarhus Kommune vurderede" in page and "alle kommuner" in page
    session.expire_all()
    assert session.scalars(select(Solution.loa_value).where(Solution.slug == "kmd-nexus")).one() == "ukendt"


def test_an_assessment_may_be_made_today_in_denmark_but_not_tomorrow(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    """ "Today" is Copenhagen's date by the service's clock: at 00:30 on 2 March in Denmark it is still 1 March
    in UTC, and an assessment dated 2 March is made today, not in the future; one dated 3 March is."""
    client = app.test_client()
    body = {"by": "751", "on_behalf_of": "all", "concluded_loa": "betydelig"}

    def record(assessed_on: str, language: str = "da") -> Any:
        return client.post(
            "/api/v1/solutions/kmd-nexus/risk-assessments",
            json={**body, "assessed_on": assessed_on},
            headers={**accounts["coordinator"].bearer, "Accept-Language": language},
        )

    with clock_set_to(lambda: datetime(2027, 3, 1, 23, 30, tzinfo=UTC)):
        tomorrow = record("2027-03-03")
        in_english = record("2027-03-03", "en")
        today = record("2027-03-02")
    assert in_english.status_code == 422
    assert in_english.get_json()["error"]["details"] == {"assessed_on": "Must not be after today."}
    assert tomorrow.status_code == 422 and tomorrow.get_json()["error"]["details"] == {
        "assessed_on": "Må ikke ligge efter i dag."
    }
    assert today.status_code == 201, today.get_json()
    assert today.get_json()["assessed_on"] == "2027-03-02"
    assert session.scalars(select(RiskAssessment.assessed_on)).all() == [date(2027, 3, 2)]


def test_webhooks_filtered_by_type_get_the_inquiry_events_in_the_same_transaction(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    owner = accounts["coordinator"].user
    only_answers = Subscription(
        owner_id=owner.id, url="https://hooks.example.dk/a", secret="whsec_x", event_types=["inquiry.answered"]
    )
    everything = Subscription(owner_id=owner.id, url="https://hooks.example.dk/b", secret="whsec_y", event_types=[])
    session.add_all([only_answers, everything])
    session.commit()
    client = app.test_client()
    inquiry_id = _ask(client, accounts["municipality"]).get_json()["id"]
    client.post(
        f"/api/v1/inquiries/{inquiry_id}/answer", json={"answer": "Ja."}, headers=accounts["vendor_owner"].bearer
    )
    session.expire_all()
    rows = session.execute(select(Delivery.subscription_id, Delivery.event_type).order_by(Delivery.id)).all()
    assert [(s, t) for s, t in rows if s == only_answers.id] == [(only_answers.id, "inquiry.answered")]
    assert [t for s, t in rows if s == everything.id] == ["inquiry.created", "inquiry.answered"]
    payload = session.scalars(select(Delivery.payload).where(Delivery.subscription_id == only_answers.id)).one()
    assert payload["type"] == "inquiry.answered" and payload["data"]["inquiry"]["answer"] == "Ja."
    assert payload["data"]["inquiry"]["waiting"] == 1 and payload["data"]["actor"] == "KMD"


def test_service_provider_answers_as_authority_and_mail_recipients(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    kombit = make_account(session, "vendor", "svar-kombit@example.dk", organisation="kombit")
    session.commit()
    client = app.test_client()
    inquiry_id = _ask(
        client, accounts["municipality"], "Hvilket niveau kræver Aula for pædagoger?", slug="aula"
    ).get_json()["id"]
    client.post(f"/api/v1/inquiries/{inquiry_id}/join", headers=accounts["aarhus"].bearer)
    created = session.scalars(select(ChangeEvent).where(ChangeEvent.type == "inquiry.created")).all()[-1]
    # Aula: KOMBIT is the service provider, Netcompany the vendor; both organisations' users hear of the question.
    assert {u.email for u in mail_recipients(session, created)} == {
        "svar-kombit@example.dk",
        "matrix-netcompany@example.dk",
    }
    resp = client.post(f"/api/v1/inquiries/{inquiry_id}/answer", json={"answer": "Betydelig."}, headers=kombit.bearer)
    assert resp.status_code == 200 and resp.get_json()["answered_by"].startswith("KOMBIT")
    session.expire_all()
    answered = session.scalars(select(ChangeEvent).where(ChangeEvent.type == "inquiry.answered")).all()[-1]
    assert answered.source_kind == "authority"
    assert {u.email for u in mail_recipients(session, answered)} == {"matrix-kbh@example.dk", "it-aarhus@example.dk"}
    # The service provider decides the level: its answer may carry a fact, proposed as the authority's word.
    other = _ask(client, accounts["aarhus"], "Hvornår skifter Aula til NSIS?", slug="aula").get_json()["id"]
    proposed = client.post(
        f"/api/v1/inquiries/{other}/answer",
        json={"answer": "Q2 2027.", "propose": {"switch_date": {"text": "Q2 2027"}}},
        headers=kombit.bearer,
    )
    assert proposed.status_code == 200, proposed.get_json()
    proposal = session.get(Proposal, proposed.get_json()["proposal_id"])
    assert proposal is not None and proposal.state == "pending", "reviewed as usual"
    assert proposal.source_kind == "authority" and proposal.changes["switch_status"] == "confirmed"
    # An organisation that neither builds nor provides Aula may not answer, let alone propose.
    third = _ask(client, accounts["aarhus"], "Kræver Aula Betydelig for vikarer?", slug="aula").get_json()["id"]
    refused = client.post(
        f"/api/v1/inquiries/{third}/answer",
        json={"answer": "Ja.", "propose": {"switch_date": {"text": "Q2 2027"}}},
        headers=accounts["vendor_owner"].bearer,
    )
    assert refused.status_code == 403 and session.get(Inquiry, third).state == "open"  # type: ignore[union-attr]


def test_asked_and_closed_are_events_those_waiting_hear_of(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    client = app.test_client()
    first = _ask(client, accounts["municipality"], "Kræver KMD Nexus Betydelig for hjemmeplejen?").get_json()["id"]
    client.post(f"/api/v1/inquiries/{first}/join", headers=accounts["aarhus"].bearer)
    note = "KL har spurgt KMD den 1. december 2026."
    asked = client.post(f"/api/v1/inquiries/{first}/asked", json={"note": note}, headers=accounts["coordinator"].bearer)
    assert asked.status_code == 200, asked.get_json()
    second = _ask(
        client, accounts["aarhus2"], "Skal eksterne konsulenter have egen IdP-adgang til systemet?"
    ).get_json()["id"]
    reason = f"Dublet af #{first}"
    closed = client.post(
        f"/api/v1/inquiries/{second}/close", json={"reason": reason}, headers=accounts["coordinator"].bearer
    )
    assert closed.status_code == 200, closed.get_json()

    session.expire_all()
    events = {
        e.type: e
        for e in session.scalars(select(ChangeEvent).where(ChangeEvent.type.in_(["inquiry.asked", "inquiry.closed"])))
    }
    assert set(events) == {"inquiry.asked", "inquiry.closed"}
    assert events["inquiry.asked"].changes["state"] == {"before": "open", "after": "asked"}
    assert events["inquiry.asked"].data["inquiry"]["asked_note"] == note
    assert events["inquiry.closed"].changes["close_reason"]["after"] == reason
    assert {u.email for u in mail_recipients(session, events["inquiry.asked"])} == {
        "matrix-kbh@example.dk",
        "it-aarhus@example.dk",
    }, "the asker and those who joined, not the vendor"
    assert {u.email for u in mail_recipients(session, events["inquiry.closed"])} == {"sikkerhed-aarhus@example.dk"}
    # The public event log carries both, with the coordinator shown as KL, never by name or address.
    after = events["inquiry.asked"].id - 1
    items = client.get(f"/api/v1/events?after={after}").get_json()["items"]
    assert [i["type"] for i in items if i["type"] != "inquiry.created"] == ["inquiry.asked", "inquiry.closed"]
    assert "@" not in str(items)


def test_an_answered_inquiry_cannot_be_answered_again(
    app: Flask, session: Session, accounts: dict[str, Account]
) -> None:
    client = app.test_client()
    inquiry_id = _ask(client, accounts["municipality"]).get_json()["id"]
    first = client.post(
        f"/api/v1/inquiries/{inquiry_id}/answer",
        json={"answer": "Første svar"},
        headers=accounts["vendor_owner"].bearer,
    )
    assert first.status_code == 200
    events = _count(session, ChangeEvent)
    for account in ("vendor_owner", "coordinator"):
        again = client.post(
            f"/api/v1/inquiries/{inquiry_id}/answer", json={"answer": "Andet svar"}, headers=accounts[account].bearer
        )
        assert again.status_code == 409 and "allerede besvaret" in again.get_json()["error"]["message"]
    session.expire_all()
    inquiry = session.get(Inquiry, inquiry_id)
    assert inquiry is not None and inquiry.answer == "Første svar", "the first answer stands"
    assert _count(session, ChangeEvent) == events
    page = client.get(f"/spoergsmaal/{inquiry_id}").get_data(as_text=True)
    assert "Første svar" in page and "Andet svar" not in page


@pytest.mark.parametrize("answerer", ["vendor_owner", "coordinator"])
def test_an_answer_whose_fact_a_coordinator_accepted_updates_the_solution(
    app: Flask, session: Session, accounts: dict[str, Account], answerer: str
) -> None:
    client = app.test_client()
    inquiry_id = _ask(client, accounts["municipality"]).get_json()["id"]
    before = client.get("/loesninger/kmd-nexus").get_data(as_text=True)  # read (and cached) before the answer
    assert "1. marts 2031" not in before
    client.get(f"/spoergsmaal/{inquiry_id}")
    answered = client.post(
        f"/api/v1/inquiries/{inquiry_id}/answer",
        json={
            "answer": "Nexus kræver Høj fra 1. marts 2031.",
            "source_url": "https://www.kmd.dk/nexus/nsis",
            "propose": {"required_loa": {"value": "hoej"}, "switch_date": {"text": "1. marts 2031"}},
        },
        headers=accounts[answerer].bearer,
    )
    assert answered.status_code == 200, answered.get_json()
    proposal_id = answered.get_json()["proposal_id"]
    accepted = client.post(f"/api/v1/proposals/{proposal_id}/accept", json={}, headers=accounts["coordinator"].bearer)
    assert accepted.status_code == 200, accepted.get_json()
    body = client.get("/api/v1/solutions/kmd-nexus").get_json()
    assert body["required_loa"]["value"] == "hoej"
    assert body["required_loa"]["status"] != "awaiting_decision", body["required_loa"]
    assert body["switch_date"]["earliest"] == "2031-03-01", body["switch_date"]
    assert body["switch_date"]["status"] != "unknown", body["switch_date"]
    page = client.get("/loesninger/kmd-nexus").get_data(as_text=True)
    assert "Høj" in page and "1. marts 2031" in page
    inquiry = client.get(f"/api/v1/inquiries/{inquiry_id}").get_json()
    assert inquiry["state"] == "answered"
    question_page = client.get(f"/spoergsmaal/{inquiry_id}").get_data(as_text=True)
    assert "Afventer beslutning" not in question_page and "Høj" in question_page
