"""near-duplicates: words hashed with numpy; signatures and band keys of the old scheme are dropped

A page's words are now hashed from the document's bytes in one numpy pass (analysis/neardup.py's
`word_hashes`) instead of one rensa call per word, so the shingle hashes, signatures and band keys
of stored rows would never match new ones. They are removed (both band levels too): the
near-duplicate stage signs and clusters every document again on its next run (documents without a
row are pending). Downgrading keeps the rows (the schema is unchanged; rows signed by either scheme
are dropped on the way up again): an archive taken back to the older code should have its
near-duplicate rows deleted by hand to be signed again with the older hash.

Revision ID: 0019_near_duplicates_numpy_words
Revises: 0018_entity_months
Create Date: 2026-12-02
"""

from alembic import op

revision = "0019_near_duplicates_numpy_words"
down_revision = "0018_entity_months"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM near_duplicate_recent_bands")
    op.execute("DELETE FROM near_duplicate_bands")
    op.execute("DELETE FROM near_duplicates")


def downgrade() -> None:
    pass
