"""Proposals of transitions over the API: vendors (their own solutions), municipalities and coordinators propose a
new transition or a change (with a source); coordinators accept (the transition changes through transition_writes,
with provenance, history and the usual events: a webhook delivery, a feed entry) or reject (nothing changes); bad
input is the same Danish 422 a direct write gets (English with Accept-Language: en) and stores nothing."""

from __future__ import annotations

from typing import Any

import feedparser
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import Account, make_account, make_role_accounts
from tests.support.broadcast import subscribe
from tracker.models import ChangeEvent, Delivery, Organisation, Proposal, Transition

OIOSAML4 = {
    "kind": "protocol",
    "title": "OIOSAML 4.0.0 i Nexus",
    "date": {"text": "Q3 2027", "state": "planned"},
    "category": "plan_for_change",
    "major": True,
    "who_must_act": ["local_idp_operators"],
    "what_to_do": "Opdatér den lokale IdP til OIOSAML 4.",
    "source_url": "https://www.kmd.dk/nexus/oiosaml4",
    "evidence": "Nexus understøtter OIOSAML 4.0.0 fra 3. kvartal 2027.",
}
SOURCE = {"source_url": "https://digst.dk/it-loesninger/standarder/oiosaml-profiler/", "evidence": "Citat fra siden."}


@pytest.fixture
def accounts(session: Session) -> dict[str, Account]:
    return make_role_accounts(session)


def _counts(session: Session) -> tuple[int, int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(Proposal)) or 0,
        session.scalar(select(func.count()).select_from(Transition)) or 0,
        session.scalar(select(func.count()).select_from(ChangeEvent)) or 0,
    )


def _propose_new(
    client: FlaskClient, account: Account | None, body: Any, slug: str = "kmd-nexus", **headers: str
) -> Any:
    auth = account.bearer if account is not None else {}
    return client.post(f"/api/v1/solutions/{slug}/transitions/proposals", json=body, headers={**auth, **headers})


def _propose_change(client: FlaskClient, account: Account | None, transition_id: int, body: Any, **headers: str) -> Any:
    auth = account.bearer if account is not None else {}
    return client.post(f"/api/v1/transitions/{transition_id}/proposals", json=body, headers={**auth, **headers})


def _a_transition(client: FlaskClient, coordinator: Account, slug: str = "kmd-nexus") -> dict[str, Any]:
    body = {
        "kind": "certificate",
        "title": "Nye systemcertifikater",
        "date": {"earliest": "2027-09-01", "state": "planned", "status": "expected"},
        "category": "prevent_or_fix",
        "reason": "Test",
    }
    created = client.post(f"/api/v1/solutions/{slug}/transitions", json=body, headers=coordinator.bearer)
    assert created.status_code == 201, created.get_json()
    return dict(created.get_json())


