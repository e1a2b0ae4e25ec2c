"""Every write route (UI and API) × every role: allowed ones succeed, the rest get 401/403 and change nothing.

A refusal (403) is also written to the audit trail as ``authz.denied``. The vendor-owner is KMD (vendor of
kmd-nexus); the other vendor is Netcompany.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import ROLES, Account, client_for, make_account, make_role_accounts
from tracker.broadcast import feed_tokens
from tracker.models import (
    ApiToken,
    AuditEntry,
    ChangeEvent,
    FeedToken,
    Municipality,
    Organisation,
    Proposal,
    Solution,
    User,
)
from tracker.review.services import create_proposal


@dataclass
class Ctx:
    """What the routes need: accounts, a pending proposal, a user and an organisation to act on."""

    accounts: dict[str, Account]
    proposal_id: int
    target_user_id: int
    vendor_org_id: int
    nexus: Solution
    inactive_user_id: int = 0
    feed_token_id: int = 0


def _edit_form(s: Solution, **overrides: str) -> dict[str, str]:
    data = {
        "name": s.name,
        "aliases": ", ".join(s.aliases or []),
        "description": s.description or "",
        "kind": s.kind,
        "vendor": s.vendor.slug if s.vendor else "",
        "service_provider": "",
        "broker": s.broker or "",
        "loa_value": s.loa_value,
        "loa_status": s.loa_status,
        "loa_source_kind": "",
        "loa_source_url": "",
        "loa_evidence": "",
        "switch_text": "",
        "switch_state": s.switch_state,
        "switch_status": s.switch_status,
        "switch_source_kind": "",
        "switch_source_url": "",
        "switch_evidence": "",
        "reason": "matrix",
        "version": str(s.version),
        "seen_event": "0",
    }
    data.update(overrides)
    return data


Request = tuple[str, str, dict[str, Any]]
# route name → (build request, expected status per role)
ROUTES: dict[str, tuple[Callable[[Ctx], Request], dict[str, int]]] = {
    "api POST /solutions": (
        lambda c: ("post", "/api/v1/solutions", {"json": {"name": "Matrix-løsning"}}),
        {
            "anonymous": 401,
            "admin": 201,
            "coordinator": 201,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "api PATCH /solutions/kmd-nexus": (
        lambda c: (
            "patch",
            "/api/v1/solutions/kmd-nexus",
            {"json": {"required_loa": {"value": "hoej"}}, "headers": {"If-Match": f'"v{c.nexus.version}"'}},
        ),
        {
            "anonymous": 401,
            "admin": 200,
            "coordinator": 200,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "api POST /proposals": (
        lambda c: (
            "post",
            "/api/v1/proposals",
            {"json": {"solution": "kmd-nexus", "required_loa": {"value": "hoej"}, "evidence": "Set på driftssiden"}},
        ),
        {
            "anonymous": 401,
            "admin": 201,
            "coordinator": 201,
            "vendor_owner": 201,
            "vendor_other": 403,
            "municipality": 201,
        },
    ),
    "api POST /proposals/{id}/accept": (
        lambda c: ("post", f"/api/v1/proposals/{c.proposal_id}/accept", {"json": {}}),
        {
            "anonymous": 401,
            "admin": 200,
            "coordinator": 200,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "api POST /proposals/{id}/reject": (
        lambda c: ("post", f"/api/v1/proposals/{c.proposal_id}/reject", {"json": {"reason": "nej"}}),
        {
            "anonymous": 401,
            "admin": 200,
            "coordinator": 200,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "ui POST /loesninger/ny": (
        lambda c: (
            "post",
            "/loesninger/ny",
            {
                "data": {
                    **_edit_form(c.nexus),
                    "name": "Matrix UI",
                    "vendor": "",
                    "loa_value": "ukendt",
                    "loa_status": "unknown",
                }
            },
        ),
        {
            "anonymous": 401,
            "admin": 302,
            "coordinator": 302,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "ui POST /loesninger/kmd-nexus/rediger": (
        lambda c: ("post", "/loesninger/kmd-nexus/rediger", {"data": _edit_form(c.nexus, loa_value="hoej")}),
        {
            "anonymous": 401,
            "admin": 302,
            "coordinator": 302,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "ui POST /loesninger/kmd-nexus/foreslaa": (
        lambda c: (
            "post",
            "/loesninger/kmd-nexus/foreslaa",
            {
                "data": {
                    "loa_value": "hoej",
                    "loa_status": "",
                    "switch_text": "",
                    "switch_state": "",
                    "source_url": "",
                    "evidence": "Set på driftssiden",
                }
            },
        ),
        {
            "anonymous": 401,
            "admin": 403,
            "coordinator": 403,
            "vendor_owner": 302,
            "vendor_other": 403,
            "municipality": 302,
        },
    ),
    "ui POST /forslag/{id}/godkend": (
        lambda c: ("post", f"/forslag/{c.proposal_id}/godkend", {"data": {"note": ""}}),
        {
            "anonymous": 401,
            "admin": 302,
            "coordinator": 302,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "ui POST /forslag/{id}/afvis": (
        lambda c: ("post", f"/forslag/{c.proposal_id}/afvis", {"data": {"reason": "nej"}}),
        {
            "anonymous": 401,
            "admin": 302,
            "coordinator": 302,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "ui POST /admin/brugere": (
        lambda c: (
            "post",
            "/admin/brugere",
            {
                "data": {
                    "email": "ny-matrix@example.dk",
                    "name": "",
                    "role": "coordinator",
                    "organisation": "",
                    "municipality": "",
                }
            },
        ),
        {
            "anonymous": 401,
            "admin": 201,
            "coordinator": 403,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "ui POST /admin/brugere/{id}/deaktiver": (
        lambda c: ("post", f"/admin/brugere/{c.target_user_id}/deaktiver", {"data": {}}),
        {
            "anonymous": 401,
            "admin": 302,
            "coordinator": 403,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "ui POST /admin/brugere/{id}/nulstil-adgangskode": (
        lambda c: ("post", f"/admin/brugere/{c.target_user_id}/nulstil-adgangskode", {"data": {}}),
        {
            "anonymous": 401,
            "admin": 200,
            "coordinator": 403,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "ui POST /admin/brugere/{id}/rolle": (
        lambda c: (
            "post",
            f"/admin/brugere/{c.target_user_id}/rolle",
            {"data": {"role": "admin", "organisation": "", "municipality": ""}},
        ),
        {
            "anonymous": 401,
            "admin": 302,
            "coordinator": 403,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "ui POST /admin/organisationer": (
        lambda c: (
            "post",
            "/admin/organisationer",
            {"data": {"slug": "matrix-org", "name": "Matrix", "kind": "vendor", "url": ""}},
        ),
        {
            "anonymous": 401,
            "admin": 302,
            "coordinator": 302,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "ui POST /admin/organisationer/{id}/betroet": (
        lambda c: ("post", f"/admin/organisationer/{c.vendor_org_id}/betroet", {"data": {"trusted": "y"}}),
        {
            "anonymous": 401,
            "admin": 302,
            "coordinator": 302,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "ui POST /admin/brugere/{id}/aktiver": (
        lambda c: ("post", f"/admin/brugere/{c.inactive_user_id}/aktiver", {"data": {}}),
        {
            "anonymous": 401,
            "admin": 302,
            "coordinator": 403,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 403,
        },
    ),
    "ui POST /konto/tokens": (
        lambda c: ("post", "/konto/tokens", {"data": {"name": "matrix"}}),
        dict.fromkeys(ROLES, 201) | {"anonymous": 401},
    ),
    "api POST /tokens": (
        lambda c: ("post", "/api/v1/tokens", {"json": {"name": "matrix"}}),
        dict.fromkeys(ROLES, 201) | {"anonymous": 401},
    ),
    # Private feed/calendar addresses through the API, the forced first-password step, TOTP setup.
    "api POST /municipalities/101/feed-tokens": (
        lambda c: ("post", "/api/v1/municipalities/101/feed-tokens", {}),
        {
            "anonymous": 401,
            "admin": 201,
            "coordinator": 201,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 201,
        },
    ),
    "api DELETE /municipalities/101/feed-tokens/{id}": (
        lambda c: ("delete", f"/api/v1/municipalities/101/feed-tokens/{c.feed_token_id}", {}),
        {
            "anonymous": 401,
            "admin": 204,
            "coordinator": 204,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 204,
        },
    ),
    "ui POST /abonnementer/kommuner/101/feeds": (
        lambda c: ("post", "/abonnementer/kommuner/101/feeds", {"data": {}}),
        {
            "anonymous": 401,
            "admin": 303,
            "coordinator": 303,
            "vendor_owner": 403,
            "vendor_other": 403,
            "municipality": 303,
        },
    ),
}


def _snapshot(session: Session) -> tuple[Any, ...]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(ChangeEvent)),
        tuple(session.execute(select(Proposal.id, Proposal.state).order_by(Proposal.id)).all()),
        tuple(session.execute(select(Solution.slug, Solution.version).order_by(Solution.slug)).all()),
        tuple(session.execute(select(User.id, User.role, User.is_active, User.password_hash).order_by(User.id)).all()),
        tuple(session.execute(select(Organisation.slug, Organisation.trusted).order_by(Organisation.slug)).all()),
        tuple(session.execute(select(ApiToken.id, ApiToken.revoked_at).order_by(ApiToken.id)).all()),
        tuple(session.execute(select(FeedToken.id, FeedToken.revoked_at).order_by(FeedToken.id)).all()),
    )


def _denials(session: Session) -> int:
    return session.scalar(select(func.count()).where(AuditEntry.action == "authz.denied")) or 0


@pytest.fixture
def ctx(session: Session) -> Ctx:
    accounts = make_role_accounts(session)
    nexus = session.scalars(select(Solution).where(Solution.slug == "kmd-nexus")).one()
    proposal = create_proposal(
        session,
        proposer=accounts["vendor_owner"].user,
        solution=nexus,
        changes={"loa_value": "betydelig"},
        evidence="KMD",
    )
    target = User(email="target@example.dk", role="coordinator", password_hash="x", session_nonce="n")
    inactive = User(email="inactive@example.dk", role="coordinator", password_hash="x", is_active=False)
    session.add_all([target, inactive])
    session.flush()
    netcompany = session.scalars(select(Organisation).where(Organisation.slug == "netcompany")).one()
    kbh = session.scalars(select(Municipality).where(Municipality.code == "101")).one()
    feed_token, _ = feed_tokens.create_token(session, accounts["coordinator"].user, kbh)
    session.commit()
    return Ctx(
        feed_token_id=feed_token.id,
        inactive_user_id=inactive.id,
        accounts=accounts,
        proposal_id=proposal.id,
        target_user_id=target.id,
        vendor_org_id=netcompany.id,
        nexus=nexus,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(ROUTES))
def test_write_route_by_role(app: Flask, session: Session, ctx: Ctx, route: str, role: str) -> None:
    build, expected = ROUTES[route]
    account = ctx.accounts.get(role)
    method, url, kwargs = build(ctx)
    if url.startswith("/api/"):
        client = app.test_client()
        if account is not None:
            kwargs.setdefault("headers", {}).update(account.bearer)
    else:
        client, token = client_for(app, account)
        kwargs["data"] = {**kwargs["data"], "csrf_token": token}
    before, denials = _snapshot(session), _denials(session)
    resp = getattr(client, method)(url, **kwargs)
    assert resp.status_code == expected[role], resp.get_data(as_text=True)[:500]
    if resp.status_code in (401, 403):
        assert _snapshot(session) == before
        assert _denials(session) == denials + (1 if resp.status_code == 403 else 0)
    else:
        assert _snapshot(session) != before


def test_refusal_is_audited_with_who_and_what(app: Flask, session: Session, ctx: Ctx) -> None:
    other = ctx.accounts["vendor_other"]
    client = app.test_client()
    resp = client.post(
        "/api/v1/proposals", json={"solution": "kmd-nexus", "required_loa": {"value": "hoej"}}, headers=other.bearer
    )
    assert resp.status_code == 403
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "authz.denied").order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and entry.actor_id == other.user.id
    assert entry.object_id == "kmd-nexus" and entry.details["path"] == "/api/v1/proposals"


@pytest.mark.parametrize("path", ["/loesninger/aula/foreslaa", "/loesninger/fmk/foreslaa"])
def test_vendor_cannot_reach_another_solutions_proposal_form(app: Flask, session: Session, ctx: Ctx, path: str) -> None:
    client, token = client_for(app, ctx.accounts["vendor_owner"])
    assert client.get(path).status_code == 403
    before = _snapshot(session)
    resp = client.post(
        path,
        data={
            "csrf_token": token,
            "loa_value": "hoej",
            "switch_text": "",
            "switch_state": "",
            "source_url": "",
            "evidence": "x",
        },
    )
    assert resp.status_code == 403 and _snapshot(session) == before


def test_the_service_provider_proposes_as_the_authority(app: Flask, session: Session) -> None:
    """KOMBIT provides Aula (Netcompany builds it): its word on the level is the authority's, still reviewed."""
    kombit = make_account(session, "vendor", "krav-kombit@example.dk", organisation="kombit")
    session.commit()
    client, token = client_for(app, kombit)
    page = client.get("/loesninger/aula/foreslaa")
    assert page.status_code == 200 and "Som tjenesteudbyder" in page.get_data(as_text=True)
    evidence = "KOMBIT: Aula kræver Betydelig for medarbejdere (beslutning i styregruppen)."
    resp = client.post(
        "/loesninger/aula/foreslaa",
        data={"csrf_token": token, "loa_value": "betydelig", "switch_text": "", "switch_state": "", "source_url": "",
              "evidence": evidence},
    )  # fmt: skip
    assert resp.status_code in (200, 302, 303), resp.get_data(as_text=True)[:400]
    proposal = session.scalars(select(Proposal).where(Proposal.evidence == evidence)).one()
    assert proposal.state == "pending" and proposal.source_kind == "authority"
    assert proposal.changes["loa_status"] == "confirmed" and proposal.changes["loa_source_kind"] == "authority"
    # Accepted, the authority's word stays confirmed on the solution (not demoted to a vendor's 'reported').
    coordinator = make_account(session, "coordinator", "kl-aula@example.dk")
    session.commit()
    accepted = app.test_client().post(f"/api/v1/proposals/{proposal.id}/accept", json={}, headers=coordinator.bearer)
    assert accepted.status_code == 200, accepted.get_json()
    loa = app.test_client().get("/api/v1/solutions/aula").get_json()["required_loa"]
    assert loa["value"] == "betydelig" and loa["status"] == "confirmed", loa
    assert loa["source"]["kind"] == "authority", loa


