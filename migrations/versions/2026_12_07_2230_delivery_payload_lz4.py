"""Webhook payloads compressed with lz4 on PostgreSQL (``delivery.payload``): nothing on SQLite.

Why (issue 26, "import …" row): one bulk event — a 1,000-row import, ~460 KB of rows — is one delivery row per
matching subscription, each holding the payload. PostgreSQL compresses every such value on insert, and its
default (pglz) took ~2.7 ms per 460 KB row: 1,000 receivers cost ~4 s of the editor's transaction. lz4 (built
into PostgreSQL 14 and later where the server has it) does the same rows in a fraction of that and reads back
faster too. Only new values are written with it; rows already stored stay as they are. A server without lz4
(or older than 14) keeps its default: the statement is skipped.

Revision ID: dp0001
Revises: pt0001
Create Date: 2026-12-07 22:30:00
"""

from __future__ import annotations

from alembic import op

revision = "dp0001"
down_revision = "pt0001"
branch_labels = None
depends_on = None


def _set(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or (bind.dialect.server_version_info or (0,)) < (14,):
        return
    # A server built without lz4 refuses the method: keep its default rather than fail the upgrade.
    op.execute(
        "DO $$ BEGIN "
        f"ALTER TABLE delivery ALTER COLUMN payload SET COMPRESSION {method}; "
        "EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL; "
        "END $$"
    )


def upgrade() -> None:
    _set("lz4")


def downgrade() -> None:
    _set("pglz")
