"""Room for sealed channel targets and secrets (issue 22: SM4-GCM at rest).

A sealed value (approvals/crypto/atrest.py) is longer than the text it seals: the prefix and
key id, a nonce and a tag, base64. The longest target (500 characters) sealed takes about 730;
PostgreSQL refuses what does not fit, so both tables' ``target`` and ``secret`` widen to 1000.
The limits on what a person types stay (approvals/notifications/settings.py).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_COLUMNS = (("target", 500), ("secret", 200))


def upgrade() -> None:
    for table in ("channel_settings", "outbox_messages"):
        with op.batch_alter_table(table) as batch:
            for column, old in _COLUMNS:
                batch.alter_column(column, type_=sa.String(1000), existing_type=sa.String(old),
                                   existing_nullable=False)


def downgrade() -> None:
    for table in ("channel_settings", "outbox_messages"):
        with op.batch_alter_table(table) as batch:
            for column, old in _COLUMNS:
                batch.alter_column(column, type_=sa.String(old), existing_type=sa.String(1000),
                                   existing_nullable=False)