def test_a_vendor_proposes_a_new_transition_and_a_coordinator_accepts_it(
    client: FlaskClient, accounts: dict[str, Account], session: Session
) -> None:
    before = _counts(session)
    made = _propose_new(client, accounts["vendor_owner"], OIOSAML4)
    assert made.status_code == 201, made.get_json()
    proposal = made.get_json()
    assert proposal["state"] == "pending" and proposal["target"] == "transition" and proposal["origin"] == "vendor"
    assert proposal["transition"]["new"] is True and proposal["transition"]["id"] is None
    assert proposal["transition"]["kind"] == "protocol" and proposal["transition"]["title"] == "OIOSAML 4.0.0 i Nexus"
    assert proposal["source"] == {"kind": "vendor", "url": OIOSAML4["source_url"]}
    assert proposal["evidence"] == OIOSAML4["evidence"]
    diff = {d["field"]: (d["current"], d["proposed"]) for d in proposal["diff"]}
    assert diff["earliest_on"] == (None, "2027-07-01") and diff["latest_on"] == (None, "2027-09-30")
    assert diff["text"] == (None, "Q3 2027") and diff["status"] == (None, "reported")
    assert diff["source_kind"] == (None, "vendor") and diff["source_url"] == (None, OIOSAML4["source_url"])
    assert made.headers["Location"].endswith(f"/api/v1/proposals/{proposal['id']}")
    assert _counts(session) == (before[0] + 1, before[1], before[2])  # a proposal; no transition, no event yet

    # The vendor sees it; a coordinator finds it in the queue.
    assert client.get(made.headers["Location"], headers=accounts["vendor_owner"].bearer).status_code == 200
    queue = client.get("/api/v1/proposals?state=pending", headers=accounts["coordinator"].bearer).get_json()
    assert proposal["id"] in [p["id"] for p in queue["items"]]

    accepted = client.post(
        f"/api/v1/proposals/{proposal['id']}/accept",
        json={"reason": "Set på KMD's side"},
        headers=accounts["coordinator"].bearer,
    )
    assert accepted.status_code == 200, accepted.get_json()
    decided = accepted.get_json()
    assert decided["state"] == "accepted" and decided["transition"]["id"] is not None
    t = client.get(decided["transition"]["url"]).get_json()
    assert (t["kind"], t["title"], t["date"]["earliest"], t["date"]["latest"], t["date"]["precision"]) == (
        "protocol",
        "OIOSAML 4.0.0 i Nexus",
        "2027-07-01",
        "2027-09-30",
        "quarter",
    )
    assert t["date"]["status"] == "reported" and t["date"]["source"]["kind"] == "vendor"
    assert (
        t["date"]["source"]["url"] == OIOSAML4["source_url"] and t["date"]["source"]["evidence"] == OIOSAML4["evidence"]
    )
    assert t["who_must_act"] == ["local_idp_operators"] and t["major"] is True
    history = client.get(f"{decided['transition']['url']}/history").get_json()["items"]
    assert [e["type"] for e in history] == ["transition.created"]
    assert f"Forslag #{proposal['id']}" in history[0]["reason"] and "Set på KMD's side" in history[0]["reason"]
    assert history[0]["source"]["url"] == OIOSAML4["source_url"]
    assert decided["event_id"] == history[0]["id"]


def test_accepting_a_change_changes_the_transition_with_history_a_delivery_and_a_feed_entry(
    client: FlaskClient, accounts: dict[str, Account], session: Session
) -> None:
    coordinator, municipality = accounts["coordinator"], accounts["municipality"]
    t = _a_transition(client, coordinator)
    subscription, _secret = subscribe(
        session,
        coordinator.user,
        "https://127.0.0.1:9/t",
        event_types=["transition.date_changed"],
        transitions={"kinds": ["certificate"]},
    )
    session.commit()
    body = {"date": {"text": "december 2027"}, "act_by": "2027-11-15", "what_to_do": "Skift certifikat.", **SOURCE}
    made = _propose_change(client, municipality, t["id"], body)
    assert made.status_code == 201, made.get_json()
    proposal = made.get_json()
    assert proposal["origin"] == "municipality" and proposal["transition"]["base_version"] == 1
    diff = {d["field"]: (d["current"], d["proposed"]) for d in proposal["diff"]}
    assert diff["earliest_on"] == ("2027-09-01", "2027-12-01") and diff["act_by_on"][1] == "2027-11-15"
    assert diff["what_to_do"] == (None, "Skift certifikat.") and diff["status"] == ("expected", "reported")
    assert diff["source_kind"] == (None, "municipality")
    # Nothing changed on the transition yet.
    assert client.get(f"/api/v1/transitions/{t['id']}").get_json()["version"] == 1

    accepted = client.post(f"/api/v1/proposals/{proposal['id']}/accept", json={}, headers=coordinator.bearer)
    assert accepted.status_code == 200, accepted.get_json()
    got = client.get(f"/api/v1/transitions/{t['id']}").get_json()
    assert (got["date"]["earliest"], got["date"]["latest"], got["act_by"], got["act_by_derived"]) == (
        "2027-12-01",
        "2027-12-31",
        "2027-11-15",
        False,
    )
    assert got["what_to_do"] == "Skift certifikat." and got["version"] == 2
    assert got["date"]["source"]["kind"] == "municipality" and got["date"]["source"]["url"] == SOURCE["source_url"]
    assert "forslag #" in got["date"]["source"]["recorded_by"].lower() or got["date"]["source"]["recorded_by"]
    history = client.get(f"/api/v1/transitions/{t['id']}/history").get_json()["items"]
    assert [e["type"] for e in history] == ["transition.updated", "transition.date_changed", "transition.created"]
    assert all(f"Forslag #{proposal['id']}" in e["reason"] for e in history[:2])
    assert history[1]["changes"]["date.earliest"] == {"before": "2027-09-01", "after": "2027-12-01"}
    # Decided: the diff shows before → after from the events.
    decided = client.get(f"/api/v1/proposals/{proposal['id']}", headers=coordinator.bearer).get_json()
    assert decided["state"] == "accepted"
    # The webhook subscription got a delivery of the date change; the feed has the entry.
    session.expire_all()
    deliveries = session.scalars(select(Delivery).where(Delivery.subscription_id == subscription.id)).all()
    assert [d.event_type for d in deliveries] == ["transition.date_changed"]
    feed = feedparser.parse(client.get("/feeds/changes.atom?kind=certificate").data)
    assert feed.entries[0].tags[0].term in ("transition.updated", "transition.date_changed")
    assert any("1. december 2027" in e.title for e in feed.entries[:2])


