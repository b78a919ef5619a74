"""near-duplicates: a small second band index for texts clustered lately

near_duplicate_recent_bands has the shape of near_duplicate_bands, (band, text_id). The
near-duplicate stage indexes a small batch there (its rows fill a few pages instead of landing on
most pages of the large index) and merges it into near_duplicate_bands when it passes a few per
cent of it. Nothing to copy on the way up; on the way down its rows move to near_duplicate_bands.

Revision ID: 0016_near_duplicate_recent_bands
Revises: 0015_near_duplicate_text_ids
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_near_duplicate_recent_bands"
down_revision = "0015_near_duplicate_text_ids"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "near_duplicate_recent_bands",
        sa.Column("band", sa.BigInteger, primary_key=True),
        sa.Column("text_id", sa.Integer, primary_key=True),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.execute(
        "INSERT INTO near_duplicate_bands (band, text_id) "
        "SELECT band, text_id FROM near_duplicate_recent_bands"
    )
    op.drop_table("near_duplicate_recent_bands")
