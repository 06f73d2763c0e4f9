"""Sign-in by outside identities and two factors: values used once (OIDC state and nonce, CAS
tickets, TOTP time steps) and each person's TOTP secret with hashed recovery codes
(approvals/identity/).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_used_once",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_identity_used_once_expires_at", "identity_used_once", ["expires_at"])
    op.create_table(
        "two_factor",
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("recovery", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("two_factor")
    op.drop_index("ix_identity_used_once_expires_at", "identity_used_once")
    op.drop_table("identity_used_once")
