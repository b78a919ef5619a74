"""load files, near-duplicates, threads: fields, load problems, near_duplicates(_bands), email_threads

Revision ID: 0006_evidence
Revises: 0005_email_messages
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_evidence"
down_revision = "0005_email_messages"
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
        sa.Column("signature", sa.LargeBinary),
        sa.Column("similarity", sa.Float),
        sa.Column("bands", sa.LargeBinary),
    )
    op.create_index("ix_near_duplicates_cluster", "near_duplicates", ["cluster"])
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
    op.drop_table("near_duplicates")
    op.drop_table("load_problems")
    op.drop_table("document_fields")
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("bates_printed")
