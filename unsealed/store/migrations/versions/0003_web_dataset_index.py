"""web: index documents by data set and Bates number (data set pages, per-data-set counts)

Revision ID: 0003_web_dataset_index
Revises: 0002_search_index_state
Create Date: 2026-11-27
"""

from alembic import op

revision = "0003_web_dataset_index"
down_revision = "0002_search_index_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_documents_dataset_bates", "documents", ["dataset", "bates_first"])


def downgrade() -> None:
    op.drop_index("ix_documents_dataset_bates", table_name="documents")