def test_rejecting_leaves_the_transition_as_it_was(
    client: FlaskClient, accounts: dict[str, Account], session: Session
) -> None:
    coordinator = accounts["coordinator"]
    t = _a_transition(client, coordinator)
    made = _propose_change(client, accounts["vendor_owner"], t["id"], {"cancel": True, **SOURCE})
    assert made.status_code == 201, made.get_json()
    proposal = made.get_json()
    assert {d["field"]: d["proposed"] for d in proposal["diff"]}["state"] == "cancelled"
    events = _counts(session)[2]
    rejected = client.post(
        f"/api/v1/proposals/{proposal['id']}/reject", json={"reason": "Ikke aflyst."}, headers=coordinator.bearer
    )
    assert rejected.status_code == 200 and rejected.get_json()["state"] == "rejected"
    after = client.get(f"/api/v1/transitions/{t['id']}").get_json()
    assert after["version"] == 1 and after["date"]["state"] == "planned"
    assert _counts(session)[2] == events
    again = client.post(f"/api/v1/proposals/{proposal['id']}/accept", json={}, headers=coordinator.bearer)
    assert again.status_code == 409


def test_a_change_meanwhile_makes_the_proposal_stale(client: FlaskClient, accounts: dict[str, Account]) -> None:
    coordinator = accounts["coordinator"]
    t = _a_transition(client, coordinator)
    proposal = _propose_change(
        client, accounts["municipality"], t["id"], {"title": "Nye OCES3-certifikater", **SOURCE}
    ).get_json()
    changed = client.patch(
        f"/api/v1/transitions/{t['id']}", json={"major": True}, headers={**coordinator.bearer, "If-Match": '"t1"'}
    )
    assert changed.status_code == 200
    got = client.get(f"/api/v1/proposals/{proposal['id']}", headers=coordinator.bearer).get_json()
    assert got["state"] == "stale" and got["transition"]["current_version"] == 2
    stale = client.get("/api/v1/proposals?state=stale", headers=coordinator.bearer).get_json()
    assert proposal["id"] in [p["id"] for p in stale["items"]]
    pending = client.get("/api/v1/proposals?state=pending", headers=coordinator.bearer).get_json()
    assert proposal["id"] not in [p["id"] for p in pending["items"]]
    refused = client.post(f"/api/v1/proposals/{proposal['id']}/accept", json={}, headers=coordinator.bearer)
    assert refused.status_code == 409 and refused.get_json()["error"]["details"]["confirm_stale"] is True
    assert "Overgangen er ændret" in refused.get_json()["error"]["message"]
    accepted = client.post(
        f"/api/v1/proposals/{proposal['id']}/accept", json={"confirm_stale": True}, headers=coordinator.bearer
    )
    assert accepted.status_code == 200
    got = client.get(f"/api/v1/transitions/{t['id']}").get_json()
    assert got["title"] == "Nye OCES3-certifikater" and got["major"] is True


def test_a_trusted_vendors_proposal_is_accepted_at_once(
    client: FlaskClient, accounts: dict[str, Account], session: Session
) -> None:
    kmd = session.scalar(select(Organisation).where(Organisation.slug == "kmd"))
    assert kmd is not None
    kmd.trusted = True
    session.commit()
    made = _propose_new(client, accounts["vendor_owner"], OIOSAML4)
    assert made.status_code == 201
    proposal = made.get_json()
    assert proposal["state"] == "accepted" and proposal["transition"]["id"] is not None
    t = client.get(proposal["transition"]["url"]).get_json()
    assert t["date"]["status"] == "reported" and t["date"]["source"]["kind"] == "vendor"


