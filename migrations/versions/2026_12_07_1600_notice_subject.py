"""Mail notices keep their subject in typed columns: ``notice``, ``proposal_id``, ``decision``, ``scrape_run_id``
a run's counts (``new_proposals``, ``changed_pages``, ``became_unhealthy``), and a due-day reminder's ``action_id``
and ``due_on``.

Why (issue 28 item 3): a notice's subject lived inside the row's key string (``run:<id>:p<n>:c<n>:u<0|1>``) and
was parsed back with a regex (``action-due:<id>:<day>`` with a split) when the mail was composed. The key stays (one row per user and thing, the
Message-ID) but is no longer read. Existing notice rows are filled from their keys once, here; a key naming a
proposal or run that no longer exists leaves the column empty (the notice is then not sent, as before).
Downgrade drops the columns; the keys still hold everything.

Revision ID: ho0001
Revises: fa0001
Create Date: 2026-12-07 16:00:00
"""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "ho0001"
down_revision = "fa0001"
branch_labels = None
depends_on = None

_DECIDED = re.compile(r"proposal:(\d+):(accepted|rejected)")
_CREATED = re.compile(r"proposal-new:(\d+)")
_RUN = re.compile(r"run:(\d+):p(\d+):c(\d+):u([01])")
_DUE = re.compile(r"action-due:(\d+):(\d{4})-(\d\d)-(\d\d)")


def upgrade() -> None:
    with op.batch_alter_table("mail_message") as batch:
        batch.add_column(sa.Column("notice", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("decision", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("scrape_run_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("new_proposals", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("changed_pages", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("became_unhealthy", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("action_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_mail_message_proposal_id_proposal"), "proposal", ["proposal_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_foreign_key(
            batch.f("fk_mail_message_scrape_run_id_scrape_run"),
            "scrape_run",
            ["scrape_run_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            batch.f("fk_mail_message_action_id_action"), "action", ["action_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_check_constraint(
            batch.f("ck_mail_message_notice"),
            "notice IN ('proposal_decided', 'proposal_created', 'run_recorded', 'action_due')",
        )
    _fill_from_keys()


def _fill_from_keys() -> None:
    """Each existing notice's subject, read from its key this once."""
    bind = op.get_bind()
    proposals = {row[0] for row in bind.execute(sa.text("SELECT id FROM proposal"))}
    runs = {row[0] for row in bind.execute(sa.text("SELECT id FROM scrape_run"))}
    actions = {row[0] for row in bind.execute(sa.text("SELECT id FROM action"))}
    rows = bind.execute(sa.text("SELECT id, key FROM mail_message WHERE kind = 'notice'")).all()
    for mail_id, key in rows:
        values: dict[str, object] = {}
        if match := _DECIDED.fullmatch(key):
            pid = int(match.group(1))
            values = {"notice": "proposal_decided", "proposal_id": pid if pid in proposals else None}
            values["decision"] = match.group(2)
        elif match := _CREATED.fullmatch(key):
            pid = int(match.group(1))
            values = {"notice": "proposal_created", "proposal_id": pid if pid in proposals else None}
        elif match := _RUN.fullmatch(key):
            run_id = int(match.group(1))
            values = {
                "notice": "run_recorded",
                "scrape_run_id": run_id if run_id in runs else None,
                "new_proposals": int(match.group(2)),
                "changed_pages": int(match.group(3)),
                "became_unhealthy": match.group(4) == "1",
            }
        elif match := _DUE.fullmatch(key):
            action_id = int(match.group(1))
            due = date(int(match.group(2)), int(match.group(3)), int(match.group(4)))
            values = {"notice": "action_due", "action_id": action_id if action_id in actions else None, "due_on": due}
        if values:
            assignments = ", ".join(f"{name} = :{name}" for name in values)
            bind.execute(sa.text(f"UPDATE mail_message SET {assignments} WHERE id = :id"), {**values, "id": mail_id})  # noqa: S608 - column names are the literals above


def downgrade() -> None:
    with op.batch_alter_table("mail_message") as batch:
        batch.drop_constraint(batch.f("ck_mail_message_notice"), type_="check")
        batch.drop_constraint(batch.f("fk_mail_message_action_id_action"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_mail_message_scrape_run_id_scrape_run"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_mail_message_proposal_id_proposal"), type_="foreignkey")
        batch.drop_column("due_on")
        batch.drop_column("action_id")
        batch.drop_column("became_unhealthy")
        batch.drop_column("changed_pages")
        batch.drop_column("new_proposals")
        batch.drop_column("scrape_run_id")
        batch.drop_column("decision")
        batch.drop_column("proposal_id")
        batch.drop_column("notice")
