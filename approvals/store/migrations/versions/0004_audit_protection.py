"""Audit protection: the deployment's identity (signed into checkpoints), recorded verification
runs (what the inspector page shows instead of walking the chain), the personal-data access
log, and on PostgreSQL triggers that refuse to change or remove audit entries.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import uuid
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The legal minimum (Cybersecurity Law art. 21: six months); APPROVALS_AUDIT_RETENTION_DAYS
# may only lengthen it, so the trigger can hard-code it.
MIN_RETENTION_DAYS = 180

_PG_TRIGGERS = f"""
CREATE FUNCTION approvals_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'approvals: % on % is refused: the table is append-only (docs/security.md)',
    TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE FUNCTION approvals_refuse_young_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.at > now() - interval '{MIN_RETENTION_DAYS} days' THEN
    RAISE EXCEPTION 'approvals: access log entry % is younger than {MIN_RETENTION_DAYS} days and is kept',
      OLD.id USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN OLD;
END $$;

CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION approvals_refuse_change();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
  FOR EACH STATEMENT EXECUTE FUNCTION approvals_refuse_change();
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
  FOR EACH ROW EXECUTE FUNCTION approvals_refuse_change();
CREATE TRIGGER access_log_keep_young BEFORE DELETE ON access_log
  FOR EACH ROW EXECUTE FUNCTION approvals_refuse_young_delete();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
  FOR EACH STATEMENT EXECUTE FUNCTION approvals_refuse_change();
"""


def upgrade() -> None:
    deployment = op.create_table(
        "deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(deployment, [{"id": 1, "deployment_id": str(uuid.uuid4()), "created_at": datetime.now()}])
    op.create_table(
        "audit_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("from_seq", sa.Integer(), nullable=False),
        sa.Column("to_seq", sa.Integer(), nullable=False),
        sa.Column("to_hash", sa.String(length=64), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("checkpoint", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("viewer", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("capacity", sa.String(length=32), nullable=False),
        sa.Column("what", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_access_viewer", "access_log", ["viewer", "at"])
    op.create_index("ix_access_request", "access_log", ["request_id", "at"])
    op.create_index("ix_access_at", "access_log", ["at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_TRIGGERS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger, table in (("audit_entries_append_only", "audit_entries"),
                               ("audit_entries_no_truncate", "audit_entries"),
                               ("access_log_no_update", "access_log"), ("access_log_keep_young", "access_log"),
                               ("access_log_no_truncate", "access_log")):
            op.execute(f"DROP TRIGGER {trigger} ON {table}")
        op.execute("DROP FUNCTION approvals_refuse_change()")
        op.execute("DROP FUNCTION approvals_refuse_young_delete()")
    op.drop_index("ix_access_at", "access_log")
    op.drop_index("ix_access_request", "access_log")
    op.drop_index("ix_access_viewer", "access_log")
    op.drop_table("access_log")
    op.drop_table("audit_verifications")
    op.drop_table("deployment")
