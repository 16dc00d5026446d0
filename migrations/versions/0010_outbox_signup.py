"""The "a seat is free" mail knows its workshop sign-up (issue 17)

Revision ID: 0010_outbox_signup
Revises: 0009_signup_email
Create Date: 2026-12-04

Mirrors bot/notify/models.py (tests/ledger/test_migrations.py compares them).

``outbox.signup_id`` (nullable, ``ON DELETE SET NULL``, indexed) points a waiting-list mail
at its sign-up, so the mail can be deleted unsent when the sign-up is cancelled or moved
before the outbox sender got to it, and the sender can skip one whose sign-up no longer
holds the seat. Messages queued before this migration have NULL and are sent as before.

SQLite cannot add a foreign key to a table, and one written on the column in ``ALTER TABLE
... ADD COLUMN`` comes back from reflection without its name and ``ON DELETE``: so the
small outbox table is rebuilt in batch mode (rows, CHECKs and indexes copied; nothing
refers to it). PostgreSQL gets the column and a named constraint.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_outbox_signup"
down_revision = "0009_signup_email"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("outbox", recreate="always") as batch:
            batch.add_column(sa.Column("signup_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                "fk_outbox_signup_id_workshop_signups",
                "workshop_signups",
                ["signup_id"],
                ["id"],
                ondelete="SET NULL",
            )
    else:
        op.add_column("outbox", sa.Column("signup_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_outbox_signup_id_workshop_signups",
            "outbox",
            "workshop_signups",
            ["signup_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index("ix_outbox_signup_id", "outbox", ["signup_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_signup_id", table_name="outbox")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite refuses to drop a column its foreign key names: rebuilt again.
        with op.batch_alter_table("outbox", recreate="always") as batch:
            batch.drop_constraint("fk_outbox_signup_id_workshop_signups", type_="foreignkey")
            batch.drop_column("signup_id")
        return
    op.drop_constraint("fk_outbox_signup_id_workshop_signups", "outbox", type_="foreignkey")
    op.drop_column("outbox", "signup_id")
