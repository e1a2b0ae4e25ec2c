"""Webhook secrets encrypted at rest (Fernet with TRACKER_ENCRYPTION_KEYS).

Why: a copy of the database (a backup, a replica) must not be enough to forge signed
webhooks. The columns lose their length limit to hold Fernet tokens; existing secrets are encrypted with the configured key
(``tracker db upgrade`` runs inside the app, which configures it). Downgrade decrypts them again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tracker import crypto

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TABLE = sa.table(
    "subscription", sa.column("id", sa.Integer), sa.column("secret", sa.String), sa.column("previous_secret", sa.String)
)


def _rewrite(transform) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(_TABLE.c.id, _TABLE.c.secret, _TABLE.c.previous_secret)).all()
    for row_id, secret, previous in rows:
        bind.execute(
            _TABLE.update()
            .where(_TABLE.c.id == row_id)
            .values(secret=transform(secret), previous_secret=transform(previous) if previous else previous)
        )


def _resize(new: int, old: int) -> None:
    """VARCHAR(n), or VARCHAR without a limit for 0 (a Fernet token's length follows the secret's).

    SQLite does not enforce VARCHAR lengths, and a batch copy of subscription would cascade-delete its
    deliveries (foreign keys are on): only PostgreSQL needs the change.
    """
    if op.get_bind().dialect.name == "sqlite":
        return
    for column in ("secret", "previous_secret"):
        op.alter_column(
            "subscription",
            column,
            type_=sa.String(length=new) if new else sa.String(),
            existing_type=sa.String(length=old) if old else sa.String(),
        )


def upgrade() -> None:
    _resize(0, 100)
    if crypto.is_configured():
        _rewrite(lambda value: value if value.startswith(crypto.PREFIX) else crypto.encrypt(value))


def downgrade() -> None:
    if crypto.is_configured():
        _rewrite(crypto.decrypt)
    _resize(100, 0)
