"""Process deployments: versions put in force without a restart.

``process_deployments`` lists every deployment (``approvals deploy FILE`` or the admin
page); the latest row per process id is the version new requests start on, its XML kept in
``process_versions`` like every version a request used. Workers compare ``max(id)`` with
what they have cached (approvals/operations/deploy.py, DefinitionRegistry).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "process_deployments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=128), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("deployed_at", sa.DateTime(), nullable=False),
        sa.Column("deployed_by", sa.String(length=64), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["process_versions.sha256"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_process_deployments_process_id", "process_deployments", ["process_id"])


def downgrade() -> None:
    op.drop_index("ix_process_deployments_process_id", "process_deployments")
    op.drop_table("process_deployments")
