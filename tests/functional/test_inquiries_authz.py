"""Every new inquiry and risk-assessment write route (UI and API) × every role, including another vendor and
another municipality: allowed ones change something, the rest get 401/403, change nothing, and a 403 is
audited. And the public views name municipalities and organisations, never a person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import ROLES, Account, client_for, make_account, make_role_accounts
from tracker.auth.users import create_user
from tracker.inquiries import assessments, services
from tracker.models import AuditEntry, ChangeEvent, Inquiry, InquiryFollower, Proposal, RiskAssessment, Solution

ALL_ROLES = (*ROLES, "other_municipality")


@dataclass
class Ctx:
    """Accounts and one open inquiry on KMD Nexus (asked by a coordinator, so nobody follows it yet)."""

    accounts: dict[str, Account]
    inquiry_id: int


@pytest.fixture
def ctx(session: Session) -> Ctx:
    accounts = make_role_accounts(session)
    accounts["other_municipality"] = make_account(
        session, "municipality", "matrix-aarhus@example.dk", municipality="751"
    )
    nexus = session.scalars(select(Solution).where(Solution.slug == "kmd-nexus")).one()
    inquiry = services.ask(
        session,
        user=accounts["coordinator"].user,
        solution=nexus,
        question="Hvornår skifter KMD Nexus login?",
        daily_limit=10,
        force=False,
    )
    session.commit()
    return Ctx(accounts=accounts, inquiry_id=inquiry.id)


def _expect(allowed: dict[str, int], refused: int = 403) -> dict[str, int]:
    return {role: allowed.get(role, refused) for role in ALL_ROLES} | {"anonymous": 401}


MUNICIPALITIES_AND_KL = {"admin": 0, "coordinator": 0, "municipality": 0, "other_municipality": 0}
KL = {"admin": 0, "coordinator": 0}
ANSWERERS = {"admin": 0, "coordinator": 0, "vendor_owner": 0}
MUNICIPALITIES = {"municipality": 0, "other_municipality": 0}
ASSESSMENT = {"by": "751", "on_behalf_of": "all", "assessed_on": "2026-11-01", "concluded_loa": "betydelig"}

Request = tuple[str, str, dict[str, Any]]
ROUTES: dict[str, tuple[Callable[[Ctx], Request], dict[str, int]]] = {
    "api POST /solutions/{slug}/inquiries": (
        lambda c: ("post", "/api/v1/solutions/kmd-nexus/inquiries", {"json": {"question": "Kræver Nexus niveau høj?"}}),
        _expect(dict.fromkeys(MUNICIPALITIES_AND_KL, 201)),
    ),
    "api POST /inquiries/{id}/join": (
        lambda c: ("post", f"/api/v1/inquiries/{c.inquiry_id}/join", {}),
        _expect(dict.fromkeys(MUNICIPALITIES, 200)),
    ),
    "api POST /inquiries/{id}/asked": (
        lambda c: ("post", f"/api/v1/inquiries/{c.inquiry_id}/asked", {"json": {"note": "KL har spurgt KMD."}}),
        _expect(dict.fromkeys(KL, 200)),
    ),
    "api POST /inquiries/{id}/answer": (
        lambda c: ("post", f"/api/v1/inquiries/{c.inquiry_id}/answer", {"json": {"answer": "I marts 2027."}}),
        _expect(dict.fromkeys(ANSWERERS, 200)),
    ),
    "api POST /inquiries/{id}/close": (
        lambda c: ("post", f"/api/v1/inquiries/{c.inquiry_id}/close", {"json": {"reason": "Dublet."}}),
        _expect(dict.fromkeys(KL, 200)),
    ),
    "api POST /solutions/{slug}/risk-assessments": (
        lambda c: ("post", "/api/v1/solutions/kmd-nexus/risk-assessments", {"json": ASSESSMENT}),
        _expect(dict.fromkeys(KL, 201)),
    ),
    "ui POST /loesninger/{slug}/spoergsmaal": (
        lambda c: ("post", "/loesninger/kmd-nexus/spoergsmaal", {"data": {"question": "Kræver Nexus niveau høj?"}}),
        _expect(dict.fromkeys(MUNICIPALITIES_AND_KL, 302)),
    ),
    "ui POST /spoergsmaal/{id}/tilslut": (
        lambda c: ("post", f"/spoergsmaal/{c.inquiry_id}/tilslut", {"data": {}}),
        _expect(dict.fromkeys(MUNICIPALITIES, 302)),
    ),
    "ui POST /spoergsmaal/{id}/spurgt": (
        lambda c: ("post", f"/spoergsmaal/{c.inquiry_id}/spurgt", {"data": {"note": "KL har spurgt KMD."}}),
        _expect(dict.fromkeys(KL, 302)),
    ),
    "ui POST /spoergsmaal/{id}/svar": (
        lambda c: ("post", f"/spoergsmaal/{c.inquiry_id}/svar", {"data": {"answer": "I marts 2027."}}),
        _expect(dict.fromkeys(ANSWERERS, 302)),
    ),
    "ui POST /loesninger/{slug}/risikovurderinger": (
        lambda c: ("post", "/loesninger/kmd-nexus/risikovurderinger", {"data": {**ASSESSMENT, "propose": "y"}}),
        _expect(dict.fromkeys(KL, 302)),
    ),
    "ui POST /spoergsmaal/{id}/luk": (
        lambda c: ("post", f"/spoergsmaal/{c.inquiry_id}/luk", {"data": {"reason": "Dublet."}}),
        _expect(dict.fromkeys(KL, 302)),
    ),
}


def _snapshot(session: Session) -> tuple[Any, ...]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(ChangeEvent)),
        session.scalar(select(func.count()).select_from(InquiryFollower)),
        session.scalar(select(func.count()).select_from(RiskAssessment)),
        session.scalar(select(func.count()).select_from(Proposal)),
        tuple(session.execute(select(Inquiry.id, Inquiry.state).order_by(Inquiry.id)).all()),
    )


def _denials(session: Session) -> int:
    return session.scalar(select(func.count()).where(AuditEntry.action == "authz.denied")) or 0


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("route", list(ROUTES))
def test_inquiry_write_route_by_role(app: Flask, session: Session, ctx: Ctx, route: str, role: str) -> None:
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


def test_public_inquiry_and_assessment_views_name_no_person(app: Flask, session: Session) -> None:
    people = {
        "asker": ("Mette Sørensen", "mette.sorensen@kk.dk", {"role": "municipality", "municipality": "101"}),
        "joiner": ("Jens Kofoed", "jens.kofoed@aarhus.dk", {"role": "municipality", "municipality": "751"}),
        "vendor": ("Karin Dahl", "karin.dahl@kmd.dk", {"role": "vendor", "organisation": "kmd"}),
        "coordinator": ("Lars Holm", "lars.holm@kl.dk", {"role": "coordinator"}),
    }
    users = {key: create_user(session, email=email, name=name, **kw)[0] for key, (name, email, kw) in people.items()}
    nexus = session.scalars(select(Solution).where(Solution.slug == "kmd-nexus")).one()
    inquiry = services.ask(
        session,
        user=users["asker"],
        solution=nexus,
        question="Hvilket niveau kræver Nexus?",
        daily_limit=10,
        force=False,
    )
    services.join(session, user=users["joiner"], inquiry=inquiry)
    services.mark_asked(session, user=users["coordinator"], inquiry=inquiry, note="KL har spurgt KMD.")
    services.answer(session, user=users["vendor"], inquiry=inquiry, text="Betydelig.", source_url=None)
    other = services.ask(
        session,
        user=users["coordinator"],
        solution=nexus,
        question="Og hvornår skifter det?",
        daily_limit=10,
        force=False,
    )
    assessments.record(
        session,
        user=users["coordinator"],
        solution=nexus,
        by="kmd",
        on_behalf_of=["101", "751"],
        assessed_on=nexus.created_at.date(),
        concluded_loa="betydelig",
        note="Vurderet for de to kommuner.",
        propose=True,
    )
    session.commit()
    client = app.test_client()
    paths = [
        "/api/v1/inquiries",
        f"/api/v1/inquiries/{inquiry.id}",
        f"/api/v1/inquiries/{other.id}",
        "/api/v1/solutions/kmd-nexus/inquiries",
        "/api/v1/solutions/kmd-nexus/risk-assessments",
        "/api/v1/solutions/kmd-nexus/history",
        "/api/v1/events?limit=500",
        "/feeds/solutions/kmd-nexus.atom",
        "/feeds/changes.atom",
        "/spoergsmaal",
        f"/spoergsmaal/{inquiry.id}",
        "/loesninger/kmd-nexus",
        "/loesninger/kmd-nexus/spoergsmaal",
        "/loesninger/kmd-nexus/risikovurderinger",
    ]
    for path in paths:
        resp = client.get(path)
        assert resp.status_code == 200, path
        text = resp.get_data(as_text=True)
        for name, email, _ in people.values():
            assert name not in text and email not in text, f"{path} shows {name} / {email}"
    page = client.get(f"/spoergsmaal/{inquiry.id}").get_data(as_text=True)
    assert "Københavns Kommune" in page and "KMD" in page and "Betydelig." in page
