"""Timers on a step: the table the worker scans for due timers (approvals/operations/timeouts.py).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "step_timers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("task_id", sa.Integer, nullable=False),
        sa.Column("request_id", sa.Integer, nullable=False),
        sa.Column("timer_id", sa.String(128), nullable=False),
        sa.Column("fire_at", sa.DateTime, nullable=False),
        sa.Column("fired", sa.Integer, nullable=False),
        sa.Column("claim", sa.String(32), nullable=True),
        sa.Column("claimed_until", sa.DateTime, nullable=True),
    )
    op.create_index("ix_step_timers_due", "step_timers", ["fire_at"])
    op.create_index("ix_step_timers_task", "step_timers", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_step_timers_task", "step_timers")
    op.drop_index("ix_step_timers_due", "step_timers")
    op.drop_table("step_timers")
