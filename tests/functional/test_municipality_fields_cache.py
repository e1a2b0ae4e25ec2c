"""Issue 26's cache blind spot: a municipality's own fields (name, region, the region change ahead) append no
change event, yet its page and report show them. Their edit must reach the cached renderings at once — the
page is served from the per-worker response cache, keyed on M's fingerprint (``municipality.data_version``)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.support.municipalities import fresh_client, log_in, municipality, user_with_token
from tracker.db import get_db
from tracker.http_cache import municipality_state


@pytest.fixture
def client(app: Flask, session: Session) -> FlaskClient:
    """A København user's browser, logged in."""
    user, _ = user_with_token(session, "it@kk.dk", "municipality", "101")
    session.commit()
    browser = fresh_client(app)
    log_in(browser, user)
    return browser


def _edit(app: Flask, **fields: object) -> None:
    """Change København's own fields through the ORM in a transaction of its own, as a script or the seed would."""
    with get_db(app).sessionmaker() as other:
        kk = municipality(other, "101")
        for name, value in fields.items():
            setattr(kk, name, value)
        other.commit()


@pytest.mark.parametrize("url", ["/kommuner/101", "/kommuner/101/rapport"])
def test_an_edit_of_the_municipalitys_own_fields_reaches_the_cached_page(
    app: Flask, client: FlaskClient, session: Session, url: str
) -> None:
    first = client.get(url)
    assert first.status_code == 200
    assert client.get(url).data == first.data  # the second visit is the cached rendering
    before = municipality_state(session, "101")
    assert before is not None

    _edit(app, name="Københavns Testkommune")
    renamed = client.get(url).get_data(as_text=True)
    assert "Københavns Testkommune" in renamed

    if url == "/kommuner/101":  # the page also says which region the municipality joins, and from when
        _edit(app, next_region="Region Testland", next_region_on=date(2031, 1, 1))
        assert "Region Testland" in client.get(url).get_data(as_text=True)
    session.expire_all()
    after = municipality_state(session, "101")
    assert after is not None and after.fingerprint != before.fingerprint and after.stamp == before.stamp


def test_reading_the_municipality_raises_nothing(app: Flask, session: Session) -> None:
    before = municipality_state(session, "101")
    with get_db(app).sessionmaker() as other:
        kk = municipality(other, "101")
        kk.name = kk.name  # set to what it was: no change, no new version
        other.commit()
    session.expire_all()
    assert municipality_state(session, "101") == before
