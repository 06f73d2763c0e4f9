"""Sign-in throttling shared by every worker, and revocable sessions.

``sign_in_throttle`` counts failed sign-ins per account name and per client address (one row
per key, locked while it is updated, so gunicorn workers and hosts share one count).
``credentials`` gains ``session_generation`` (sessions carry it; bumping it ends them all) and
``disabled`` (an account that may not sign in). See approvals/identity/signin.py, docs/security.md.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_sign_in_throttle_expires_at", "sign_in_throttle", ["expires_at"])
    with op.batch_alter_table("credentials") as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("credentials") as batch_op:
        batch_op.drop_column("disabled")
        batch_op.drop_column("session_generation")
    op.drop_index("ix_sign_in_throttle_expires_at", "sign_in_throttle")
    op.drop_table("sign_in_throttle")
