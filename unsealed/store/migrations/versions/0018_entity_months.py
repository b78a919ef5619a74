"""entity_months: each entity's mentions per month, kept by resolution beside document_entities, so
an entity's timeline reads its months instead of summing its documents; the (entity, month,
mentions) index that sum read is dropped

Revision ID: 0018_entity_months
Revises: 0017_entity_email_dates
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_entity_months"
down_revision = "0017_entity_email_dates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entity_months",
        sa.Column("entity_id", sa.String(36), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("mentions", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO entity_months (entity_id, month, mentions)"
        " SELECT entity_id, month, SUM(mentions) FROM document_entities"
        " WHERE month IS NOT NULL GROUP BY entity_id, month"
    )
    op.drop_index("ix_document_entities_month", "document_entities")


def downgrade() -> None:
    op.create_index("ix_document_entities_month", "document_entities", ["entity_id", "month", "mentions"])
    op.drop_table("entity_months")
