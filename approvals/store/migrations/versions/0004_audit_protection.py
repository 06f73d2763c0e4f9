"""Placeholder for the audit_protection schema change (filled in by the work that needs it).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
