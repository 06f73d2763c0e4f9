"""Operations on an open task (转办 transfer, 加签 add approver, 拿回 take back, 退回 send back,
沟通 ask) and 已阅 (when the holder first opened a task).

A task row made by an operation rather than by the route says so: ``origin`` (transfer,
before, after, take_back, send_back), ``origin_by`` (who did it) and ``origin_task_id`` (the
row it came from, or for 加签 the row it gates). ``opened_at`` is the first time the holder
opened the task. Questions (沟通) and their answers get a table of their own.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("opened_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("origin", sa.String(16), nullable=True))
        batch.add_column(sa.Column("origin_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("origin_task_id", sa.Integer(), nullable=True))
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("asked_by", sa.String(64), nullable=False),
        sa.Column("asked_to", sa.String(64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("attachment_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_index("ix_questions_request", "questions", ["request_id", "id"])
    op.create_index("ix_questions_asked_to", "questions", ["asked_to", "answered_at"])


def downgrade() -> None:
    op.drop_index("ix_questions_asked_to", "questions")
    op.drop_index("ix_questions_request", "questions")
    op.drop_table("questions")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("origin_task_id")
        batch.drop_column("origin_by")
        batch.drop_column("origin")
        batch.drop_column("opened_at")
