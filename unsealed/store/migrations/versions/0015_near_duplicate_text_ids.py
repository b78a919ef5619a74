"""near-duplicates: an integer id per text; the band index holds (band, text id)

near_duplicates gets an integer primary key (`id`; document and page stay unique), and
near_duplicate_bands holds two integers, (band, text_id), instead of a band and a document id and
page: rows a third the size, and the incremental look-up joins on an integer key. The clusters are
kept: rows are copied, and the band index is rebuilt from each clustered text's `bands`.

Revision ID: 0015_near_duplicate_text_ids
Revises: 0014_entity_page_indexes
Create Date: 2026-12-01
"""

from typing import Any

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = "0015_near_duplicate_text_ids"
down_revision = "0014_entity_page_indexes"
branch_labels = None
depends_on = None

_COLUMNS = "document_id, page_number, cluster, canonical, signature, similarity, bands"
_CHUNK = 5000


def _text_columns(with_id: bool) -> list[sa.Column[Any]]:
    document: sa.Column[Any] = sa.Column(
        "document_id", sa.String(36), sa.ForeignKey("documents.id", ondelete="CASCADE"),
        primary_key=not with_id, nullable=False,
    )  # fmt: skip
    page: sa.Column[Any] = sa.Column("page_number", sa.Integer, primary_key=not with_id, nullable=False)
    rest: list[sa.Column[Any]] = [
        sa.Column("cluster", sa.String(48), nullable=False),
        sa.Column("canonical", sa.Boolean, nullable=False),
        sa.Column("signature", sa.LargeBinary),
        sa.Column("similarity", sa.Float),
        sa.Column("bands", sa.LargeBinary),
    ]
    if with_id:
        return [sa.Column("id", sa.Integer, primary_key=True, autoincrement=True), document, page, *rest]
    return [document, page, *rest]


def _remake_texts(with_id: bool) -> None:
    """near_duplicates made again in the other shape, its rows kept (copied out and back)."""
    op.execute(f"CREATE TABLE near_duplicates_copy AS SELECT {_COLUMNS} FROM near_duplicates")
    op.drop_index("ix_near_duplicates_cluster", table_name="near_duplicates")
    op.drop_table("near_duplicates")
    extra = [sa.UniqueConstraint("document_id", "page_number", name="uq_near_duplicates_text")]
    op.create_table("near_duplicates", *_text_columns(with_id), *(extra if with_id else []))
    op.create_index("ix_near_duplicates_cluster", "near_duplicates", ["cluster"])
    op.execute(
        f"INSERT INTO near_duplicates ({_COLUMNS}) SELECT {_COLUMNS} FROM near_duplicates_copy "
        "ORDER BY document_id, page_number"
    )
    op.drop_table("near_duplicates_copy")


def upgrade() -> None:
    op.drop_table("near_duplicate_bands")
    _remake_texts(with_id=True)
    bands = op.create_table(
        "near_duplicate_bands",
        sa.Column("band", sa.BigInteger, primary_key=True),
        sa.Column("text_id", sa.Integer, primary_key=True),
        sqlite_with_rowid=False,
    )
    conn = op.get_bind()
    clustered = conn.execute(
        sa.text("SELECT id, bands FROM near_duplicates WHERE cluster != '' AND bands IS NOT NULL ORDER BY id")
    )
    while chunk := clustered.fetchmany(_CHUNK):
        rows = [
            {"band": band, "text_id": text_id}
            for text_id, packed in chunk
            for band in np.unique(np.frombuffer(packed, dtype="<i8")).tolist()
        ]
        if rows:
            conn.execute(sa.insert(bands), rows)


def downgrade() -> None:
    op.execute(
        "CREATE TABLE near_duplicate_bands_copy AS SELECT b.band, n.document_id, n.page_number "
        "FROM near_duplicate_bands b JOIN near_duplicates n ON n.id = b.text_id"
    )
    op.drop_table("near_duplicate_bands")
    _remake_texts(with_id=False)
    op.create_table(
        "near_duplicate_bands",
        sa.Column("band", sa.BigInteger, primary_key=True),
        sa.Column(
            "document_id", sa.String(36), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("page_number", sa.Integer, primary_key=True),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO near_duplicate_bands (band, document_id, page_number) "
        "SELECT band, document_id, page_number FROM near_duplicate_bands_copy"
    )
    op.drop_table("near_duplicate_bands_copy")
