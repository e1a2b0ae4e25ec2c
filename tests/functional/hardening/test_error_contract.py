"""Item 11: errors in Danish (English with ?lang=en) also where werkzeug and marshmallow speak first; 415 for a
body that is not JSON; lists say whether more follows (``has_more``, ``Link: rel="next"``)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.support.accounts import make_role_accounts


def test_werkzeug_defaults_are_danish_then_english(client: FlaskClient) -> None:
    resp = client.get("/api/v1/no-such-thing")
    assert resp.status_code == 404 and resp.get_json()["error"]["message"] == "Siden findes ikke."
    english = client.get("/api/v1/no-such-thing?lang=en").get_json()["error"]["message"]
    assert english == "The page does not exist."
    # ?lang= is remembered: back to Danish.
    assert client.delete("/api/v1/solutions?lang=da").get_json()["error"]["message"] == "Metoden er ikke tilladt her."


def test_marshmallow_defaults_are_danish_then_english(client: FlaskClient, session: Session) -> None:
    accounts = make_role_accounts(session)
    body = {"url": "https://example.org/hook", "no_such_field": 1, "description": 5}
    resp = client.post("/api/v1/subscriptions", json=body, headers=accounts["coordinator"].bearer)
    assert resp.status_code == 422
    details = resp.get_json()["error"]["details"]
    assert details["no_such_field"] == ["Ukendt felt."]
    english = client.post("/api/v1/subscriptions?lang=en", json=body, headers=accounts["coordinator"].bearer)
    assert english.get_json()["error"]["details"]["no_such_field"] == ["Unknown field."]
    assert english.get_json()["error"]["message"].startswith("Some fields are invalid")


def test_a_body_that_is_not_json_is_415(client: FlaskClient, session: Session) -> None:
    accounts = make_role_accounts(session)
    resp = client.post(
        "/api/v1/subscriptions",
        data="url=https://example.org/hook",
        headers={**accounts["coordinator"].bearer, "Content-Type": "text/plain"},
    )
    assert resp.status_code == 415 and resp.get_json()["error"]["code"] == "unsupported_media_type"


def test_lists_say_whether_more_follows(client: FlaskClient) -> None:
    first = client.get("/api/v1/solutions?limit=2")
    body = first.get_json()
    assert body["has_more"] is True and len(body["items"]) == 2
    link = first.headers["Link"]
    assert link.endswith('>; rel="next"') and "offset=2" in link and "limit=2" in link
    again = client.get("/api/v1/solutions?limit=2")  # from the response cache: the same body and Link
    assert again.get_json() == body and again.headers["Link"] == link
    url = link[1 : link.index(">")]
    second = client.get(url.replace("http://localhost", ""))
    assert second.status_code == 200 and second.get_json()["items"][0] != body["items"][0]
    everything = client.get("/api/v1/solutions?limit=500").get_json()
    assert everything["has_more"] is False
    events = client.get("/api/v1/events?limit=1")
    assert events.get_json()["has_more"] is True and 'rel="next"' in events.headers["Link"]
