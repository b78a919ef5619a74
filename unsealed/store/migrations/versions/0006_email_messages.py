"""emails: one row per printed message, with its kind, the sender as printed, the printed clock
and a body hash

Revision ID: 0006_email_messages
Revises: 0005_evidence
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_email_messages"
down_revision = "0005_evidence"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("line", sa.Integer()),
    ("kind", sa.String(20)),
    ("sender", sa.Text()),
    ("sender_address_printed", sa.Text()),
    ("sent_clock", sa.DateTime()),
    ("body_hash", sa.String(64)),
)


def upgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    op.create_index("ix_emails_body_hash", "emails", ["body_hash"])


def downgrade() -> None:
    op.drop_index("ix_emails_body_hash", table_name="emails")
    with op.batch_alter_table("emails") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
