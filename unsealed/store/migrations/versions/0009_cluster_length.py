"""near duplicates: a page's cluster id ("<document id>:<page>") fits its column on PostgreSQL

`cluster` was VARCHAR(36), a document id's length; a page cluster's id adds ":<page number>", which
SQLite stored anyway and PostgreSQL refused ("value too long"), failing the stage.

Revision ID: 0009_cluster_length
Revises: 0008_evidence_threads
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_cluster_length"
down_revision = "0008_evidence_threads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("near_duplicates") as batch:
        batch.alter_column("cluster", type_=sa.String(length=48), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("near_duplicates") as batch:
        batch.alter_column("cluster", type_=sa.String(length=36), existing_nullable=False)
