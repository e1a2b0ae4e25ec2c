"""Staff groups and brokers: a portfolio entry names several IdPs, a solution lists the brokers staff go through.

Why: Aula used by administration (IdP at Betydelig) and by the schools (IdP at Lav) must be two
readiness rows, and a broker's requirement (Unilogin Broker, Context Handler) must reach the solutions behind
it. ``portfolio_entry.idp_id`` becomes the association ``portfolio_entry_idp`` (the one IdP it named is
copied); ``solution_broker`` links a solution to broker solutions, filled from the free-text ``broker`` where
that text names a known solution of kind ``broker`` (by name, slug or alias, case-insensitively). The text
itself stays.

Revision ID: 0030
Revises: 0011 (re-chained after main's 0020–0021)
Create Date: 2026-12-02 14:30:00
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0011"
branch_labels = None
depends_on = None


def _aliases(value: Any) -> list[str]:
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return [a for a in value or [] if isinstance(a, str)]


def _link_brokers() -> None:
    """Free-text ``broker`` → references, where the text names a broker solution."""
    conn = op.get_bind()
    by_name: dict[str, int] = {}
    for id_, slug, name, aliases in conn.execute(
        sa.text("SELECT id, slug, name, aliases FROM solution WHERE kind = 'broker'")
    ):
        for key in (slug, name, *_aliases(aliases)):
            by_name.setdefault(key.strip().casefold(), id_)
    if not by_name:
        return
    rows = conn.execute(sa.text("SELECT id, broker FROM solution WHERE broker IS NOT NULL")).all()
    for id_, text in rows:
        broker_id = by_name.get(text.strip().casefold())
        if broker_id is not None and broker_id != id_:
            conn.execute(
                sa.text("INSERT INTO solution_broker (solution_id, broker_id) VALUES (:s, :b)"),
                {"s": id_, "b": broker_id},
            )


def upgrade() -> None:
    # Read the named IdPs first and drop the column before the link table exists: SQLite's batch mode copies
    # portfolio_entry and drops the old table, and with foreign keys on that drop would cascade to the links.
    conn = op.get_bind()
    named = conn.execute(sa.text("SELECT id, idp_id FROM portfolio_entry WHERE idp_id IS NOT NULL")).all()
    with op.batch_alter_table("portfolio_entry") as batch:
        batch.drop_index(batch.f("ix_portfolio_entry_idp_id"))
        batch.drop_constraint(batch.f("fk_portfolio_entry_idp_id_idp"), type_="foreignkey")
        batch.drop_column("idp_id")
    op.create_table(
        "solution_broker",
        sa.Column("solution_id", sa.Integer(), nullable=False),
        sa.Column("broker_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["solution_id"], ["solution.id"], name=op.f("fk_solution_broker_solution_id_solution"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["broker_id"], ["solution.id"], name=op.f("fk_solution_broker_broker_id_solution"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("solution_id", "broker_id", name=op.f("pk_solution_broker")),
    )
    op.create_index(op.f("ix_solution_broker_broker_id"), "solution_broker", ["broker_id"], unique=False)
    op.create_table(
        "portfolio_entry_idp",
        sa.Column("portfolio_entry_id", sa.Integer(), nullable=False),
        sa.Column("idp_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_entry_id"],
            ["portfolio_entry.id"],
            name=op.f("fk_portfolio_entry_idp_portfolio_entry_id_portfolio_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idp_id"], ["idp.id"], name=op.f("fk_portfolio_entry_idp_idp_id_idp"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("portfolio_entry_id", "idp_id", name=op.f("pk_portfolio_entry_idp")),
    )
    op.create_index(op.f("ix_portfolio_entry_idp_idp_id"), "portfolio_entry_idp", ["idp_id"], unique=False)
    for entry_id, idp_id in named:
        op.execute(
            sa.text("INSERT INTO portfolio_entry_idp (portfolio_entry_id, idp_id) VALUES (:e, :i)").bindparams(
                e=entry_id, i=idp_id
            )
        )
    _link_brokers()


def downgrade() -> None:
    conn = op.get_bind()
    named = conn.execute(
        sa.text("SELECT portfolio_entry_id, min(idp_id) FROM portfolio_entry_idp GROUP BY portfolio_entry_id")
    ).all()
    op.drop_index(op.f("ix_portfolio_entry_idp_idp_id"), table_name="portfolio_entry_idp")
    op.drop_table("portfolio_entry_idp")
    op.drop_index(op.f("ix_solution_broker_broker_id"), table_name="solution_broker")
    op.drop_table("solution_broker")
    with op.batch_alter_table("portfolio_entry") as batch:
        batch.add_column(sa.Column("idp_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_portfolio_entry_idp_id_idp"), "idp", ["idp_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index(batch.f("ix_portfolio_entry_idp_id"), ["idp_id"], unique=False)
    for entry_id, idp_id in named:
        op.execute(sa.text("UPDATE portfolio_entry SET idp_id = :i WHERE id = :e").bindparams(e=entry_id, i=idp_id))
