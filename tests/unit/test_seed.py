"""``tracker seed``: the 98 municipalities with official codes, sourced starter facts only, idempotent."""

from __future__ import annotations

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.models import ChangeEvent, Municipality, Organisation, Solution, User
from tracker.seed import load_municipalities, seed
from tracker.starter_data import KL_WEBINAR, SOLUTIONS


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Municipality, Organisation, Solution, User, ChangeEvent)
    )


def test_shipped_list_has_98_official_codes() -> None:
    rows = load_municipalities()
    assert len(rows) == 98
    codes = {r["code"] for r in rows}
    assert len(codes) == 98
    assert {"101", "147", "851", "860"} <= codes
    assert "411" not in codes  # Christiansø is not a municipality
    assert all(len(c) == 3 and c.isdigit() for c in codes)


def test_seed_twice_leaves_the_same_counts(session: Session) -> None:
    before = _counts(session)
    report = seed(session)
    assert _counts(session) == before
    assert report.solutions_created == 0 and report.municipalities_created == 0
    assert report.admin_password is None  # an admin exists: no new password is made


def test_seed_command_is_idempotent(runner: FlaskCliRunner, session: Session) -> None:
    before = _counts(session)
    result = runner.invoke(args=["tracker", "seed"])
    assert result.exit_code == 0, result.output
    assert "solutions: 0 created" in result.output
    assert _counts(session) == before


def test_starter_facts_have_sources_and_the_rest_is_unknown(session: Session) -> None:
    solutions = {s.slug: s for s in session.scalars(select(Solution))}
    assert {"fmk", "aula", "kmd-nexus", "virk-dk", "sundhed-dk", "serviceplatformen"} <= solutions.keys()
    fmk, aula = solutions["fmk"], solutions["aula"]
    assert (fmk.loa_value, fmk.loa_status) == ("betydelig", "expected")
    assert "Medicinkortet" in fmk.aliases
    assert (aula.loa_value, aula.loa_status) == ("ukendt", "awaiting_decision")


def test_the_day_one_registry_walks_clean(session: Session) -> None:
    """At least 25 real solutions; every fact that is not unknown has a source URL (or KL's named webinar) and words."""
    solutions = {s.slug: s for s in session.scalars(select(Solution))}
    starter = {d["slug"] for d in SOLUTIONS}
    assert len(starter) >= 25 and starter <= solutions.keys()
    brokers = {d["slug"] for d in SOLUTIONS if d["kind"] == "broker"}
    assert {"nemlog-in", "context-handler", "unilogin", "seb"} <= brokers
    for data in SOLUTIONS:
        assert set(data.get("brokers", [])) <= brokers, data["slug"]
    for slug in starter:
        s = solutions[slug]
        if s.loa_value != "ukendt":
            assert s.loa_evidence, f"{slug}: a level without evidence"
            assert s.loa_source_url or KL_WEBINAR in s.loa_evidence, f"{slug}: a level without a source"
        if s.switch_earliest_on is not None or s.switch_status != "unknown":
            assert s.switch_earliest_on and s.switch_latest_on and s.switch_text, slug
            assert s.switch_source_url and s.switch_source_url.startswith("https://"), f"{slug}: no source URL"
            assert s.switch_evidence, f"{slug}: a date without evidence"
            # Switches of 2022–2024 happened: recorded as switched, not planned.
            if s.switch_latest_on.year <= 2024:
                assert s.switch_state == "switched", slug
        else:
            assert s.switch_state == "unknown", slug
    # A third party quoting an authority is "reported", an authority's own page "confirmed".
    assert solutions["context-handler"].switch_status == "reported"
    assert solutions["unilogin"].switch_status == "reported"
    # SEB's OCES3 metadata switch (24 April 2023) is a certificate transition, not its NSIS switch date.
    assert solutions["seb"].switch_earliest_on is None and solutions["seb"].switch_status == "unknown"


