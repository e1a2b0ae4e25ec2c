"""Transitions on the pages: the solution page's timeline (ahead first, the next at the top, the past muted), the
overview's next transition per solution, and "Kommende skift" by act-by day with a kind filter — Danish and English."""

from __future__ import annotations

from datetime import date, timedelta

from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.support.broadcast import solution_by_slug
from tracker.clock import today_in_denmark
from tracker.models import Transition
from tracker.registry.actors import SYSTEM
from tracker.registry.transition_writes import create_transition


def _page(client: FlaskClient, url: str) -> BeautifulSoup:
    resp = client.get(url)
    assert resp.status_code == 200, resp.data[:500]
    return BeautifulSoup(resp.data, "html.parser")


def _add(session: Session, slug: str, title: str, earliest: date | None, **extra: object) -> Transition:
    fields = {"kind": "protocol", "title": title, "earliest_on": earliest, **extra}
    if earliest is not None:
        fields.setdefault("precision", "day")
    return create_transition(session, solution_by_slug(session, slug), fields, actor=SYSTEM)


def test_the_solution_page_shows_the_next_transition_first_and_the_past_muted(
    client: FlaskClient, session: Session
) -> None:
    today = today_in_denmark()
    later = _add(session, "aula", "Senere overgang", today + timedelta(days=400))
    sooner = _add(session, "aula", "Næste overgang", today + timedelta(days=30), major=True)
    past = _add(session, "aula", "Gammel overgang", today - timedelta(days=30), state="switched")
    session.commit()
    page = _page(client, "/loesninger/aula")
    items = page.select("ol.transitions > li")
    ids = [int(str(li["data-transition"])) for li in items]
    assert ids.index(sooner.id) < ids.index(later.id) < ids.index(past.id)
    assert items[0]["data-transition"] == str(sooner.id)
    assert "Næste:" in items[0].get_text() and "Stor ændring" in items[0].get_text()
    muted = page.select_one(f"#overgang-{past.id}")
    assert muted is not None and "transition-past" in muted["class"]
    assert "Handl senest" in items[0].get_text()
    english = _page(client, "/loesninger/aula?lang=en")
    assert english.select_one("#transitions-h").get_text() == "Transitions"
    assert "Act by" in english.select_one(f"#overgang-{sooner.id}").get_text()


def test_the_seeded_nemlog_in_page_lists_oiosaml_4_with_its_source(client: FlaskClient) -> None:
    page = _page(client, "/loesninger/nemlog-in")
    section = page.select_one("section[aria-labelledby=transitions-h]")
    assert section is not None
    text = section.get_text(" ")
    assert "OIOSAML 4.0.0 på NemLog-in" in text
    assert "https://digst.dk/it-loesninger/standarder/oiosaml-profiler/" in text


def test_the_overview_shows_each_solutions_next_transition(client: FlaskClient, session: Session) -> None:
    today = today_in_denmark()
    t = _add(session, "aula", "Aulas næste", today + timedelta(days=10))
    session.commit()
    page = _page(client, "/?q=aula")
    link = page.select_one(f'a[href$="#overgang-{t.id}"]')
    assert link is not None and link.get_text() == "Aulas næste"


def test_upcoming_orders_by_act_by_and_filters_by_kind(client: FlaskClient, session: Session) -> None:
    today = today_in_denmark()
    far = _add(session, "aula", "Lang frist", today + timedelta(days=300), act_by_on=today + timedelta(days=200))
    near = _add(session, "aula", "Kort frist", today + timedelta(days=400), act_by_on=today + timedelta(days=5))
    wallet = _add(session, "aula", "Tegnebog", today + timedelta(days=100), kind="wallet")
    session.commit()
    page = _page(client, "/kommende-skift")
    rows = [int(str(r["data-transition"])) for r in page.select("table.transitions-upcoming tr[data-transition]")]
    assert rows.index(near.id) < rows.index(far.id), "by act-by day, not by date"
    only = _page(client, "/kommende-skift?kind=wallet")
    kinds = [int(str(r["data-transition"])) for r in only.select("table.transitions-upcoming tr[data-transition]")]
    assert wallet.id in kinds and near.id not in kinds
    selected = only.select_one("#f-transition-kind option[selected]")
    assert selected is not None and selected["value"] == "wallet"