def test_who_may_propose_and_see(client: FlaskClient, accounts: dict[str, Account], session: Session) -> None:
    coordinator = accounts["coordinator"]
    t = _a_transition(client, coordinator)
    before = _counts(session)
    assert _propose_new(client, None, OIOSAML4).status_code == 401
    assert _propose_change(client, None, t["id"], {"title": "x", **SOURCE}).status_code == 401
    # Netcompany builds Aula, not Nexus.
    refused = _propose_new(client, accounts["vendor_other"], OIOSAML4)
    assert refused.status_code == 403
    assert "kun foreslå overgange" in refused.get_json()["error"]["message"]
    assert _propose_change(client, accounts["vendor_other"], t["id"], {"title": "x", **SOURCE}).status_code == 403
    assert _counts(session) == before
    # Netcompany may on Aula; municipalities and coordinators anywhere.
    assert _propose_new(client, accounts["vendor_other"], OIOSAML4, slug="aula").status_code == 201
    mine = _propose_new(client, accounts["municipality"], OIOSAML4).get_json()
    assert _propose_new(client, coordinator, OIOSAML4).status_code == 201
    # Another's proposal does not exist for a vendor or another municipality user; nor for anonymous.
    url = f"/api/v1/proposals/{mine['id']}"
    assert client.get(url, headers=accounts["vendor_other"].bearer).status_code == 404
    assert client.get(url).status_code == 401
    listed = client.get("/api/v1/proposals", headers=accounts["vendor_other"].bearer).get_json()["items"]
    assert mine["id"] not in [p["id"] for p in listed]
    # Only coordinators decide.
    for role in ("municipality", "vendor_owner"):
        assert client.post(f"{url}/accept", json={}, headers=accounts[role].bearer).status_code == 403
        assert client.post(f"{url}/reject", json={"reason": "x"}, headers=accounts[role].bearer).status_code == 403


BAD: list[tuple[dict[str, Any], str, str]] = [
    ({**OIOSAML4, "act_by": "2027-10-15"}, "act_by", "Handlingsfristen ligger efter overgangens sidste dag."),
    ({**OIOSAML4, "kind": "loa", "title": "Krav"}, "required_loa", "skal angive det krævede sikringsniveau"),
    ({**OIOSAML4, "date": {"earliest": "1899-12-31"}}, "date", ""),
    ({**OIOSAML4, "date": {"text": "2101-01-01"}}, "date.text", ""),
    ({**OIOSAML4, "kind": "teleport"}, "kind", ""),
    ({**OIOSAML4, "kind": "decommission", "replaced_by": "kmd-nexus"}, "replaced_by", "ring"),
    ({k: v for k, v in OIOSAML4.items() if k not in ("source_url", "evidence")}, "source_url", ""),
    ({**OIOSAML4, "source_url": "javascript:alert(1)"}, "source_url", ""),
]


@pytest.mark.parametrize(("body", "field", "words"), BAD)
def test_bad_input_is_a_danish_422_and_stores_nothing(
    client: FlaskClient, accounts: dict[str, Account], session: Session, body: dict[str, Any], field: str, words: str
) -> None:
    before = _counts(session)
    resp = _propose_new(client, accounts["municipality"], body)
    assert resp.status_code == 422, resp.get_json()
    error = resp.get_json()["error"]
    assert any(k == field or k.startswith(field) for k in error["details"]), error
    assert words in error["message"] or words in str(error["details"])
    assert _counts(session) == before


