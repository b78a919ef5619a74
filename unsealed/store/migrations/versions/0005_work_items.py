"""work items: files handed to the Celery queue, their state and the worker that took them

Revision ID: 0005_work_items
Revises: 0004_mention_covering_indexes
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_work_items"
down_revision = "0004_mention_covering_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_items",
        sa.Column("dataset", sa.String(length=200), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("document_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("ocr_pages", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("dataset", "storage_key"),
    )
    op.create_index("ix_work_items_dataset_state", "work_items", ["dataset", "state"])


def downgrade() -> None:
    op.drop_index("ix_work_items_dataset_state", table_name="work_items")
    op.drop_table("work_items")
