"""POST /api/v1/municipalities/{code}/idp-changes/import: a municipality's planned IdP and staff-group changes from
a CSV or XLSX file with the export's columns — export → import is an identity, every row is checked as a single
change is, one problem refuses the whole file (a Danish 422 naming each row, English with Accept-Language: en)
and nothing is stored; a good file is one readiness event, not one per row."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import bearer
from tests.support.municipalities import (
    fresh_client,
    idp,
    last_event_id,
    log_in,
    municipality,
    solution,
    stored_readiness_events,
    use,
    user_with_token,
)
from tracker.clock import today_in_denmark
from tracker.models import AuditEntry, ChangeEvent, IdpChange, User
from tracker.municipalities import exports, plan_imports, plans
from tracker.registry.actors import SYSTEM

TODAY = today_in_denmark()  # every day below is relative to today in Denmark, as readiness reads it
SBSYS_DAY = TODAY + timedelta(days=30)
AULA_DAY = TODAY + timedelta(days=60)
URL = "/api/v1/municipalities/101/idp-changes/import"
CHANGES = "/api/v1/municipalities/101/idp-changes"
HEADER = "Fra dato;IdP;Brugergruppe;Ændring;Nyt niveau;Ny IdP;Hvortil;Bemærkning"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return fresh_client(app)


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    """København's three staff groups (administration at Betydelig, schools and home care at Lav), two fixture
    solutions ahead of them (not real-world claims), users of København, Aarhus, a vendor and a coordinator."""
    admin = idp(session, "101", "Administration", "betydelig", group="administration")
    schools = idp(session, "101", "Skoler", "lav", primary=False, group="skoler")
    home = idp(session, "101", "Hjemmepleje", "lav", primary=False, group="hjemmepleje")
    idp(session, "751", "Aarhus-IdP", "betydelig")
    solution(session, "x-aula", loa="betydelig", earliest=AULA_DAY, name="Aula-test")
    solution(session, "x-sbsys", loa="hoej", earliest=SBSYS_DAY, name="SBSYS-test")
    use(session, "101", "x-aula", groups=[admin, schools])
    use(session, "101", "x-sbsys", groups=[admin, home])
    _, kk = user_with_token(session, "it@kk.dk", "municipality", "101")
    aarhus_user, aarhus = user_with_token(session, "it@aarhus.dk", "municipality", "751")
    _, vendor = user_with_token(session, "x@kmd.dk", "vendor", organisation="kmd")
    _, coordinator = user_with_token(session, "k@kl.dk", "coordinator")
    session.commit()
    return {
        "admin": admin,
        "schools": schools,
        "home": home,
        "kk": bearer(kk),
        "aarhus": bearer(aarhus),
        "aarhus_user": aarhus_user,
        "vendor": bearer(vendor),
        "coordinator": bearer(coordinator),
    }


def _upload(client: FlaskClient, headers: dict[str, str], data: bytes, name: str = "plan.csv", query: str = "") -> Any:
    return client.post(
        URL + query, data={"file": (io.BytesIO(data), name)}, headers=headers, content_type="multipart/form-data"
    )


def _csv(*rows: str, header: str = HEADER, bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join((header, *rows)) + "\r\n").encode("utf-8")


def _stored(session: Session) -> tuple[Any, ...]:
    """Every planned change of København as facts, and the counts of events and audit rows."""
    session.expire_all()
    changes = session.execute(
        select(
            IdpChange.id,
            IdpChange.idp_id,
            IdpChange.kind,
            IdpChange.effective_on,
            IdpChange.notified_loa,
            IdpChange.target_idp_id,
            IdpChange.destination,
            IdpChange.note,
        )
        .where(IdpChange.municipality_id == municipality(session, "101").id)
        .order_by(IdpChange.id)
    ).all()
    events = session.scalar(select(func.count()).select_from(ChangeEvent))
    audits = session.scalar(select(func.count()).select_from(AuditEntry))
    return tuple(changes), events, audits


def _plan(session: Session, world: dict[str, Any]) -> None:
    """A plan using every kind and column, with a note a spreadsheet would run as a formula."""
    kk = municipality(session, "101")
    for values in (
        {"idp_id": world["schools"].id, "kind": "loa", "effective_on": "2027-03-01", "notified_loa": "betydelig"},
        {"idp_id": world["admin"].id, "kind": "loa", "effective_on": "2027-05-01", "notified_loa": "hoej"},
        {
            "idp_id": world["home"].id,
            "kind": "leave",
            "effective_on": "2027-01-01",
            "destination": "Region Østdanmark",
            "note": "=sundhedsopgaver; flytter med personalet",
        },
        {
            "idp_id": world["schools"].id,
            "kind": "move",
            "effective_on": "2028-08-01",
            "target_idp_id": world["admin"].id,
        },
        {"idp_id": world["schools"].id, "kind": "retire", "effective_on": "2028-08-01", "note": "-- skole-IdP lukker"},
    ):
        plans.create_change(session, kk, values, actor=SYSTEM)
    session.commit()


def test_export_then_import_is_an_identity_in_csv_comma_csv_and_xlsx(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    _plan(session, world)
    exported = client.get(f"{CHANGES}.csv", headers=world["kk"])
    assert exported.status_code == 200 and exported.data.startswith("\ufeff".encode())
    assert "'=sundhedsopgaver" in exported.get_data(as_text=True)  # the export's guard against formulas
    before = _stored(session)

    table = exports.idp_changes_table(plans.list_changes(session, municipality(session, "101")))
    files = {
        "semicolon, BOM": ("plan.csv", exported.data),
        "semicolon, no BOM": ("plan.csv", exported.data.removeprefix("\ufeff".encode())),
        "xlsx": ("plan.xlsx", exports.to_xlsx(table, title="Planlagte ændringer")),
    }
    for label, (name, data) in files.items():
        preview = _upload(client, world["kk"], data, name, "?dry_run=true")
        assert preview.status_code == 200, (label, preview.get_json())
        body = preview.get_json()
        assert (body["valid"], body["applied"], body["rows"], body["unchanged"]) == (True, False, 5, 5), label
        assert (body["added"], body["changed"], body["removed"], body["errors"]) == ([], [], [], []), label
        done = _upload(client, world["kk"], data, name)
        assert done.status_code == 200 and done.get_json()["unchanged"] == 5, label
        assert _stored(session) == before, label  # same ids, same facts, no event, no audit row


def test_a_comma_separated_file_with_a_quoted_semicolon_reads_the_same(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    header = HEADER.replace(";", ",")
    data = _csv(
        '2027-01-01,Hjemmepleje,hjemmepleje,Gruppen forlader kommunen,,,Region Østdanmark,"tasks; staff move"',
        header=header,
        bom=False,
    )
    resp = _upload(client, world["kk"], data)
    assert resp.status_code == 200, resp.get_json()
    [added] = resp.get_json()["added"]
    assert (added["kind"], added["destination"], added["note"], added["line"]) == (
        "leave",
        "Region Østdanmark",
        "tasks; staff move",
        2,
    )


def test_the_file_is_the_plan_added_changed_removed_and_one_readiness_event(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    kk = municipality(session, "101")
    kept = plans.create_change(
        session,
        kk,
        {"idp_id": world["schools"].id, "kind": "loa", "effective_on": "2030-01-01", "notified_loa": "lav"},
        actor=SYSTEM,
    )
    gone = plans.create_change(
        session, kk, {"idp_id": world["home"].id, "kind": "retire", "effective_on": "2031-01-01"}, actor=SYSTEM
    )
    session.commit()
    raise_schools = (AULA_DAY + timedelta(days=30)).isoformat()
    raise_home = (SBSYS_DAY + timedelta(days=30)).isoformat()
    data = _csv(
        "2030-01-01;Skoler;skoler;Nyt anmeldt niveau;Betydelig;;;nu Betydelig",  # changes the stored one
        f"{raise_schools};Skoler;;Nyt anmeldt niveau;Betydelig;;;",  # new: closes the schools' period
        f"{raise_home};;hjemmepleje;loa;hoej;;;",  # new, by staff group and codes: closes home care's
    )
    before = _stored(session)
    preview = _upload(client, world["kk"], data, query="?dry_run=true")
    assert preview.status_code == 200
    body = preview.get_json()
    assert [(r["line"], r["effective_on"]) for r in body["added"]] == [(3, raise_schools), (4, raise_home)]
    [changed] = body["changed"]
    assert (changed["id"], changed["notified_loa"], changed["before"]["notified_loa"]) == (kept.id, "betydelig", "lav")
    assert [r["id"] for r in body["removed"]] == [gone.id]
    assert _stored(session) == before  # a preview stores nothing

    after_id = last_event_id(session)
    done = _upload(client, world["kk"], data)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["applied"] is True
    stored = {
        (c.idp.name, c.kind, c.effective_on.isoformat(), c.notified_loa, c.note)
        for c in plans.list_changes(session, municipality(session, "101"))
    }
    assert stored == {
        ("Skoler", "loa", "2030-01-01", "betydelig", "nu Betydelig"),
        ("Skoler", "loa", raise_schools, "betydelig", None),
        ("Hjemmepleje", "loa", raise_home, "hoej", None),
    }
    [event] = stored_readiness_events(session, after_id)  # one readiness change for the whole file
    assert event.municipality_id == municipality(session, "101").id
    assert event.data["count"] == 2
    assert {(r["solution"]["slug"], r["idp"]["name"]) for r in event.data["rows"]} == {
        ("x-aula", "Skoler"),
        ("x-sbsys", "Hjemmepleje"),
    }
    assert event.reason and "1 tilføjet" not in event.reason and "2 tilføjet, 1 ændret, 1 fjernet" in event.reason
    audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "idp_change.imported"))
    assert audit is not None and len(audit.details["added"]) == 2 and len(audit.details["removed"]) == 1
    readiness = client.get("/api/v1/municipalities/101/readiness", headers=world["kk"]).get_json()
    schools = next(r for r in readiness["items"] if r["staff_group"] == "skoler")
    assert schools["next_lockout"]["until"] == raise_schools  # the cached readiness saw the import


BAD_ROWS: list[tuple[str, str, str, str]] = [
    # (what, the row, the column named, words of the Danish sentence)
    ("unknown IdP", "2027-03-01;Ukendt-IdP;;Nyt anmeldt niveau;Høj;;;", "IdP", "ingen IdP ved navn 'Ukendt-IdP'"),
    ("unknown staff group", "2027-03-01;;ukendt-gruppe;loa;hoej;;;", "Brugergruppe", "brugergruppen 'ukendt-gruppe'"),
    ("group not the IdP's", "2027-03-01;Skoler;administration;loa;hoej;;;", "Brugergruppe", "betjener brugergruppen"),
    ("no IdP", "2027-03-01;;;loa;hoej;;;", "IdP", "Angiv IdP'en"),
    ("unknown kind", "2027-03-01;Skoler;;Opgradering;Høj;;;", "Ændring", "Ukendt ændring 'Opgradering'"),
    ("no kind", "2027-03-01;Skoler;;;Høj;;;", "Ændring", "Angiv ændringen"),
    ("not an NSIS level", "2027-03-01;Skoler;;loa;Middel;;;", "Nyt niveau", "ikke et NSIS-sikringsniveau"),
    ("level unknown is no level", "2027-03-01;Skoler;;loa;Ukendt;;;", "Nyt niveau", "ikke et NSIS-sikringsniveau"),
    ("loa without a level", "2027-03-01;Skoler;;Nyt anmeldt niveau;;;;", "Nyt niveau", "Angiv niveauet"),
    ("a level on a retirement", "2027-03-01;Skoler;;retire;Høj;;;", "Nyt niveau", "Kun en ændring af typen 'loa'"),
    ("before 1900", "1899-12-31;Skoler;;loa;hoej;;;", "Fra dato", "mellem 1900-01-01 og 2100-12-31"),
    ("after 2100", "2101-01-01;Skoler;;loa;hoej;;;", "Fra dato", "mellem 1900-01-01 og 2100-12-31"),
    ("no such day", "2027-02-30;Skoler;;loa;hoej;;;", "Fra dato", "'2027-02-30' er ikke en dato"),
    ("words for a day", "i morgen;Skoler;;loa;hoej;;;", "Fra dato", "'i morgen' er ikke en dato"),
    ("a two-digit year", "01-03-27;Skoler;;loa;hoej;;;", "Fra dato", "er ikke en dato"),
    ("no day", ";Skoler;;loa;hoej;;;", "Fra dato", "Angiv dagen"),
    ("move to another municipality's IdP", "2027-03-01;Skoler;;move;;Aarhus-IdP;;", "Ny IdP", "'Aarhus-IdP'"),
    ("move to itself", "2027-03-01;Skoler;;move;;Skoler;;", "Ny IdP", "en anden af kommunens egne"),
    ("move without a target", "2027-03-01;Skoler;;move;;;;", "Ny IdP", "en anden af kommunens egne"),
    ("a destination without leaving", "2027-03-01;Skoler;;retire;;;Regionen;", "Hvortil", "typen 'leave'"),
    ("a control character", "2027-03-01;Skoler;;retire;;;;a\x01b", "Bemærkning", "styretegn"),
]


@pytest.mark.parametrize(("what", "row", "column", "words"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_every_bad_row_is_a_danish_422_naming_the_row_and_nothing_is_stored(
    client: FlaskClient, session: Session, world: dict[str, Any], what: str, row: str, column: str, words: str
) -> None:
    good = "2027-06-01;Administration;administration;loa;hoej;;;"
    before = _stored(session)
    resp = _upload(client, world["kk"], _csv(good, row))
    assert resp.status_code == 422, (what, resp.get_json())
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error" and "Filen er ikke importeret: 1 fejl" in error["message"]
    [problem] = error["details"]["rows"]
    assert (problem["line"], problem["column"]) == (3, column), what
    assert words in problem["message"], (what, problem["message"])
    assert _stored(session) == before
    preview = _upload(client, world["kk"], _csv(good, row), query="?dry_run=true").get_json()
    assert preview["valid"] is False and preview["errors"] == [problem] and len(preview["added"]) == 1


def test_duplicates_and_conflicting_rows_are_each_named(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    data = _csv(
        "2027-03-01;Skoler;;loa;betydelig;;;",
        "2027-03-01;Skoler;skoler;Nyt anmeldt niveau;Betydelig;;;",  # the same change again
        "2027-01-01;Administration;;retire;;;;",
        "2027-06-01;Administration;;loa;hoej;;;",  # after the IdP is closed
        "2028-01-01;Hjemmepleje;;leave;;;;",
        "2029-01-01;Hjemmepleje;;leave;;;;",  # a group leaves once
    )
    before = _stored(session)
    resp = _upload(client, world["kk"], data)
    assert resp.status_code == 422
    rows = [(r["line"], r["column"], r["message"]) for r in resp.get_json()["error"]["details"]["rows"]]
    assert rows[0] == (3, "Fra dato", "Samme IdP, ændring og dato som række 2.")
    assert [r[0] for r in rows] == [3, 4, 5, 6, 7]
    assert "ligger før en planlagt nyt anmeldt niveau" in rows[1][2]
    assert "planlagt nedlæggelse den 1. januar 2027, før denne dato" in rows[2][2]
    assert "allerede en planlagt gruppen forlader kommunen" in rows[3][2]
    assert _stored(session) == before


def test_row_problems_in_english_with_accept_language_en(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    data = _csv(
        "2101-01-01;Ukendt-IdP;;Opgradering;Middel;;;",
        "2027-01-01;Skoler;;retire;;;;",
        "2027-06-01;Skoler;;loa;hoej;;;",
    )
    resp = _upload(client, {**world["kk"], "Accept-Language": "en"}, data)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["message"].startswith("The file was not imported: 6 error(s)")
    messages = {(r["line"], r["column"]): r["message"] for r in error["details"]["rows"]}
    assert messages[(2, "IdP")] == "The municipality has no IdP named 'Ukendt-IdP'."
    assert messages[(2, "Ændring")].startswith("Unknown change 'Opgradering'. Write one of:")
    assert messages[(2, "Nyt niveau")] == "'Middel' is not an NSIS assurance level. Write Lav, Betydelig or Høj."
    assert messages[(2, "Fra dato")] == "The date must lie between 1900-01-01 and 2100-12-31."
    assert messages[(3, "Fra dato")].startswith("The date lies before a planned new notified level on")
    assert messages[(4, "Fra dato")].startswith("The IdP has a planned retirement on")


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_real_date_cells_and_danish_days(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    data = _xlsx(
        [
            HEADER.split(";"),
            [date(2027, 3, 1), "Skoler", "skoler", "Nyt anmeldt niveau", "Betydelig", None, None, None],
            ["01-04-2027", "Administration", None, "loa", "Høj", None, None, None],  # Danish Excel's own form
            ["1.5.2027", "Hjemmepleje", None, "loa", "Betydelig", None, None, None],
        ]
    )
    resp = _upload(client, world["kk"], data, "plan.xlsx")
    assert resp.status_code == 200, resp.get_json()
    assert [r["effective_on"] for r in resp.get_json()["added"]] == ["2027-03-01", "2027-04-01", "2027-05-01"]


def _with_doctype(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + part
            target.writestr(info, part)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("tom.csv", b"", 422, "Filen er tom"),
        ("kun-overskrift.csv", HEADER.encode(), 422, "kun overskrifterne"),
        ("uden-dato.csv", b"IdP;\xc3\x86ndring\nSkoler;retire\n", 422, "mangler kolonnen 'Fra dato'"),
        ("uden-idp.csv", "Fra dato;Ændring\n2027-01-01;retire\n".encode(), 422, "mangler kolonnen 'IdP'"),
        ("rapport.pdf", b"%PDF-1.7", 415, "'.pdf'"),
        ("ødelagt.xlsx", b"PK\x03\x04garbage", 422, "XLSX-filen kunne ikke læses"),
        ("for-mange.csv", _csv(*["2027-01-01;Skoler;;retire;;;;"] * 501), 413, "mere end 500 planlagte ændringer"),
        ("stor.csv", _csv("2027-01-01;Skoler;;retire;;;;" + "x" * 1_100_000), 413, "for stor"),
    ],
)
def test_bad_files_get_a_danish_4xx_and_store_nothing(
    client: FlaskClient, session: Session, world: dict[str, Any], name: str, data: bytes, status: int, words: str
) -> None:
    before = _stored(session)
    resp = _upload(client, world["kk"], data, name)
    assert resp.status_code == status, resp.get_json()
    assert words in resp.get_json()["error"]["message"]
    assert _stored(session) == before


def test_an_xlsx_with_a_doctype_is_refused_before_openpyxl_reads_it(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    data = _with_doctype(_xlsx([HEADER.split(";"), ["2027-03-01", "Skoler", None, "retire"]]))
    before = _stored(session)
    resp = _upload(client, world["kk"], data, "plan.xlsx")
    assert resp.status_code == 422 and "DOCTYPE" in resp.get_json()["error"]["message"]
    assert _stored(session) == before


def test_the_row_limit_counts_rows_not_the_header(client: FlaskClient, world: dict[str, Any]) -> None:
    start = date(2030, 1, 1)
    rows = [f"{(start + timedelta(days=i)).isoformat()};Skoler;;loa;betydelig;;;" for i in range(plan_imports.MAX_ROWS)]
    resp = _upload(client, world["kk"], _csv(*rows), query="?dry_run=true")
    assert resp.status_code == 200 and len(resp.get_json()["added"]) == plan_imports.MAX_ROWS


@pytest.mark.parametrize("who", ["anonymous", "aarhus", "vendor", "kk_cookie"])
def test_others_are_refused_and_nothing_is_stored(
    client: FlaskClient, session: Session, world: dict[str, Any], who: str
) -> None:
    headers: dict[str, str] = {}
    if who == "kk_cookie":  # the login cookie is no token: API writes need one (CSRF does not guard the API)
        user = session.scalar(select(User).where(User.email == "it@kk.dk"))
        assert user is not None
        log_in(client, user)
    elif who != "anonymous":
        headers = world[who]
    before = _stored(session)
    data = _csv("2027-03-01;Skoler;;retire;;;;")
    for query in ("", "?dry_run=true"):
        resp = _upload(client, headers, data, query=query)
        assert resp.status_code in {401, 403}, (who, resp.status_code)
        assert resp.get_json()["error"]["code"] in {"unauthorized", "forbidden"}
        assert b"Skoler" not in resp.data
    assert _stored(session)[:2] == before[:2]  # no planned change, no event (a refusal may be audited)


def test_a_coordinator_may_import_as_the_policy_allows(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    resp = _upload(client, world["coordinator"], _csv("2027-03-01;Skoler;;retire;;;;"))
    assert resp.status_code == 200 and resp.get_json()["applied"] is True
    assert [c.kind for c in plans.list_changes(session, municipality(session, "101"))] == ["retire"]


def test_the_operation_is_documented(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/municipalities/{code}/idp-changes/import"]["post"]
    assert operation["operationId"]
    assert {"200", "401", "403", "413", "415", "422"} <= set(operation["responses"])
    assert any(p["name"] == "dry_run" for p in operation["parameters"])


def test_a_single_change_words_its_problems_in_english_too(client: FlaskClient, world: dict[str, Any]) -> None:
    body = {"idp_id": world["schools"].id, "kind": "loa", "effective_on": "2101-01-01", "notified_loa": "hoej"}
    danish = client.post(CHANGES, json=body, headers=world["kk"]).get_json()["error"]["details"]
    english = client.post(CHANGES, json=body, headers={**world["kk"], "Accept-Language": "en"}).get_json()
    assert danish == {"effective_on": "Datoen skal ligge mellem 1900-01-01 og 2100-12-31."}
    assert english["error"]["details"] == {"effective_on": "The date must lie between 1900-01-01 and 2100-12-31."}


def test_a_retirement_before_a_group_moves_in_is_refused_whichever_is_planned_first(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    move = {"idp_id": world["schools"].id, "kind": "move", "effective_on": "2028-08-01"}
    retire = {"idp_id": world["admin"].id, "kind": "retire", "effective_on": "2028-01-01"}
    assert (
        client.post(CHANGES, json={**move, "target_idp_id": world["admin"].id}, headers=world["kk"]).status_code == 201
    )
    before = _stored(session)
    refused = client.post(CHANGES, json=retire, headers=world["kk"])  # was accepted when planned after the move
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["effective_on"] == (
        "Gruppen fra IdP'en 'Skoler' flytter hertil den 1. august 2028; IdP'en må ikke være nedlagt eller have "
        "forladt kommunen inden da."
    )
    assert _stored(session)[:2] == before[:2]
    # In a file the two rows are checked against each other: both are named.
    data = _csv("2028-08-01;Skoler;;move;;Administration;;", "2028-01-01;Administration;;retire;;;;")
    rows = _upload(client, world["kk"], data).get_json()["error"]["details"]["rows"]
    assert [(r["line"], r["column"]) for r in rows] == [(2, "Ny IdP"), (3, "Fra dato")]
    assert "flytter hertil den 1. august 2028" in rows[1]["message"]
    assert _stored(session)[:2] == before[:2]