def test_a_change_is_checked_as_a_direct_write_and_said_in_english_when_asked(
    client: FlaskClient, accounts: dict[str, Account], session: Session
) -> None:
    t = _a_transition(client, accounts["coordinator"])
    before = _counts(session)
    late = _propose_change(client, accounts["municipality"], t["id"], {"act_by": "2027-10-01", **SOURCE})
    assert late.status_code == 422
    assert late.get_json()["error"]["message"] == "Handlingsfristen ligger efter overgangens sidste dag."
    english = _propose_change(
        client, accounts["municipality"], t["id"], {"act_by": "2027-10-01", **SOURCE}, **{"Accept-Language": "en"}
    )
    assert english.status_code == 422
    assert (
        "act-by" in english.get_json()["error"]["message"].lower()
        or "act by" in english.get_json()["error"]["message"].lower()
    )
    same = _propose_change(client, accounts["municipality"], t["id"], {"title": "Nye systemcertifikater", **SOURCE})
    assert same.status_code == 422
    assert same.get_json()["error"]["message"] == "Forslaget ændrer intet i forhold til overgangen, som den er nu."
    same_en = _propose_change(
        client,
        accounts["municipality"],
        t["id"],
        {"title": "Nye systemcertifikater", **SOURCE},
        **{"Accept-Language": "en"},
    )
    assert "changes nothing" in same_en.get_json()["error"]["message"]
    assert _propose_change(client, accounts["municipality"], 2**31 - 1, {"title": "x", **SOURCE}).status_code == 404
    assert _counts(session) == before


def _ask(client: FlaskClient, account: Account, slug: str = "kmd-nexus") -> int:
    asked = client.post(
        f"/api/v1/solutions/{slug}/inquiries",
        json={"question": "Hvornår skifter Nexus systemcertifikater?", "force": True},
        headers=account.bearer,
    )
    assert asked.status_code == 201, asked.get_json()
    return int(asked.get_json()["id"])


def test_an_inquirys_answer_proposes_a_change_to_a_transition(
    client: FlaskClient, accounts: dict[str, Account], session: Session
) -> None:
    coordinator, vendor = accounts["coordinator"], accounts["vendor_owner"]
    t = _a_transition(client, coordinator)
    inquiry = _ask(client, accounts["municipality"])
    answer = {
        "answer": "Vi skifter certifikaterne 1. oktober 2027.",
        "source_url": "https://www.kmd.dk/nexus/certifikater",
        "propose_transition": {"transition": t["id"], "date": {"earliest": "2027-10-01"}},
    }
    answered = client.post(f"/api/v1/inquiries/{inquiry}/answer", json=answer, headers=vendor.bearer)
    assert answered.status_code == 200, answered.get_json()
    proposal_id = answered.get_json()["proposal_id"]
    proposal = client.get(f"/api/v1/proposals/{proposal_id}", headers=vendor.bearer).get_json()
    assert proposal["target"] == "transition" and proposal["transition"]["id"] == t["id"]
    assert proposal["evidence"] == answer["answer"] and proposal["source"]["url"] == answer["source_url"]
    assert {d["field"]: d["proposed"] for d in proposal["diff"]}["earliest_on"] == "2027-10-01"
    assert proposal["state"] == "pending"
    accepted = client.post(f"/api/v1/proposals/{proposal_id}/accept", json={}, headers=coordinator.bearer)
    assert accepted.status_code == 200
    got = client.get(f"/api/v1/transitions/{t['id']}").get_json()
    assert got["date"]["earliest"] == "2027-10-01" and got["date"]["source"]["evidence"] == answer["answer"]


