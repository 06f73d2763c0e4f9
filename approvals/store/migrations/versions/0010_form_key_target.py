"""Form keys bound to their form: the address each key was first sent to.

A key sent again by its person to the same address is a resend ("already done"); another
person's key, or one's own key sent to another form, is refused (web/idempotency.py). Rows
written before this migration have no target and still match their person's resend; they are
forgotten within a day anyway.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(sa.Column("target", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_column("target")
