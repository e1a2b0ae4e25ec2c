"""Issue 16 without a browser: public-sector pages, the error summary, filters and sorting, roles' landing and
lists, the timeline, the management report, the confirmation step and the wording."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import csrf_token
from tests.support.municipalities import fresh_client, idp, log_in, solution, use, user_with_token
from tracker.auth.users import create_user
from tracker.municipalities.readiness import today_in_denmark


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return fresh_client(app)


@pytest.mark.parametrize(
    ("path", "da", "en"),
    [
        ("/tilgaengelighed", "Tilgængelighedserklæring", "Accessibility statement"),
        ("/privatliv", "Privatliv", "Privacy"),
    ],
)
def test_public_sector_pages_answer_in_danish_and_english(client: FlaskClient, path: str, da: str, en: str) -> None:
    danish = client.get(path + "?lang=da")
    # A long compound may carry a soft hyphen where it may break on a phone.
    assert danish.status_code == 200 and f"<h1>{da}</h1>" in danish.get_data(as_text=True).replace("&shy;", "")
    english = client.get(path + "?lang=en")
    assert english.status_code == 200 and f"<h1>{en}</h1>" in english.get_data(as_text=True)


def test_statement_names_status_gaps_contact_and_complaint_route(client: FlaskClient) -> None:
    html = client.get("/tilgaengelighed").get_data(as_text=True)
    assert "WCAG 2.1" in html and "Kendte mangler" in html and "Digitaliseringsstyrelsen" in html
    assert "mailto:tu-tracker@kl.dk" in html


def test_footer_names_owner_contact_and_both_pages(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    footer = html[html.index("<footer>") :]
    assert "Drives af KL (Kommunernes Landsforening)." in footer
    assert 'href="/tilgaengelighed"' in footer and 'href="/privatliv"' in footer and "mailto:" in footer


def test_a_bad_filter_keeps_the_form_and_explains_in_danish(client: FlaskClient) -> None:
    resp = client.get("/?switch_after=31-12-2025&q=aula")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert html.count("<title>Fejl: ") == 1
    assert 'value="31-12-2025"' in html and 'value="aula"' in html  # the form keeps what was typed
    assert "Skifter efter: Skriv en dato som ÅÅÅÅ-MM-DD" in html
    assert 'href="#f-switch_after"' in html and 'id="f-switch_after"' in html and 'aria-invalid="true"' in html
    assert "Not a valid date" not in html and "switch_after:" not in html
    assert "Aula" in html  # the filters that were understood still apply
    english = client.get("/?switch_after=31-12-2025&lang=en").get_data(as_text=True)
    assert "<title>Error: " in english and "Switches after: Enter a date as YYYY-MM-DD" in english


def test_overview_sorts_by_column_with_aria_sort(client: FlaskClient) -> None:
    default = client.get("/").get_data(as_text=True)
    assert 'aria-sort="ascending"><a href="/?sort=switch&amp;retning=desc"' in default
    by_name = client.get("/?sort=name&retning=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in by_name and by_name.count("aria-sort=") == 1
    names = re.findall(r'<th scope="row"><a href="/loesninger/[^"]+">([^<]+)</a>', by_name)
    assert len(names) > 3 and names == sorted(names, reverse=True)
    assert client.get("/?sort=nonsense").status_code == 200  # an unknown column falls back to the default


def test_plural_forms(client: FlaskClient) -> None:
    assert "<p>1 løsning</p>" in client.get("/?q=aula").get_data(as_text=True)
    assert re.search(r"<p>\d+ løsninger</p>", client.get("/").get_data(as_text=True))
    assert "<p>1 solution</p>" in client.get("/?q=aula&lang=en").get_data(as_text=True)


def test_menu_marks_the_current_page(client: FlaskClient) -> None:
    html = client.get("/kilder").get_data(as_text=True)
    # One menu, drawn twice (DKFDS: the desktop bar and the phone's drawer); only /kilder is current in each.
    assert '<li class="active current"><a href="/kilder" class="nav-link" aria-current="page">' in html
    assert html.count('aria-current="page"') == 2


def test_a_municipality_user_lands_on_their_municipality(client: FlaskClient, session: Session) -> None:
    user, password = create_user(session, email="land@aarhus.dk", role="municipality", municipality="751")
    user.must_change_password = False  # past the forced first change (tested on its own)
    session.commit()
    token = csrf_token(client, "/login")
    resp = client.post("/login", data={"csrf_token": token, "email": "land@aarhus.dk", "password": password})
    assert resp.status_code == 302 and resp.headers["Location"] == "/kommuner/751"


def test_kommuner_lists_only_what_a_user_may_open(client: FlaskClient, session: Session) -> None:
    user, _ = user_with_token(session, "list@aarhus.dk", "municipality", "751")
    session.commit()
    assert client.get("/kommuner").get_data(as_text=True).count('href="/kommuner/') >= 98  # anonymous: to log in
    log_in(client, user)
    html = client.get("/kommuner").get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    assert set(re.findall(r'href="/kommuner/(\d+)"', main)) == {"751"}


def test_a_source_that_never_ran_is_not_called_healthy(client: FlaskClient) -> None:
    html = client.get("/kilder").get_data(as_text=True)
    assert "Ikke kørt endnu" in html and ">Sund<" not in html


def test_upcoming_has_a_timeline_with_title_description_and_table(client: FlaskClient, session: Session) -> None:
    solution(session, "tidslinje-x", loa="betydelig", earliest=today_in_denmark() + timedelta(days=40))
    session.commit()
    html = client.get("/kommende-skift").get_data(as_text=True)
    figure = html.index('<figure class="timeline"')
    svg = html[html.index("<svg", figure) : html.index("</svg>", figure)]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg and "skift i alt" in svg
    assert svg.count('class="timeline-bar"') >= 1
    assert "Vis som tabel" in html and '<th scope="col">Antal skift</th>' in html


def test_management_report_for_own_municipality(client: FlaskClient, session: Session) -> None:
    user, _ = user_with_token(session, "rapport@kk.dk", "municipality", "101")
    other, _ = user_with_token(session, "rapport@aarhus.dk", "municipality", "751")
    idp(session, "101", "KK AD", "lav")
    solution(session, "rapport-x", loa="betydelig", earliest=today_in_denmark() + timedelta(days=30))
    use(session, "101", "rapport-x")
    session.commit()
    log_in(client, user)
    resp = client.get("/kommuner/101/rapport")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Rapport til ledelsen: Københavns Kommune" in html
    assert "Det skal der gøres" in html and "I fare" in html and "Kilder" in html
    assert 'href="/kommuner/101/rapport"' in client.get("/kommuner/101").get_data(as_text=True)
    log_in(client, other)
    assert client.get("/kommuner/101/rapport").status_code == 403


def test_municipality_form_errors_are_summarised_and_removal_asks_first(client: FlaskClient, session: Session) -> None:
    user, _ = user_with_token(session, "fejl@kk.dk", "municipality", "101")
    idp(session, "101", "KK AD", "lav")
    session.commit()
    log_in(client, user)
    page = client.get("/kommuner/101").get_data(as_text=True)
    assert '<details class="details confirm-remove">' in page and "Slet KK AD…" in page
    token = csrf_token(client, "/kommuner/101")
    resp = client.post("/kommuner/101/idps", data={"csrf_token": token, "new-name": "", "new-notified_loa": "lav"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "<title>Fejl: " in html
    start = html.index('<div class="alert alert-error"')
    summary = html[start : html.index("</ul>", start)]
    assert 'data-module="error-summary"' in summary
    assert "autofocus" in summary and 'tabindex="-1"' in summary and 'href="#new-name"' in summary


def test_confidence_reads_vished_and_levels_are_neutral(client: FlaskClient, session: Session) -> None:
    coordinator, _ = user_with_token(session, "vished@kl.dk", "coordinator")
    session.commit()
    log_in(client, coordinator)
    html = client.get("/loesninger/aula/rediger").get_data(as_text=True)
    assert "Vished" in html and ">Sikkerhed<" not in html
    # Levels are facts, not verdicts: DKFDS's neutral badge, never one of its status colours.
    levels = re.findall(r'<span class="(badge[^"]*loa-[a-z]+)"', client.get("/").get_data(as_text=True))
    assert levels and all("badge-" not in css for css in levels)
    assert "@media print" in client.get("/static/tracker.css").get_data(as_text=True)


def test_an_accepted_proposal_shows_before_and_after(client: FlaskClient, session: Session) -> None:
    from tracker.review.services import accept_proposal, create_proposal

    coordinator, _ = user_with_token(session, "foer-efter@kl.dk", "coordinator")
    target = solution(session, "foer-efter-x", loa="lav")
    proposal = create_proposal(
        session, proposer=coordinator, solution=target, changes={"loa_value": "betydelig"}, evidence="Driftsinfo"
    )
    accept_proposal(session, proposal, reviewer=coordinator)
    session.commit()
    log_in(client, coordinator)
    html = client.get(f"/forslag/{proposal.id}").get_data(as_text=True)
    table = html[
        html.index('<table class="table table--responsive-headers diff">') : html.index(
            "</table>", html.index('<table class="table table--responsive-headers diff">')
        )
    ]
    assert '<th scope="col">Før</th><th scope="col">Efter</th>' in table
    assert "<del>Lav</del>" in table and "<ins>Betydelig</ins>" in table and "uændret" not in table


def test_after_a_dry_run_import_needs_no_second_upload_and_suggestions_add_in_one_click(
    client: FlaskClient, session: Session
) -> None:
    import io

    from tracker.models import PortfolioEntry

    user, _ = user_with_token(session, "import@kk.dk", "municipality", "101")
    session.commit()
    log_in(client, user)
    token = csrf_token(client, "/kommuner/101")
    data = {
        "csrf_token": token,
        "dry_run": "y",
        "file": (io.BytesIO(b"Navn\nAula\nServiceplatformn\n"), "l.csv"),
    }
    preview = client.post("/kommuner/101/portefoelje/import", data=data, content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "intet er gemt" in html
    assert 'name="slug" value="aula"' in html and "Importér 1 løsning" in html
    assert 'name="solution" value="serviceplatformen"' in html and "Tilføj Serviceplatformen" in html

    def portfolio() -> set[int]:
        session.expire_all()
        return set(
            session.scalars(
                select(PortfolioEntry.solution_id).where(PortfolioEntry.municipality_id == user.municipality_id)
            )
        )

    assert portfolio() == set()
    done = client.post("/kommuner/101/portefoelje/import/bekraeft", data={"csrf_token": token, "slug": ["aula"]})
    assert done.status_code == 303 and len(portfolio()) == 1
    one_click = client.post(
        "/kommuner/101/portefoelje", data={"csrf_token": token, "solution": "serviceplatformen", "idp_id": ""}
    )
    assert one_click.status_code == 303 and len(portfolio()) == 2


ENGLISH_PAGES = [
    "/",
    "/loesninger/aula",
    "/kilder",
    "/kommuner",
    "/kommende-skift",
    "/landsoverblik",
    "/forslag",
    "/loesninger/ny",
    "/kommuner/101",
    "/kommuner/101/rapport",
    "/konto",
    "/abonnementer",
    "/admin/organisationer",
    "/tilgaengelighed",
    "/privatliv",
    "/loesninger/findes-ikke",
    "/?switch_after=x",
    "/admin/brugere",
]


def test_no_danish_interface_text_is_left_in_english_pages(client: FlaskClient, session: Session) -> None:
    """No Danish msgid of the catalogue (whose English differs) appears in an English page, nor an untranslated
    error message of the domain."""
    from babel.messages.pofile import read_po

    from tests.functional.test_registry_editing_i18n import CATALOG

    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    danish = {
        m.id
        for m in catalog
        if isinstance(m.id, str) and len(m.id) >= 12 and m.string and m.string != m.id and "%" not in m.id
    }
    admin, _ = user_with_token(session, "engelsk@kl.dk", "admin")
    session.commit()
    log_in(client, admin)
    left: list[str] = []
    for path in ENGLISH_PAGES:
        html = client.get(path + ("&" if "?" in path else "?") + "lang=en").get_data(as_text=True)
        text = re.sub(r"<[^>]+>", "\n", html.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&"))
        lines = {line.strip() for line in text.splitlines()}
        left += [f"{path}: {m}" for m in danish if m in lines]
        assert "Der findes ingen" not in html, path
    assert not left, left


def test_management_report_as_pdf(app: Flask, client: FlaskClient, session: Session) -> None:
    user, _ = user_with_token(session, "pdf@kk.dk", "municipality", "101")
    session.commit()
    log_in(client, user)
    resp = client.get("/kommuner/101/rapport.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF-") and len(resp.data) > 2000
    assert fresh_client(app).get("/kommuner/101/rapport.pdf").status_code == 302  # anonymous: to log in
