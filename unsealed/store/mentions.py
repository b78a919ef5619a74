"""Writing a document's entity mentions: replaced whole, copied from an identical document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from unsealed.model import DocumentAnalysis
from unsealed.store.schema import documents, mentions, pages

MENTION_COLUMNS = ("page_number", "start", "end", "text", "type", "extractor")


def replace_mentions(conn: Connection, document_id: str, rows: list[dict[str, Any]]) -> bool:
    """Replace a document's mentions when they differ; True when something was written."""
    old = conn.execute(
        select(*(mentions.c[c] for c in MENTION_COLUMNS)).where(mentions.c.document_id == document_id)
    )
    if sorted(tuple(r) for r in old) == sorted(tuple(r[c] for c in MENTION_COLUMNS) for r in rows):
        return False
    conn.execute(delete(mentions).where(mentions.c.document_id == document_id))
    if rows:
        conn.execute(insert(mentions), rows)
    return True


def copy_mentions(conn: Connection, document_id: str, source_id: str) -> bool:
    """Give `document_id` the stored mentions of `source_id`, a document with the same pages."""
    rows = [
        {"document_id": document_id, **r._asdict()}
        for r in conn.execute(
            select(*(mentions.c[c] for c in MENTION_COLUMNS)).where(mentions.c.document_id == source_id)
        )
    ]
    return replace_mentions(conn, document_id, rows)


def analysis_rows(document_id: str, analysis: DocumentAnalysis) -> list[dict[str, Any]]:
    columns = ("document_id", *MENTION_COLUMNS)
    return [dict(zip(columns, (document_id, *m), strict=True)) for m in analysis.mentions]


def analysed_copy(conn: Connection, document_id: str, sha256: str, texts: Sequence[str]) -> str | None:
    """Another document with this content and these page texts whose mentions are stored, if any:
    its mentions are what an analysis of these pages gives (exact copies across data sets)."""
    candidates = conn.execute(
        select(documents.c.id)
        .where(
            documents.c.sha256 == sha256,
            documents.c.id != document_id,
            documents.c.status == "ok",
            documents.c.enriched_at.is_not(None),
        )
        .limit(3)
    ).all()
    for (candidate,) in candidates:
        stored = conn.execute(
            select(pages.c.text).where(pages.c.document_id == candidate).order_by(pages.c.number)
        )
        if [t or "" for (t,) in stored] == list(texts):
            return candidate
    return None
