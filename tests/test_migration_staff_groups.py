"""Migration 0030 on both databases: the one IdP a portfolio entry named becomes its link; free-text brokers
that name a broker solution become references; and back down."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.databases import fresh_database
from tracker.db import make_engine
from tracker.migrate import downgrade, upgrade

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
NOW = "2026-12-02 10:00:00"


@pytest.mark.parametrize("kind", KINDS)
def test_idp_id_and_free_text_broker_become_references(kind: str, tmp_path: Path) -> None:
    with fresh_database(tmp_path, kind) as url:
        engine = make_engine(url)
        upgrade(engine, "0005")
        solution = (
            "INSERT INTO solution (id, slug, name, aliases, kind, broker, links, loa_value, loa_status, "
            "switch_precision, switch_state, switch_status, version, created_at, updated_at) VALUES "
            "(:id, :slug, :name, :aliases, :kind, :broker, '[]', 'ukendt', 'unknown', 'unknown', 'unknown', "
            "'unknown', 1, :now, :now)"
        )
        with engine.begin() as conn:
            for row in (
                (1, "unilogin-broker", "STIL Unilogin Broker", '["STIL Unilogin"]', "broker", None),
                (2, "aula", "Aula", "[]", "faelleskommunal", "stil unilogin"),  # an alias, any case
                (3, "fmk", "FMK", "[]", "faellesoffentlig", "Noget ukendt"),  # names no broker: left alone
                (4, "nexus", "Nexus", "[]", "leverandoer", "Aula"),  # names a solution that is no broker
            ):
                keys = ("id", "slug", "name", "aliases", "kind", "broker")
                conn.execute(text(solution), {**dict(zip(keys, row, strict=True)), "now": NOW})
            conn.execute(
                text("INSERT INTO municipality (id, code, name, region, created_at) VALUES (1, '101', 'KBH', 'H', :n)"),
                {"n": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO idp (id, municipality_id, name, notified_loa, is_primary, created_at, updated_at) "
                    "VALUES (7, 1, 'Skoler', 'lav', false, :n, :n)"
                ),
                {"n": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO portfolio_entry (id, municipality_id, solution_id, idp_id, created_at) "
                    "VALUES (1, 1, 2, 7, :n), (2, 1, 3, NULL, :n)"
                ),
                {"n": NOW},
            )
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT portfolio_entry_id, idp_id FROM portfolio_entry_idp")).all() == [(1, 7)]
            assert conn.execute(text("SELECT solution_id, broker_id FROM solution_broker")).all() == [(2, 1)]
            assert conn.execute(text("SELECT broker FROM solution WHERE id = 2")).scalar() == "stil unilogin"
        downgrade(engine, "0011")  # down to just before ours
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, idp_id FROM portfolio_entry ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [(1, 7), (2, None)]
        engine.dispose()
