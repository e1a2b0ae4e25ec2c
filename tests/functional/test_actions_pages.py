"""'Vores handlinger' without JavaScript: list with filters and progress, bulk changes, one action's form (a
refusal comes back as a Danish 422 with nothing stored), and the private calendar of due days."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import CSRF_RE
from tests.support.municipalities import fresh_client, idp, log_in, municipality, solution, use, user_with_token
from tracker.broadcast.feed_tokens import create_token as create_feed_token
from tracker.clock import clock_set_to
from tracker.models import Action, ActionChange

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    """7 December 2026."""
    with clock_set_to(lambda: NOW):
        yield


@pytest.fixture
def world(app: Flask, session: Session) -> dict[str, Any]:
    """København: two rows that ask to act (one overdue); two users; a logged-in client for the first."""
    kk_idp = idp(session, "101", "KK-IdP", "betydelig", group="Administration")
    solution(session, "omsorg", loa="hoej", earliest=date(2027, 3, 1), name="Omsorg")
    solution(session, "gammel", loa="hoej", earliest=date(2025, 1, 1), state="switched", name="Gammel")
    use(session, "101", "omsorg", via=kk_idp)
    use(session, "101", "gammel", via=kk_idp)
    kk, _ = user_with_token(session, "it@kk.dk", "municipality", "101")
    kk.name = "Ida IT"
    kk2, _ = user_with_token(session, "sikkerhed@kk.dk", "municipality", "101")
    kk2.name = "Sikkerhedschef"
    coordinator, _ = user_with_token(session, "k@kl.dk", "coordinator")
    session.commit()
    client = fresh_client(app)
    log_in(client, kk)
    session.commit()
    return {"client": client, "kk": kk, "kk2": kk2, "coordinator": coordinator}


def _csrf(client: FlaskClient, path: str) -> str:
    match = CSRF_RE.search(client.get(path).get_data(as_text=True))
    assert match
    return match.group(1)


def _ids(session: Session) -> dict[str, int]:
    session.expire_all()
    return {a.solution.slug: a.id for a in session.scalars(select(Action)) if a.solution}


def test_the_list_shows_progress_and_overdue_first(world: dict[str, Any]) -> None:
    html = world["client"].get("/kommuner/101/handlinger").get_data(as_text=True)
    assert "<h1>Vores handlinger</h1>" in html
    rows = re.findall(r'class="action-row( overdue)?" data-action-id="(\d+)"', html)
    assert len(rows) == 2 and rows[0][0] == " overdue" and rows[1][0] == ""
    assert "Overskredet" in html and "Ikke startet" in html
    english = world["client"].get("/kommuner/101/handlinger?lang=en").get_data(as_text=True)
    assert "<h1>Our actions</h1>" in english and "Overdue" in english and "Not started" in english


def test_bulk_change_assigns_an_owner_and_a_status_to_the_chosen(world: dict[str, Any], session: Session) -> None:
    client = world["client"]
    world["client"].get("/kommuner/101/handlinger")
    ids = _ids(session)
    token = _csrf(client, "/kommuner/101/handlinger")
    resp = client.post(
        "/kommuner/101/handlinger",
        data={
            "csrf_token": token,
            "ids": [str(ids["omsorg"]), str(ids["gammel"])],
            "status": "in_progress",
            "owner": str(world["kk2"].id),
        },
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    session.expire_all()
    for action in session.scalars(select(Action)):
        assert action.status == "in_progress" and action.owner_user_id == world["kk2"].id
    html = client.get("/kommuner/101/handlinger?owner=" + str(world["kk2"].id)).get_data(as_text=True)
    assert html.count('class="action-row') == 2 and "Sikkerhedschef" in html
    assert client.get("/kommuner/101/handlinger?status=done").get_data(as_text=True).count('class="action-row') == 0


def test_bulk_change_keeps_every_filter(world: dict[str, Any], session: Session) -> None:
    """Two statuses ticked and an owner: the bulk form posts back to the list with all of them, a refusal shows
    the same filtered list, and after the change the list comes back filtered as it was."""
    client = world["client"]
    query = "status=new&status=in_progress&owner=none"
    html = client.get(f"/kommuner/101/handlinger?{query}").get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)" novalidate>', html)
    assert action is not None
    assert action.group(1).replace("&amp;", "&") == f"/kommuner/101/handlinger?{query}"
    token = _csrf(client, f"/kommuner/101/handlinger?{query}")
    ids = _ids(session)
    refused = client.post(
        action.group(1).replace("&amp;", "&"), data={"csrf_token": token, "ids": [str(ids["omsorg"])]}
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Vælg, hvad der skal ændres." in page
    ticked = re.findall(r'name="status" value="(\w+)" checked', page)
    assert sorted(ticked) == ["in_progress", "new"], ticked
    done = client.post(
        action.group(1).replace("&amp;", "&"),
        data={"csrf_token": token, "ids": [str(ids["omsorg"])], "status": "in_progress"},
    )
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/kommuner/101/handlinger?{query}")


def test_a_refused_form_is_a_danish_422_and_nothing_is_stored(world: dict[str, Any], session: Session) -> None:
    client = world["client"]
    client.get("/kommuner/101/handlinger")
    action_id = _ids(session)["omsorg"]
    url = f"/kommuner/101/handlinger/{action_id}"
    before = session.scalar(select(func.count(ActionChange.id)))
    for data, words in [
        ({"status": "blocked", "status_reason": ""}, "Skriv en begrundelse"),
        ({"status": "new", "due": "2101-01-01"}, "mellem år 1900 og 2100"),
        ({"status": "new", "due": "31-12-2026"}, "gyldig dato"),
        ({"status": "new", "owner": str(world["coordinator"].id)}, "Den ansvarlige skal være en bruger i København"),
    ]:
        resp = client.post(url, data={"csrf_token": _csrf(client, url), **data})
        assert resp.status_code == 422, data
        html = resp.get_data(as_text=True)
        assert words in html and 'class="form-error-message"' in html, data
        assert "Der er" in html  # the error summary at the top
    session.expire_all()
    action = session.get(Action, action_id)
    assert action is not None and action.status == "new" and action.owner_user_id is None
    assert session.scalar(select(func.count(ActionChange.id))) == before


def test_the_form_saves_and_the_history_says_who_changed_what(world: dict[str, Any], session: Session) -> None:
    client = world["client"]
    client.get("/kommuner/101/handlinger")
    action_id = _ids(session)["omsorg"]
    url = f"/kommuner/101/handlinger/{action_id}"
    resp = client.post(
        url,
        data={
            "csrf_token": _csrf(client, url),
            "status": "done",
            "owner": "none",
            "owner_team": "IT-drift",
            "due": "2027-02-01",
            "note": "Anmeldt hos Digitaliseringsstyrelsen",
        },
    )
    assert resp.status_code == 303
    html = client.get(url).get_data(as_text=True)
    assert "Team: IT-drift" in html and "Færdig" in html and "1. februar 2027" in html
    assert "Ida IT &lt;it@kk.dk&gt;" in html and "Status: Ikke startet → Færdig" in html


def test_readiness_rows_show_the_actions_status_and_owner(world: dict[str, Any], session: Session) -> None:
    client = world["client"]
    client.get("/kommuner/101/handlinger")
    action_id = _ids(session)["omsorg"]
    url = f"/kommuner/101/handlinger/{action_id}"
    client.post(url, data={"csrf_token": _csrf(client, url), "status": "in_progress", "owner": str(world["kk2"].id)})
    html = client.get("/kommuner/101").get_data(as_text=True)
    row = re.search(r'<tr class="readiness-row" data-solution="omsorg".*?</tr>', html, re.S)
    assert row and "I gang" in row.group(0) and "Sikkerhedschef" in row.group(0)
    # and the timeline (each staff group's 24 months, its table alternative) says it beside the solution
    chart = re.search(r'<table class="table table--responsive-headers lockout-table">.*?</table>', html, re.S)
    assert chart is not None
    lane = re.search(
        r"<tr><th scope=\"row\">OMSORG</th>.*?</tr>|<tr><th scope=\"row\">Omsorg</th>.*?</tr>", chart.group(0), re.S
    )
    assert lane is not None and "I gang · Sikkerhedschef" in lane.group(0)


def test_the_private_calendar_has_one_event_per_action_with_a_stable_uid(
    app: Flask, world: dict[str, Any], session: Session
) -> None:
    client = world["client"]
    client.get("/kommuner/101/handlinger")
    _, own_token = create_feed_token(session, world["kk"], municipality(session, "101"))
    _, kl_token = create_feed_token(session, world["coordinator"], municipality(session, "101"))
    session.commit()
    anonymous = fresh_client(app)
    first = anonymous.get(f"/kommuner/101/handlinger.ics?token={own_token}")
    assert first.status_code == 200 and first.mimetype == "text/calendar"
    events = list(Calendar.from_ical(first.data).walk("VEVENT"))
    uids = sorted(str(e["UID"]) for e in events)
    assert len(uids) == 2 and all(u.startswith("action-") for u in uids)
    action_id = _ids(session)["omsorg"]
    url = f"/kommuner/101/handlinger/{action_id}"
    client.post(url, data={"csrf_token": _csrf(client, url), "status": "in_progress", "due": "2027-02-01"})
    again = Calendar.from_ical(anonymous.get(f"/kommuner/101/handlinger.ics?token={own_token}").data)
    moved = next(e for e in again.walk("VEVENT") if str(e["UID"]).startswith(f"action-{action_id}@"))
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == uids
    assert moved["DTSTART"].dt == date(2027, 2, 1) and int(moved["SEQUENCE"]) > 1
    assert anonymous.get(f"/kommuner/101/handlinger.ics?token={kl_token}").status_code in {302, 401, 403}
    assert anonymous.get("/kommuner/101/handlinger.ics?token=tuf_bogus").status_code in {302, 401, 403}


def test_the_management_report_has_the_actions_table_and_progress(world: dict[str, Any], session: Session) -> None:
    client = world["client"]
    client.get("/kommuner/101/handlinger")
    action_id = _ids(session)["omsorg"]
    url = f"/kommuner/101/handlinger/{action_id}"
    client.post(url, data={"csrf_token": _csrf(client, url), "status": "done", "owner": str(world["kk2"].id)})
    html = client.get("/kommuner/101/rapport").get_data(as_text=True)
    table = re.search(r'<table class="table table--responsive-headers actions-report">.*?</table>', html, re.S)
    assert table is not None
    headers = re.findall(r'<th scope="col">([^<]+)</th>', table.group(0))
    assert headers == ["Handling", "Ansvarlig", "Status", "Frist"]
    assert "Sikkerhedschef" in table.group(0) and "Færdig" in table.group(0)
    progress = re.search(r'<ul class="totals progress".*?</ul>', html, re.S)
    assert progress is not None
    assert re.findall(r"<strong>(\d+)</strong>", progress.group(0)) == ["1", "1", "1", "2"]  # done, open, overdue, all


def test_the_transitions_to_act_on_show_the_actions_status_and_owner(world: dict[str, Any], session: Session) -> None:
    from tests.support.municipalities import seeded
    from tracker.registry.actors import SYSTEM
    from tracker.registry.transition_writes import create_transition

    create_transition(
        session,
        seeded(session, "omsorg"),
        {
            "kind": "protocol",
            "title": "Omsorg skifter til OIOSAML 4",
            "who_must_act": ["local_idp_operators"],
            "earliest_on": date(2027, 9, 1),
            "latest_on": date(2027, 9, 1),
            "precision": "day",
            "state": "planned",
            "act_by_on": date(2027, 6, 1),
        },
        actor=SYSTEM,
    )
    session.commit()
    client = world["client"]
    client.get("/kommuner/101/handlinger")
    session.expire_all()
    action = session.scalars(select(Action).where(Action.subject_kind == "transition")).one()
    url = f"/kommuner/101/handlinger/{action.id}"
    html = client.get(url).get_data(as_text=True)
    assert "Omsorg skifter til OIOSAML 4" in html and "1. juni 2027" in html
    client.post(url, data={"csrf_token": _csrf(client, url), "status": "in_progress", "owner_team": "IdP-drift"})
    page = client.get("/kommuner/101").get_data(as_text=True)
    row = re.search(r'<tr data-transition="\d+"><th scope="row">Omsorg skifter til OIOSAML 4</th>.*?</tr>', page, re.S)
    assert row is not None and "I gang" in row.group(0) and "Team: IdP-drift" in row.group(0)


def test_a_long_list_is_paged_with_its_filters_kept(world: dict[str, Any], session: Session) -> None:
    """101 more rows that ask to act: 100 per page, overdue first across pages, each page's link keeps every
    ticked status; the progress counts all of them on every page."""
    kk_idp = session.scalars(select(Action)).first()
    assert kk_idp is not None and kk_idp.idp is not None
    for n in range(101):
        solution(session, f"ekstra-{n:03d}", loa="hoej", earliest=date(2027, 3, 1), name=f"Ekstra {n:03d}")
        use(session, "101", f"ekstra-{n:03d}", via=kk_idp.idp)
    session.commit()
    client = world["client"]
    first = client.get("/kommuner/101/handlinger?status=new&status=in_progress").get_data(as_text=True)
    rows = re.findall(r'class="action-row( overdue)?" data-action-id="(\d+)"', first)
    assert len(rows) == 100 and rows[0][0] == " overdue"  # 'gammel' (overdue) leads the first page
    assert 'Handlinger <span class="muted">(103)</span>' in first and "Viser 1–100 af 103." in first
    links = re.findall(r'<a href="([^"]*side=2[^"]*)">2</a>', first)
    assert len(links) == 1 and "status=new&amp;status=in_progress" in links[0]
    second = client.get(links[0].replace("&amp;", "&")).get_data(as_text=True)
    more = re.findall(r'class="action-row( overdue)?" data-action-id="(\d+)"', second)
    assert len(more) == 3 and not {i for _, i in rows} & {i for _, i in more}
    assert '<strong aria-current="page">2</strong>' in second and "<strong>103</strong>" in second
    assert client.get("/kommuner/101/handlinger?side=9").get_data(as_text=True).count('class="action-row') == 3
    done = client.get("/kommuner/101/handlinger?status=done&side=2").get_data(as_text=True)
    assert done.count('class="action-row') == 0 and 'class="pager"' not in done


def test_the_cached_list_follows_reads_and_changes(world: dict[str, Any], session: Session) -> None:
    """The list is served from the response cache, yet reading an action takes its 'Ulæst' away at once, and a
    change by a colleague shows on the next look."""
    client = world["client"]
    first = client.get("/kommuner/101/handlinger").get_data(as_text=True)
    assert first.count("Ulæst</span>") == 2
    ids = _ids(session)
    assert client.get(f"/kommuner/101/handlinger/{ids['omsorg']}").status_code == 200  # marks it read
    assert client.get("/kommuner/101/handlinger").get_data(as_text=True).count("Ulæst</span>") == 1
    colleague = fresh_client(client.application)
    log_in(colleague, world["kk2"])
    session.commit()
    token = _csrf(colleague, "/kommuner/101/handlinger")
    resp = colleague.post(
        "/kommuner/101/handlinger", data={"csrf_token": token, "ids": [str(ids["gammel"])], "status": "in_progress"}
    )
    assert resp.status_code == 303
    html = client.get("/kommuner/101/handlinger").get_data(as_text=True)
    row = re.search(rf'data-action-id="{ids["gammel"]}" data-status="(\w+)"', html)
    assert row is not None and row.group(1) == "in_progress"
