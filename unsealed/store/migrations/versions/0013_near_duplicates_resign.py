"""near-duplicates: signatures and band keys of the bulk signing scheme; the old ones are dropped

Signatures are now MinHashes of shingle hashes built from rensa's word hashes, and band keys come
from a numpy hash (analysis/neardup.py), so stored rows of the old scheme would never match new
ones. They are removed: the near-duplicate stage signs and clusters every document again on the
next run (documents without a row are pending).

Revision ID: 0013_near_duplicates_resign
Revises: 0012_word_boxes_entity_reads
Create Date: 2026-12-01
"""

from alembic import op

revision = "0013_near_duplicates_resign"
down_revision = "0012_word_boxes_entity_reads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM near_duplicate_bands")
    op.execute("DELETE FROM near_duplicates")


def downgrade() -> None:
    op.execute("DELETE FROM near_duplicate_bands")
    op.execute("DELETE FROM near_duplicates")
