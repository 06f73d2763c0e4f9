"""Where an open task's holder came from, when a chart save decided it.

A chart save moves only the tasks whose holder came from a post (docs/reliability.md, "Chart
saves and open tasks"). A row says so by ``origin``: none for a route step (the post), 转办
and 加签 (``transfer``, ``before``, ``after``) for a person an operation named, 拿回/退回 as
the row they reopen. ``holder_from`` overrides that once a save has handed a person's row
back to the post (the person left): from then on the row follows the post like a route step.
NULL, for every row before this migration and every row an operation makes, means "as the
origin says", so nothing needs backfilling.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("holder_from", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("holder_from")
