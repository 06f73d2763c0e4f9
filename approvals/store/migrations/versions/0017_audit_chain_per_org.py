"""One audit chain per organization (issue 24), so appends of unrelated bureaus stop queueing
on one row.

``audit_heads`` replaces the single-row ``audit_head``: one row per chain, keyed by the chain's
name (an organization id, or ``""`` for the system chain: installation-level entries such as
sign-ins and deployments). The existing global chain becomes the system chain exactly as it
is: its head row moves over unchanged, every existing entry gets ``chain = ''`` and keeps its
hash, so it verifies as before; new entries of an organization start that organization's own
chain from the genesis hash. ``audit_segments`` gains the chain its switch belongs to (existing
rows: the system chain). ``prev_seq`` (the seq of the entry before in the same chain, since
seqs interleave across chains) is NULL on existing entries, read as ``seq - 1``. On
PostgreSQL seqs come from the sequence ``audit_seq``, started after the highest seq.

Revision ID: 0017
Revises: 0016
Create Date: 2027-01-20
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    heads = op.create_table(
        "audit_heads",
        sa.Column("chain", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False, server_default="sha256"),
        sa.PrimaryKeyConstraint("chain"),
    )
    old = bind.execute(sa.text("SELECT seq, hash, algorithm FROM audit_head WHERE id = 1")).first()
    if old is not None:
        op.bulk_insert(heads, [{"chain": "", "seq": old.seq, "hash": old.hash, "algorithm": old.algorithm}])
    op.drop_table("audit_head")
    op.add_column("audit_entries", sa.Column("chain", sa.String(64), nullable=False, server_default=""))
    op.add_column("audit_entries", sa.Column("prev_seq", sa.Integer(), nullable=True))
    op.create_index("ix_audit_chain", "audit_entries", ["chain", "seq"])
    op.add_column("audit_segments", sa.Column("chain", sa.String(64), nullable=False, server_default=""))
    if bind.dialect.name == "postgresql":
        top = bind.execute(sa.text("SELECT coalesce(max(seq), 0) FROM audit_entries")).scalar() or 0
        op.execute(f"CREATE SEQUENCE audit_seq START WITH {top + 1}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE audit_seq")
    op.drop_index("ix_audit_chain", "audit_entries")
    with op.batch_alter_table("audit_segments") as batch:
        batch.drop_column("chain")
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_column("prev_seq")
        batch.drop_column("chain")
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False, server_default="sha256"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO audit_head (id, seq, hash, algorithm) SELECT 1, seq, hash, algorithm "
               "FROM audit_heads WHERE chain = ''")
    op.drop_table("audit_heads")
