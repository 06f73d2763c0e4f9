"""The audit chain's hash function per segment (issue 22: SHA-256 or SM3).

``audit_head.algorithm`` is the function new entries are hashed with; ``audit_segments`` records
where it changed, so entries written before a switch keep verifying with their own function.
Existing chains have no segment rows and stay SHA-256 throughout.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Like the entries (0004): a segment once written is never changed or removed on PostgreSQL.
_PG_TRIGGERS = """
CREATE TRIGGER audit_segments_append_only BEFORE UPDATE OR DELETE ON audit_segments
  FOR EACH ROW EXECUTE FUNCTION approvals_refuse_change();
CREATE TRIGGER audit_segments_no_truncate BEFORE TRUNCATE ON audit_segments
  FOR EACH STATEMENT EXECUTE FUNCTION approvals_refuse_change();
"""


def upgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("algorithm", sa.String(16), nullable=False, server_default="sha256"))
    op.create_table(
        "audit_segments",
        sa.Column("first_seq", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("first_seq"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_TRIGGERS)


def downgrade() -> None:
    op.drop_table("audit_segments")
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("algorithm")
