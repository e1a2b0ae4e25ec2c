"""The national picture is cached per worker, and the cache never shows a picture that has gone stale.

An IdP's IdP choice or a portfolio entry can change without a change event (only a changed verdict appends
one), so the cache key holds the country's ``data_version`` beside the registry stamp.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.support.accounts import bearer
from tests.support.municipalities import fresh_client, idp, municipality, solution, use, user_with_token
from tracker.http_cache import municipality_state
from tracker.municipalities import services
from tracker.municipalities.queries import get_portfolio_entry
from tracker.municipalities.readiness import today_in_denmark
from tracker.registry.actors import SYSTEM


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

    services.update_idp(session, odense, {"notified_loa": "hoej"}, actor=SYSTEM)
    session.commit()
    assert _counts(client, coordinator) == {"ok": 2, "at_risk": 0, "locked_out": 0, "unknown": 0}

    aarhus = municipality(session, "751")
    entry = get_portfolio_entry(session, aarhus, "x-cached")
    services.update_portfolio_entry(session, entry, {"idp_id": other.id}, actor=SYSTEM)
    session.commit()  # Aarhus's entry now names its 'lav' IdP
    assert _counts(client, coordinator) == {"ok": 1, "at_risk": 1, "locked_out": 0, "unknown": 0}


def test_every_idp_and_portfolio_write_raises_the_municipalitys_data_version(session: Session) -> None:
    kk = municipality(session, "101")
    seen = [municipality_state(session, "101")]
    # Another municipality's version before (another test sharing the database may have raised it already).
    other_before = municipality_state(session, "751")
    solution(session, "x-version", loa="lav")

    def changed() -> None:
        session.flush()
        state = municipality_state(session, "101")
        assert state is not None and state.fingerprint not in {s.fingerprint for s in seen if s}
        seen.append(state)

    extra = idp(session, "101", "Version-IdP", "lav", primary=False)
    changed()
    services.update_idp(session, extra, {"user_group": "skoler"}, actor=SYSTEM)
    changed()
    use(session, "101", "x-version")
    changed()
    entry = get_portfolio_entry(session, kk, "x-version")
    services.update_portfolio_entry(session, entry, {"idp_id": extra.id}, actor=SYSTEM)
    changed()
    services.delete_idp(session, extra, actor=SYSTEM)
    changed()
    services.remove_from_portfolio(session, get_portfolio_entry(session, kk, "x-version"), actor=SYSTEM)
    changed()
    other = municipality_state(session, "751")
    assert other_before is not None and other is not None
    assert other.fingerprint == other_before.fingerprint, "another municipality's version is untouched"
