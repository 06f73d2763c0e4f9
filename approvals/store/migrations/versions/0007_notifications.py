"""Notifications: the in-app notification centre (each row written in the transaction of the
action that caused it: the transactional outbox), the messages ``approvals worker`` makes of
them for other channels and delivers, and which channels are on; indexes that let an inbox
list overdue steps first without sorting it whole.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("dedup_key", sa.String(200), nullable=True, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("dispatched_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_notifications_person", "notifications", ["person_id", "read_at", "id"])
    op.create_index("ix_notifications_dispatch", "notifications", ["dispatched_at", "id"])
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claim", sa.String(32), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_outbox_due", "outbox_messages", ["status", "next_attempt_at"])
    op.create_table(
        "channel_settings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_channel_settings_org", "channel_settings", ["org_id", "person_id"])
    op.create_index("ix_tasks_inbox_due", "tasks", ["assignee", "is_open", "due_on"])
    op.create_index("ix_tasks_unit_inbox_due", "tasks", ["unit_id", "is_open", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_tasks_unit_inbox_due", "tasks")
    op.drop_index("ix_tasks_inbox_due", "tasks")
    op.drop_index("ix_channel_settings_org", "channel_settings")
    op.drop_table("channel_settings")
    op.drop_index("ix_outbox_due", "outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_index("ix_notifications_dispatch", "notifications")
    op.drop_index("ix_notifications_person", "notifications")
    op.drop_table("notifications")
