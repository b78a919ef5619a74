"""For an entity's page: its mentions in id order from an index (a page of 50 without sorting all of
them), and the timeline's (entity, month, mentions) from an index alone

Revision ID: 0014_entity_page_indexes
Revises: 0013_near_duplicates_resign
Create Date: 2026-12-01
"""

from alembic import op

revision = "0014_entity_page_indexes"
down_revision = "0013_near_duplicates_resign"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_mentions_entity_order", "mentions", ["entity_id", "id"])
    op.create_index("ix_document_entities_month", "document_entities", ["entity_id", "month", "mentions"])


def downgrade() -> None:
    op.drop_index("ix_document_entities_month", "document_entities")
    op.drop_index("ix_mentions_entity_order", "mentions")
