"""load files and near-duplicates: document_fields, load_problems, near_duplicates, pages.bates_printed

Revision ID: 0005_evidence
Revises: 0005_work_items
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_evidence"
down_revision = "0005_work_items"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("bates_printed", sa.String(40)))
    op.create_table(
        "document_fields",
        sa.Column(
            "document_id", sa.String(36), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_index("ix_document_fields_key_value", "document_fields", ["key", "value"])
    op.create_table(
        "load_problems",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("load_file", sa.Text, nullable=False),
        sa.Column("problem", sa.Text, nullable=False),
    )
    op.create_index("ix_load_problems_dataset", "load_problems", ["dataset"])
    op.create_table(
        "near_duplicates",
        sa.Column(
            "document_id", sa.String(36), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("page_number", sa.Integer, primary_key=True),
        sa.Column("cluster", sa.String(36), nullable=False),
        sa.Column("canonical", sa.Boolean, nullable=False),
        sa.Column("signature", sa.Text, nullable=False),
        sa.Column("similarity", sa.Float),
    )
    op.create_index("ix_near_duplicates_cluster", "near_duplicates", ["cluster"])


def downgrade() -> None:
    op.drop_table("near_duplicates")
    op.drop_table("load_problems")
    op.drop_table("document_fields")
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("bates_printed")