def test_an_inquirys_answer_proposes_a_new_transition_or_refuses_two_things(
    client: FlaskClient, accounts: dict[str, Account], session: Session
) -> None:
    vendor = accounts["vendor_owner"]
    inquiry = _ask(client, accounts["municipality"])
    before = _counts(session)
    both = {
        "answer": "Svar.",
        "propose": {"required_loa": {"value": "betydelig"}},
        "propose_transition": {"kind": "wallet", "title": "Nexus tager imod EU-tegnebogen"},
    }
    refused = client.post(f"/api/v1/inquiries/{inquiry}/answer", json=both, headers=vendor.bearer)
    assert refused.status_code == 422 and "én ting" in refused.get_json()["error"]["message"]
    nameless = {"answer": "Svar.", "propose_transition": {"date": {"text": "2028"}}}
    refused = client.post(f"/api/v1/inquiries/{inquiry}/answer", json=nameless, headers=vendor.bearer)
    assert refused.status_code == 422 and {"kind", "title"} <= set(
        refused.get_json()["error"]["details"]["propose_transition"]
    )
    elsewhere = _a_transition(client, accounts["coordinator"], slug="aula")
    wrong = {"answer": "Svar.", "propose_transition": {"transition": elsewhere["id"], "title": "x"}}
    refused = client.post(f"/api/v1/inquiries/{inquiry}/answer", json=wrong, headers=vendor.bearer)
    assert refused.status_code == 422
    assert client.get(f"/api/v1/inquiries/{inquiry}").get_json()["state"] == "open"
    assert _counts(session)[:2] == (before[0], before[1] + 1)  # only the coordinator's transition on Aula

    new = {
        "answer": "Nexus tager imod EU-tegnebogen fra 2028.",
        "propose_transition": {**both["propose_transition"], "date": {"text": "2028"}},
    }
    answered = client.post(f"/api/v1/inquiries/{inquiry}/answer", json=new, headers=vendor.bearer)
    assert answered.status_code == 200, answered.get_json()
    proposal = client.get(f"/api/v1/proposals/{answered.get_json()['proposal_id']}", headers=vendor.bearer).get_json()
    assert proposal["transition"]["new"] is True and proposal["transition"]["kind"] == "wallet"
    assert {d["field"]: d["proposed"] for d in proposal["diff"]}["precision"] == "year"


def test_a_change_to_the_nsis_login_transition_is_a_change_of_the_solutions_switch_date(
    client: FlaskClient, accounts: dict[str, Account]
) -> None:
    coordinator, municipality = accounts["coordinator"], accounts["municipality"]
    items = client.get("/api/v1/transitions?limit=500").get_json()["items"]
    nsis = next(t for t in items if t["nsis_login"] and t["date"]["state"] != "switched")
    slug = nsis["solution"]["slug"]
    kind_change = _propose_change(client, municipality, nsis["id"], {"kind": "wallet", **SOURCE})
    assert kind_change.status_code == 422 and "kind" in kind_change.get_json()["error"]["details"]
    body = {"date": {"text": "Q4 2031", "state": "planned"}, **SOURCE}
    made = _propose_change(client, municipality, nsis["id"], body)
    assert made.status_code == 201, made.get_json()
    accepted = client.post(f"/api/v1/proposals/{made.get_json()['id']}/accept", json={}, headers=coordinator.bearer)
    assert accepted.status_code == 200, accepted.get_json()
    switch = client.get(f"/api/v1/solutions/{slug}").get_json()["switch_date"]
    assert (switch["earliest"], switch["latest"], switch["text"], switch["status"]) == (
        "2031-10-01",
        "2031-12-31",
        "Q4 2031",
        "reported",
    )
    assert switch["source"]["kind"] == "municipality" and switch["source"]["url"] == SOURCE["source_url"]
    history = client.get(f"/api/v1/solutions/{slug}/history").get_json()["items"]
    assert history[0]["type"] == "solution.switch_date.changed"
    assert f"Forslag #{made.get_json()['id']}" in history[0]["reason"]
    mirrored = client.get(f"/api/v1/transitions/{nsis['id']}").get_json()
    assert mirrored["date"]["earliest"] == "2031-10-01"


def test_the_service_providers_word_stays_confirmed_when_accepted(
    client: FlaskClient, accounts: dict[str, Account], session: Session
) -> None:
    """KOMBIT provides Aula (Netcompany builds it): its proposal is the authority's 'confirmed', also once a
    coordinator accepts it — a vendor's own 'confirmed' is demoted to 'reported', the authority's is not."""
    kombit = make_account(session, "vendor", "plan-kombit@example.dk", organisation="kombit")
    session.commit()
    body = {**OIOSAML4, "title": "OIOSAML 4.0.0 i Aula", "date": {"text": "Q3 2027", "state": "planned"}}
    made = _propose_new(client, kombit, body, slug="aula")
    assert made.status_code == 201, made.get_json()
    proposal = made.get_json()
    assert proposal["source"]["kind"] == "authority"
    accepted = client.post(
        f"/api/v1/proposals/{proposal['id']}/accept", json={}, headers=accounts["coordinator"].bearer
    )
    assert accepted.status_code == 200, accepted.get_json()
    t = client.get(accepted.get_json()["transition"]["url"]).get_json()
    assert t["date"]["status"] == "confirmed" and t["date"]["source"]["kind"] == "authority", t["date"]
