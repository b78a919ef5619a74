"""documents.emails_at: when the e-mail stage parsed a document's printed headers

Until now `enriched_at` meant "e-mail headers and entity mentions done": the mentions stage set it
after the e-mail stage, in the same process. The e-mail stage now runs in the background stage
worker beside resolution (pipeline/background.py), so it records its own progress: a document is
pending for it while `emails_at` is NULL. Documents already enriched had their headers parsed, so
they take their `enriched_at`.

Revision ID: 0020_email_headers_mark
Revises: 0019_near_duplicates_numpy_words
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_email_headers_mark"
down_revision = "0019_near_duplicates_numpy_words"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("emails_at", sa.DateTime(timezone=True)))
    op.execute("UPDATE documents SET emails_at = enriched_at")


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite has one): batch mode would copy `documents` and drop the old
    # table, and the drop deletes every row that references a document (ON DELETE CASCADE)
    op.drop_column("documents", "emails_at")
