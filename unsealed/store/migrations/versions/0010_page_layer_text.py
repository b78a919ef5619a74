"""pages: the file's own text layer, kept beside the OCR text whenever OCR replaced it

Revision ID: 0010_page_layer_text
Revises: 0009_cluster_length
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_page_layer_text"
down_revision = "0009_cluster_length"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("layer_text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("layer_text")
