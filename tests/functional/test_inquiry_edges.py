"""Inquiries at their edges, through the API and the solution page: a question of exactly the maximum length is
taken (mutant I13), a coordinator who asked hears the answer though coordinators follow nothing (I14), and
municipalities stop counting as waiting once their question is answered (I15)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import Account, make_account
from tracker.inquiries.services import MAX_QUESTION
from tracker.models import ChangeEvent, MailMessage
from tracker.notify import preferences


@pytest.fixture
def people(session: Session) -> dict[str, Account]:
    people = {
        "kbh": make_account(session, "municipality", "it@kbh.example.dk", municipality="101"),
        "aarhus": make_account(session, "municipality", "it@aarhus.example.dk", municipality="751"),
        "kmd": make_account(session, "vendor", "drift@kmd.example.dk", organisation="kmd"),
        "kl": make_account(session, "coordinator", "koord@kl.example.dk"),
    }
    session.commit()
    return people


def _ask(client: Any, account: Account, question: str) -> Any:
    return client.post("/api/v1/solutions/kmd-nexus/inquiries", json={"question": question}, headers=account.bearer)


def _answer(client: Any, account: Account, inquiry_id: int) -> Any:
    body = {"answer": "KMD Nexus kræver betydelig fra 1. marts 2027.", "source_url": "https://www.kmd.dk/nexus"}
    return client.post(f"/api/v1/inquiries/{inquiry_id}/answer", json=body, headers=account.bearer)


def test_a_question_of_exactly_the_maximum_length_is_taken(app: Flask, people: dict[str, Account]) -> None:
    client = app.test_client()
    words = "Hvornår kræver KMD Nexus sikringsniveau betydelig for kommunens medarbejdere? "
    longest = (words * (MAX_QUESTION // len(words) + 1))[:MAX_QUESTION].strip()
    longest += "x" * (MAX_QUESTION - len(longest))
    assert len(longest) == MAX_QUESTION
    too_long = _ask(client, people["kbh"], longest + "?")
    assert too_long.status_code == 422, too_long.get_json()
    taken = _ask(client, people["kbh"], longest)
    assert taken.status_code == 201, taken.get_json()
    assert taken.get_json()["question"] == longest


def test_a_coordinator_who_asked_hears_the_answer(app: Flask, session: Session, people: dict[str, Account]) -> None:
    preferences.set_preference(session, people["kl"].user, {"mode": "immediate"})
    session.commit()
    client = app.test_client()
    asked = _ask(client, people["kl"], "Hvilket sikringsniveau kræver KMD Nexus af medarbejderne fra 2027?")
    assert asked.status_code == 201, asked.get_json()
    assert _answer(client, people["kmd"], asked.get_json()["id"]).status_code == 200
    session.expire_all()
    mails = session.scalars(select(MailMessage).where(MailMessage.user_id == people["kl"].user.id)).all()
    mailed_types = {
        session.get(ChangeEvent, event_id).type  # type: ignore[union-attr]  # the ids name events this test made
        for mail in mails
        for event_id in mail.event_ids or []
    }
    assert "inquiry.answered" in mailed_types


def test_municipalities_stop_waiting_once_the_question_is_answered(app: Flask, people: dict[str, Account]) -> None:
    client = app.test_client()
    asked = _ask(client, people["kbh"], "Hvornår skifter KMD Nexus login for hjemmeplejen, og til hvilket niveau?")
    assert asked.status_code == 201, asked.get_json()
    inquiry_id = asked.get_json()["id"]
    assert client.post(f"/api/v1/inquiries/{inquiry_id}/join", headers=people["aarhus"].bearer).status_code == 200
    page = client.get("/loesninger/kmd-nexus").get_data(as_text=True)
    assert "1 åbent – 2 kommuner venter" in page

    assert _answer(client, people["kmd"], inquiry_id).status_code == 200
    page = client.get("/loesninger/kmd-nexus").get_data(as_text=True)
    assert "0 åbne – 0 kommuner venter" in page


def test_a_closed_inquiry_is_not_closed_again(app: Flask, session: Session, people: dict[str, Account]) -> None:
    """A second close is a conflict and keeps the first reason (mutant I6: the state check of closing dropped)."""
    client = app.test_client()
    asked = _ask(client, people["kbh"], "Skifter KMD Nexus til MitID Erhverv for alle medarbejdere samtidig?")
    assert asked.status_code == 201, asked.get_json()
    url = f"/api/v1/inquiries/{asked.get_json()['id']}/close"
    first = client.post(url, json={"reason": "Dublet af et andet spørgsmål"}, headers=people["kl"].bearer)
    assert first.status_code == 200 and first.get_json()["state"] == "closed"
    again = client.post(url, json={"reason": "Noget helt andet"}, headers=people["kl"].bearer)
    assert again.status_code == 409, again.get_json()
    shown = client.get(f"/api/v1/inquiries/{asked.get_json()['id']}").get_json()
    assert shown["close_reason"] == "Dublet af et andet spørgsmål"
    events = session.scalars(
        select(ChangeEvent).where(ChangeEvent.type == "inquiry.closed").order_by(ChangeEvent.id.desc())
    ).all()
    assert sum(1 for e in events if (e.data or {}).get("inquiry", {}).get("id") == asked.get_json()["id"]) == 1


def test_only_unanswered_questions_about_the_same_solution_are_offered_to_join(
    app: Flask, people: dict[str, Account]
) -> None:
    """A like question is offered instead only while it is unanswered (I10) and only about the same solution
    (I11): an answered one, or one about another solution, lets the new question through."""
    client = app.test_client()
    question = "Hvornår skal medarbejderne logge ind med MitID Erhverv på sikringsniveau betydelig?"
    first = _ask(client, people["kbh"], question)
    assert first.status_code == 201, first.get_json()
    offered = _ask(client, people["aarhus"], question)
    assert offered.status_code == 409 and offered.get_json()["error"]["code"] == "similar_inquiry"
    other_solution = client.post(
        "/api/v1/solutions/aula/inquiries", json={"question": question}, headers=people["aarhus"].bearer
    )
    assert other_solution.status_code == 201, other_solution.get_json()
    assert _answer(client, people["kmd"], first.get_json()["id"]).status_code == 200
    again = _ask(client, people["aarhus"], question)
    assert again.status_code == 201, again.get_json()
