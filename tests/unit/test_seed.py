"""``tracker seed``: the 98 municipalities with official codes, sourced starter facts only, idempotent."""

from __future__ import annotations

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.models import ChangeEvent, Municipality, Organisation, Solution, User
from tracker.seed import load_municipalities, seed


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
    assert (aula.loa_value, aula.loa_status) == ("ukendt", "awaiting_decision")
    for s in solutions.values():
        if s.loa_value != "ukendt" or s.loa_status != "unknown":
            assert s.loa_evidence, f"{s.slug}: a level without evidence"
        # No starter switch date exists in any source we hold: none may be invented.
        assert s.switch_earliest_on is None and s.switch_status == "unknown", s.slug


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
