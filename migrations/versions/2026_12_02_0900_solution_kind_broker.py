"""Solution kind ``broker``: what staff log in *through* (NemLog-in, Context Handler, Unilogin Broker, SEB).

Why: a broker switches on its own date and demands its own level, and readiness must count it. The kind is a
closed vocabulary enforced by a CHECK constraint, so the constraint is replaced. The batch copy touches only
the solution table (change_event and its append-only triggers are untouched).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_WITH = "kind IN ('faellesoffentlig', 'faelleskommunal', 'leverandoer', 'broker', 'andet')"
_WITHOUT = "kind IN ('faellesoffentlig', 'faelleskommunal', 'leverandoer', 'andet')"


def upgrade() -> None:
    with op.batch_alter_table("solution") as batch:
        batch.drop_constraint(op.f("ck_solution_kind"), type_="check")
        batch.create_check_constraint("kind", _WITH)


def downgrade() -> None:
    op.execute("UPDATE solution SET kind = 'andet' WHERE kind = 'broker'")
    with op.batch_alter_table("solution") as batch:
        batch.drop_constraint(op.f("ck_solution_kind"), type_="check")
        batch.create_check_constraint("kind", _WITHOUT)
