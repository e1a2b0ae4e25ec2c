"""The national picture is cached per worker, and the cache never shows a picture that has gone stale.

An IdP's level or a portfolio entry can change without a change event (only a changed verdict appends one),
so the cache key holds a fingerprint of every IdP and entry in the country: these writes bypass the
services (no event at all) and the next answer must still show them.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.support.municipalities import bearer, fresh_client, idp, solution, use, user_with_token
from tracker.models import Idp, PortfolioEntry
from tracker.municipalities.readiness import today_in_denmark


def _counts(client: FlaskClient, headers: dict[str, str]) -> dict[str, int]:
    response = client.get("/api/v1/national", headers=headers)
    assert response.status_code == 200
    item = next(i for i in response.get_json()["items"] if i["solution"]["slug"] == "x-cached")
    return dict(item["counts"])


def test_the_cached_national_picture_follows_idp_and_portfolio_changes_without_events(
    app: Flask, session: Session
) -> None:
    client = fresh_client(app)
    _, token = user_with_token(session, "nat-cache@kl.dk", "coordinator")
    solution(session, "x-cached", loa="hoej", earliest=today_in_denmark() + timedelta(days=30), name="Cachet")
    odense = idp(session, "461", "Odense", "lav")
    other = idp(session, "751", "Aarhus-admin", "lav", primary=False)
    idp(session, "751", "Aarhus", "hoej")
    use(session, "461", "x-cached")
    use(session, "751", "x-cached")
    session.commit()
    coordinator = bearer(token)
    before = _counts(client, coordinator)
    assert before == {"ok": 1, "at_risk": 1, "locked_out": 0, "unknown": 0}
    assert _counts(client, coordinator) == before  # the cached copy

    session.execute(update(Idp).where(Idp.id == odense.id).values(notified_loa="hoej"))
    session.commit()
    assert _counts(client, coordinator) == {"ok": 2, "at_risk": 0, "locked_out": 0, "unknown": 0}

    session.execute(
        update(PortfolioEntry).where(PortfolioEntry.municipality_id == other.municipality_id).values(idp_id=other.id)
    )
    session.commit()  # Aarhus's entry now names its 'lav' IdP
    assert _counts(client, coordinator) == {"ok": 1, "at_risk": 1, "locked_out": 0, "unknown": 0}
