"""email_people: each message's sent date (a copy of emails.sent_at) and a (key, role, date) index,
so an entity's first e-mails by date are read in index order instead of joining and sorting all;
the key index also holds `other` (the addresses or names printed beside a key, from the index alone)

Revision ID: 0017_entity_email_dates
Revises: 0016_near_duplicate_recent_bands
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_entity_email_dates"
down_revision = "0016_near_duplicate_recent_bands"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("email_people", sa.Column("sent_at", sa.DateTime(timezone=True)))
    op.execute(
        "UPDATE email_people SET sent_at = (SELECT emails.sent_at FROM emails"
        " WHERE emails.document_id = email_people.document_id AND emails.seq = email_people.seq)"
    )
    op.create_index("ix_email_people_dated", "email_people", ["key", "role", "sent_at", "document_id", "seq"])
    op.drop_index("ix_email_people_key", "email_people")
    op.create_index("ix_email_people_other", "email_people", ["key", "other"])


def downgrade() -> None:
    op.drop_index("ix_email_people_other", "email_people")
    op.create_index("ix_email_people_key", "email_people", ["key"])
    op.drop_index("ix_email_people_dated", "email_people")
    op.drop_column("email_people", "sent_at")