def test_first_seed_creates_an_admin_with_a_one_time_password(fresh_db: str) -> None:
    from sqlalchemy.orm import sessionmaker

    from tracker.db import make_engine
    from tracker.migrate import upgrade

    engine = make_engine(fresh_db)
    upgrade(engine)
    with sessionmaker(bind=engine)() as s:
        report = seed(s, admin_email="first@example.dk")
        s.commit()
        admin = s.scalar(select(User).where(User.email == "first@example.dk"))
        assert admin is not None and admin.role == "admin"
        assert report.admin_password and len(report.admin_password) >= 16
        assert admin.password_hash and admin.password_hash.startswith("$argon2id$")
        assert report.admin_password not in admin.password_hash
        assert _counts(s)[0] == 98
    engine.dispose()


def test_the_2027_region_merger_is_shipped_with_date_and_source(session: Session) -> None:
    from datetime import date

    from tracker.seed import REGION_MERGER_SOURCE

    rows = load_municipalities()
    merging = [r for r in rows if r["region"] in ("Region Hovedstaden", "Region Sjælland")]
    assert len(merging) == 29 + 17
    assert {(r["next_region"], r["next_region_on"]) for r in merging} == {("Region Østdanmark", "2027-01-01")}
    assert all(not r["next_region"] for r in rows if r not in merging)
    kbh = session.scalars(select(Municipality).where(Municipality.code == "101")).one()
    # A coordinator sees both: the region today and the new one from its effective date, with the source.
    assert (kbh.region, kbh.next_region, kbh.next_region_on) == (
        "Region Hovedstaden",
        "Region Østdanmark",
        date(2027, 1, 1),
    )
    assert kbh.next_region_source_url == REGION_MERGER_SOURCE
    assert kbh.region_on(date(2026, 12, 31)) == "Region Hovedstaden"
    assert kbh.region_on(date(2027, 1, 1)) == "Region Østdanmark"
    odense = session.scalars(select(Municipality).where(Municipality.code == "461")).one()
    assert odense.next_region is None and odense.region_on(date(2027, 6, 1)) == "Region Syddanmark"


def test_a_coordinator_sees_the_old_and_the_new_region(client: FlaskClient, session: Session) -> None:
    from tests.support.accounts import make_user
    from tests.support.ingest import log_in

    coordinator = make_user(session, "k-region@example.dk", "coordinator")
    session.commit()
    log_in(client, coordinator)
    page = client.get("/kommuner/101").get_data(as_text=True)
    assert "Region Hovedstaden" in page and "Region Østdanmark" in page
    body = client.get("/api/v1/municipalities/101").get_json()
    assert (body["region"], body["next_region"], body["next_region_on"]) == (
        "Region Hovedstaden",
        "Region Østdanmark",
        "2027-01-01",
    )
    assert body["next_region_source_url"].startswith("https://")


def test_the_seeded_admin_must_change_the_one_time_password_first(fresh_db: str) -> None:
    from sqlalchemy.orm import sessionmaker

    from tests.support.accounts import form_login
    from tests.support.apps import make_test_app
    from tracker.db import get_db, make_engine
    from tracker.migrate import upgrade

    engine = make_engine(fresh_db)
    upgrade(engine)
    with sessionmaker(bind=engine)() as s:
        report = seed(s, admin_email="first@example.dk")
        s.commit()
        admin = s.scalar(select(User).where(User.email == "first@example.dk"))
        assert admin is not None and admin.must_change_password, "as for users from `tracker users create`"
    engine.dispose()
    assert report.admin_password
    app = make_test_app(fresh_db)
    try:
        client = app.test_client()
        first = form_login(client, "first@example.dk", report.admin_password)
        assert first.status_code == 302 and first.headers["Location"].endswith("/konto/ny-adgangskode")
        assert client.get("/admin/brugere").headers["Location"].endswith("/konto/ny-adgangskode")
    finally:
        get_db(app).engine.dispose()
