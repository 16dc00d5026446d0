"""An optional e-mail address on a waiting-list place (issue 17)

Revision ID: 0009_signup_email
Revises: 0008_workshop_signups
Create Date: 2026-12-04

Mirrors bot/ledger/models.py (tests/ledger/test_migrations.py compares them).

``workshop_signups`` gets ``email`` and ``email_delete_after`` (both nullable): after an
explicit yes in the chat the employee may leave an address on a web page, for one mail when
a seat frees up. Two CHECKs keep it honest whatever the application does: an address always
has a delete date, and only a waiting place holds one (moving up, cancelling or expiring
clears it, so the mail cannot go out twice).

On SQLite the columns are added with a plain ``ALTER TABLE ... ADD COLUMN`` carrying the
CHECK on the column itself (SQLite cannot add a constraint later, and a batch rebuild would
lose the partial unique index on ``voucher_id``); PostgreSQL gets named table constraints.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_signup_email"
down_revision = "0008_workshop_signups"
branch_labels = None
depends_on = None

HAS_DEADLINE = "email IS NULL OR email_delete_after IS NOT NULL"
ONLY_WAITING = "email IS NULL OR status = 'waiting'"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE workshop_signups ADD COLUMN email VARCHAR(254) "
            f"CONSTRAINT ck_workshop_signups_email_only_waiting CHECK ({ONLY_WAITING})"
        )
        op.execute(
            "ALTER TABLE workshop_signups ADD COLUMN email_delete_after DATETIME "
            f"CONSTRAINT ck_workshop_signups_email_has_deadline CHECK ({HAS_DEADLINE})"
        )
        return
    op.add_column("workshop_signups", sa.Column("email", sa.String(254), nullable=True))
    op.add_column(
        "workshop_signups",
        sa.Column("email_delete_after", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_check_constraint(
        op.f("ck_workshop_signups_email_has_deadline"), "workshop_signups", HAS_DEADLINE
    )
    op.create_check_constraint(
        op.f("ck_workshop_signups_email_only_waiting"), "workshop_signups", ONLY_WAITING
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(
            op.f("ck_workshop_signups_email_only_waiting"), "workshop_signups", type_="check"
        )
        op.drop_constraint(
            op.f("ck_workshop_signups_email_has_deadline"), "workshop_signups", type_="check"
        )
    # Plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35); the column holding a CHECK that
    # names the other one goes first.
    op.drop_column("workshop_signups", "email_delete_after")
    op.drop_column("workshop_signups", "email")
