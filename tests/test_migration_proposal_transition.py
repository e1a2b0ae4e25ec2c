"""Migration pt0001 on both databases: existing proposals become proposals of solutions (``target = 'solution'``),
a proposal of a transition can be stored after it (named transition, base version) and the check refuses an
unknown target; down again, a transition's proposal is removed (the older schema cannot say what it changes) and an
inquiry that named it keeps its answer without the link; proposals of solutions stay as they were."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from tests.support.databases import fresh_database
from tracker.db import make_engine
from tracker.migrate import downgrade, upgrade

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
NOW = "2026-12-07 18:00:00"
PROPOSAL = (
    "INSERT INTO proposal (id, solution_id, origin, proposer_label, changes, base_version, state, created_at{extra}) "
    "VALUES (:id, 1, 'municipality', 'Københavns Kommune', :changes, 1, 'pending', :n{values})"
)


@pytest.mark.parametrize("kind", KINDS)
def test_proposals_of_transitions_up_and_down_with_data(kind: str, tmp_path: Path) -> None:
    with fresh_database(tmp_path, kind) as url:
        engine = make_engine(url)
        upgrade(engine, "mf0001")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO solution (id, slug, name, kind, aliases, links, loa_value, loa_status, "
                    "switch_precision, switch_state, switch_status, version, created_at, updated_at) VALUES "
                    "(1, 'nexus', 'Nexus', 'leverandoer', '[]', '[]', 'ukendt', 'unknown', 'unknown', 'unknown', "
                    "'unknown', 1, :n, :n)"
                ),
                {"n": NOW},
            )
            conn.execute(
                text(PROPOSAL.format(extra="", values="")), {"id": 1, "changes": '{"loa_value": "betydelig"}', "n": NOW}
            )
        upgrade(engine)
        with engine.begin() as conn:
            old = conn.execute(text("SELECT target, transition_id, transition_base_version FROM proposal")).one()
            assert tuple(old) == ("solution", None, None)
            conn.execute(
                text(
                    "INSERT INTO transition (id, solution_id, kind, title, precision, state, status, loa_status, "
                    "category, major, who_must_act, act_by_derived, nsis_login, version, created_at, updated_at) "
                    "VALUES (7, 1, 'certificate', 'Nye certifikater', 'unknown', 'planned', 'expected', 'unknown', "
                    "'stay_informed', false, '[]', false, false, 3, :n, :n)"
                ),
                {"n": NOW},
            )
            extra = ", target, transition_id, transition_base_version"
            conn.execute(
                text(PROPOSAL.format(extra=extra, values=", 'transition', 7, 3")),
                {"id": 2, "changes": '{"title": "OCES3"}', "n": NOW},
            )
            conn.execute(
                text(PROPOSAL.format(extra=extra, values=", 'transition', NULL, NULL")),
                {"id": 3, "changes": '{"kind": "wallet", "title": "EUDI"}', "n": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO inquiry (id, solution_id, question, state, waiting, asker_label, answer, "
                    "proposal_id, created_at) VALUES (1, 1, 'Hvornår?', 'answered', 0, 'Kommune', 'Svar', 2, :n)"
                ),
                {"n": NOW},
            )
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(
                text(PROPOSAL.format(extra=", target", values=", 'municipality'")),
                {"id": 4, "changes": "{}", "n": NOW},
            )
        downgrade(engine, "mf0001")
        assert "target" not in {c["name"] for c in inspect(engine).get_columns("proposal")}
        with engine.connect() as conn:
            assert [r[0] for r in conn.execute(text("SELECT id FROM proposal ORDER BY id"))] == [1]
            assert tuple(conn.execute(text("SELECT answer, proposal_id FROM inquiry")).one()) == ("Svar", None)
        upgrade(engine)
        with engine.connect() as conn:
            assert tuple(conn.execute(text("SELECT id, target FROM proposal")).one()) == (1, "solution")
        engine.dispose()
