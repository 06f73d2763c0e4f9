"""Events for integrations (signed webhooks, to-dos pushed to DingTalk / Feishu / WeCom): the
``api_events`` outbox, the delivery's event id, to-do links and settings, and room for sealed webhook URLs
and secrets.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-11
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("request_id", sa.Integer, nullable=True),
        sa.Column("task_id", sa.Integer, nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("dedup_key", sa.String(200), nullable=True, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("dispatched_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_api_events_dispatch", "api_events", ["dispatched_at", "id"])
    op.create_table(
        "todo_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("system", sa.String(32), nullable=False),
        sa.Column("task_id", sa.Integer, nullable=False),
        sa.Column("request_id", sa.Integer, nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("closed_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_todo_links_task", "todo_links", ["system", "task_id"], unique=True)
    op.create_index("ix_todo_links_request", "todo_links", ["system", "request_id"])
    op.create_table(
        "todo_settings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("system", sa.String(32), nullable=False),
        sa.Column("api_base", sa.String(1000), nullable=False),
        sa.Column("credentials", sa.String(2000), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_todo_settings_org", "todo_settings", ["org_id", "system"], unique=True)
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("event_id", sa.Integer, nullable=True))
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.alter_column("url", type_=sa.String(1000), existing_type=sa.String(500), existing_nullable=False)
        batch.alter_column("secret", type_=sa.String(1000), existing_type=sa.String(200), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.alter_column("secret", type_=sa.String(200), existing_type=sa.String(1000), existing_nullable=False)
        batch.alter_column("url", type_=sa.String(500), existing_type=sa.String(1000), existing_nullable=False)
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("event_id")
    op.drop_table("todo_settings")
    op.drop_table("todo_links")
    op.drop_table("api_events")
