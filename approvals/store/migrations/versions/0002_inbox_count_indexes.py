"""Covering indexes for inbox counts (assignee or duty unit, open, kind).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # COUNT over a leader's tens of thousands of open tasks reads only the index.
    op.create_index("ix_tasks_inbox_kind", "tasks", ["assignee", "is_open", "kind"])
    op.create_index("ix_tasks_unit_inbox_kind", "tasks", ["unit_id", "is_open", "kind"])


def downgrade() -> None:
    op.drop_index("ix_tasks_unit_inbox_kind", "tasks")
    op.drop_index("ix_tasks_inbox_kind", "tasks")
