"""near-duplicates as built by the ingest workers, LSH bands, e-mail threads

near_duplicates is made again (signatures as bytes, nullable, with their band keys): no archive
has clustered rows under 0005_evidence's shape, as no stage wrote them.

Revision ID: 0008_evidence_threads
Revises: 0007_page_control_numbers
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_evidence_threads"
down_revision = "0007_page_control_numbers"
branch_labels = None
depends_on = None


def _near_duplicates() -> None:
    op.create_table(
        "near_duplicates",
        sa.Column(
            "document_id", sa.String(36), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("page_number", sa.Integer, primary_key=True),
        sa.Column("cluster", sa.String(36), nullable=False),
        sa.Column("canonical", sa.Boolean, nullable=False),
        sa.Column("signature", sa.LargeBinary),
        sa.Column("similarity", sa.Float),
        sa.Column("bands", sa.LargeBinary),
    )
    op.create_index("ix_near_duplicates_cluster", "near_duplicates", ["cluster"])


def upgrade() -> None:
    op.drop_index("ix_near_duplicates_cluster", table_name="near_duplicates")
    op.drop_table("near_duplicates")
    _near_duplicates()
    op.create_table(
        "near_duplicate_bands",
        sa.Column("band", sa.BigInteger, primary_key=True),
        sa.Column(
            "document_id", sa.String(36), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("page_number", sa.Integer, primary_key=True),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "email_threads",
        sa.Column(
            "document_id", sa.String(36), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("page_number", sa.Integer, nullable=False),
        sa.Column("sender", sa.Text, nullable=False),
        sa.Column("sender_display", sa.Text),
        sa.Column("clock", sa.DateTime),
        sa.Column("minute", sa.Integer),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("subject_display", sa.Text),
        sa.Column("body", sa.LargeBinary),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("reply_to", sa.Text),
        sa.Column("thread", sa.String(12), nullable=False),
    )
    op.create_index("ix_email_threads_thread", "email_threads", ["thread"])
    op.create_index("ix_email_threads_minute", "email_threads", ["minute", "clock"])
    op.create_index("ix_email_threads_subject", "email_threads", ["subject"])


def downgrade() -> None:
    op.drop_table("email_threads")
    op.drop_table("near_duplicate_bands")
    op.drop_index("ix_near_duplicates_cluster", table_name="near_duplicates")
    op.drop_table("near_duplicates")
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