def test_proposals_of_others_are_invisible(app: Flask, session: Session, ctx: Ctx) -> None:
    client = app.test_client()
    for role in ("vendor_other", "municipality"):
        account = ctx.accounts[role]
        assert client.get(f"/api/v1/proposals/{ctx.proposal_id}", headers=account.bearer).status_code == 404
        assert client.get("/api/v1/proposals", headers=account.bearer).get_json()["items"] == []
        web, _ = client_for(app, account)
        assert web.get(f"/forslag/{ctx.proposal_id}").status_code == 404
        assert web.get("/forslag").status_code == 403
    owner = ctx.accounts["vendor_owner"]
    assert client.get(f"/api/v1/proposals/{ctx.proposal_id}", headers=owner.bearer).status_code == 200


def test_tokens_of_others_cannot_be_revoked(app: Flask, session: Session, ctx: Ctx) -> None:
    victim = ctx.accounts["coordinator"]
    token_id = session.scalars(select(ApiToken.id).where(ApiToken.user_id == victim.user.id)).one()
    attacker = ctx.accounts["vendor_other"]
    web, csrf = client_for(app, attacker)
    assert web.post(f"/konto/tokens/{token_id}/tilbagekald", data={"csrf_token": csrf}).status_code == 404
    assert app.test_client().delete(f"/api/v1/tokens/{token_id}", headers=attacker.bearer).status_code == 404
    assert app.test_client().get("/api/v1/proposals", headers=victim.bearer).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/loesninger/ny",
        "/loesninger/aula/rediger",
        "/forslag",
        "/admin/brugere",
        "/admin/organisationer",
        "/konto",
        "/mine-forslag",
        "/loesninger/aula/foreslaa",
    ],
)
def test_pages_send_anonymous_visitors_to_login(client: Any, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 302 and "/login?next=" in resp.headers["Location"]
