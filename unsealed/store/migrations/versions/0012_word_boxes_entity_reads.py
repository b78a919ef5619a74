"""pages: the OCR'd words' spans and boxes (hit boxes on OCR pages). For an entity's page: the
summaries of mention links (each document's entities, the documents each pair of entities shares,
each entity's forms as printed per rule) and who each printed e-mail names, by matching key (email_people)

Revision ID: 0012_word_boxes_entity_reads
Revises: 0011_thread_replies
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_word_boxes_entity_reads"
down_revision = "0011_thread_replies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("word_boxes", sa.LargeBinary(), nullable=True))
    op.create_table(
        "document_entities",
        sa.Column("entity_id", sa.String(36), primary_key=True),
        sa.Column("document_id", sa.String(36), primary_key=True),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(7), nullable=True),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_document_entities_ranked", "document_entities", ["entity_id", "mentions"])
    op.create_index("ix_document_entities_document", "document_entities", ["document_id", "month"])
    op.create_table(
        "entity_pairs",
        sa.Column("entity_id", sa.String(36), primary_key=True),
        sa.Column("other_id", sa.String(36), primary_key=True),
        sa.Column("documents", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_entity_pairs_ranked", "entity_pairs", ["entity_id", "documents"])
    op.create_table(
        "email_people",
        sa.Column("document_id", sa.String(36), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("role", sa.String(4), primary_key=True),
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("other", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_email_people_key", "email_people", ["key"])
    _fill_email_people()
    op.create_table(
        "entity_forms",
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
    )
    op.create_index("ix_entity_forms_entity", "entity_forms", ["entity_id"])
    # the summaries of the links already made (resolution keeps them from now on)
    from unsealed.store import entity_links

    entity_links.rebuild(op.get_bind(), months=False)  # (entity_months: 0018 adds and fills it)


def _fill_email_people() -> None:
    """The keys of the e-mails already parsed (the e-mail stage keeps them from now on)."""
    from unsealed.enrich.email_people import people_rows
    from unsealed.store.bulk import insert_many
    from unsealed.store.schema import email_people

    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT document_id, seq, sender_name, sender_address, recipients FROM emails")
    ).mappings()
    batch: list[dict[str, object]] = []
    for row in rows:
        batch.append(dict(row))
        if len(batch) >= 2000:
            insert_many(conn, email_people, people_rows(batch))
            batch = []
    insert_many(conn, email_people, people_rows(batch))


def downgrade() -> None:
    op.drop_table("entity_forms")
    op.drop_table("email_people")
    op.drop_table("entity_pairs")
    op.drop_table("document_entities")
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("word_boxes")
