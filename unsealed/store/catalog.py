"""Read functions over documents, pages and data sets: what the web pages and the JSON API show.

Every function takes a SQLAlchemy Connection and returns plain dicts/lists (JSON-ready apart from
datetimes). Nothing here writes.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, and_, case, func, select

from unsealed.store.schema import document_sources, documents, entities, mentions, pages

BATES_RE = re.compile(r"^([A-Z]+)(\d+)$")

# Sort keys a user may ask for on a data set's document list, mapped to columns.
DOCUMENT_SORTS = {
    "bates": documents.c.bates_first,
    "filename": documents.c.filename,
    "date": documents.c.doc_date,
    "pages": documents.c.page_count,
    "size": documents.c.size_bytes,
    "type": documents.c.doc_type,
    "created": documents.c.created_at,
}

_LIST_COLUMNS = (
    documents.c.id,
    documents.c.dataset,
    documents.c.filename,
    documents.c.doc_type,
    documents.c.title,
    documents.c.doc_date,
    documents.c.page_count,
    documents.c.size_bytes,
    documents.c.status,
    documents.c.error,
    documents.c.bates_first,
    documents.c.bates_last,
)


def get_document(conn: Connection, document_id: str) -> dict[str, Any] | None:
    """All of a document's columns, or None."""
    row = conn.execute(select(documents).where(documents.c.id == document_id)).mappings().first()
    return dict(row) if row else None


def document_pages(conn: Connection, document_id: str) -> list[dict[str, Any]]:
    """The document's pages in order, with text, text source, confidence, Bates and redaction count."""
    rows = conn.execute(
        select(
            pages.c.number,
            pages.c.text,
            pages.c.char_count,
            pages.c.text_source,
            pages.c.ocr_confidence,
            pages.c.quality,
            pages.c.bates,
            pages.c.bates_source,
            pages.c.width,
            pages.c.height,
            pages.c.redaction_count,
            pages.c.error,
        )
        .where(pages.c.document_id == document_id)
        .order_by(pages.c.number)
    ).mappings()
    return [dict(r) for r in rows]


def document_page(conn: Connection, document_id: str, number: int) -> dict[str, Any] | None:
    row = (
        conn.execute(select(pages).where(pages.c.document_id == document_id, pages.c.number == number))
        .mappings()
        .first()
    )
    return dict(row) if row else None


def document_sources_of(conn: Connection, document_id: str) -> list[dict[str, Any]]:
    """Every path this document's bytes were found at within its data set."""
    rows = conn.execute(
        select(document_sources.c.storage_key, document_sources.c.source_path, document_sources.c.first_seen)
        .where(document_sources.c.document_id == document_id)
        .order_by(document_sources.c.first_seen)
    ).mappings()
    return [dict(r) for r in rows]


def also_in(conn: Connection, sha256: str, exclude_id: str) -> list[dict[str, Any]]:
    """The same file (same sha256) in other data sets."""
    rows = conn.execute(
        select(documents.c.id, documents.c.dataset, documents.c.filename, documents.c.bates_first)
        .where(documents.c.sha256 == sha256, documents.c.id != exclude_id)
        .order_by(documents.c.dataset)
    ).mappings()
    return [dict(r) for r in rows]


def resolve_bates(conn: Connection, bates: str) -> tuple[str, int] | None:
    """(document id, page number) of a Bates number: a stamped page first, else a document's range."""
    bates = bates.strip().upper()
    row = conn.execute(
        select(pages.c.document_id, pages.c.number)
        .join(documents, documents.c.id == pages.c.document_id)
        .where(pages.c.bates == bates)
        .order_by(documents.c.created_at)
        .limit(1)
    ).first()
    if row:
        return str(row[0]), int(row[1])
    match = BATES_RE.match(bates)
    if not match:
        return None
    prefix, digits = match.groups()
    # Same prefix and width: string order equals numeric order, so the range check can use the index.
    candidate = conn.execute(
        select(documents.c.id, documents.c.bates_first, documents.c.bates_last)
        .where(documents.c.bates_first <= bates, documents.c.bates_first.like(f"{prefix}%"))
        .order_by(documents.c.bates_first.desc())
        .limit(1)
    ).first()
    if candidate is None or candidate.bates_last is None:
        return None
    first = BATES_RE.match(candidate.bates_first)
    last = BATES_RE.match(candidate.bates_last)
    if not first or not last or len(first.group(2)) != len(digits):
        return None
    number = int(digits)
    if int(first.group(2)) <= number <= int(last.group(2)):
        return str(candidate.id), number - int(first.group(2)) + 1
    return None


def find_document(conn: Connection, key: str) -> dict[str, Any] | None:
    """A document by id, storage key, file name or Bates number (in that order)."""
    key = key.strip()
    doc = get_document(conn, key)
    if doc:
        return doc
    for column in (documents.c.storage_key, documents.c.filename):
        row = conn.execute(select(documents.c.id).where(column == key).limit(1)).first()
        if row:
            return get_document(conn, row[0])
    resolved = resolve_bates(conn, key.removesuffix(".pdf"))
    return get_document(conn, resolved[0]) if resolved else None


def _dataset_rows(conn: Connection, name: str | None) -> list[dict[str, Any]]:
    query = select(
        documents.c.dataset.label("name"),
        func.count().label("documents"),
        func.coalesce(func.sum(documents.c.page_count), 0).label("pages"),
        func.sum(case((documents.c.status == "failed", 1), else_=0)).label("failed"),
        func.min(documents.c.bates_first).label("bates_first"),
        func.max(documents.c.bates_last).label("bates_last"),
    )
    if name is not None:
        query = query.where(documents.c.dataset == name)
    rows = conn.execute(query.group_by(documents.c.dataset).order_by(documents.c.dataset)).mappings()
    return [dict(r) for r in rows]


def list_datasets(conn: Connection) -> list[dict[str, Any]]:
    """Each data set with its document, page and failed-file counts."""
    return _dataset_rows(conn, None)


def dataset_summary(conn: Connection, name: str) -> dict[str, Any] | None:
    rows = _dataset_rows(conn, name)
    return rows[0] if rows else None


def dataset_type_counts(conn: Connection, name: str) -> list[dict[str, Any]]:
    """Documents per type in a data set (type None = not yet classified)."""
    rows = conn.execute(
        select(documents.c.doc_type.label("type"), func.count().label("documents"))
        .where(documents.c.dataset == name)
        .group_by(documents.c.doc_type)
        .order_by(func.count().desc())
    ).mappings()
    return [dict(r) for r in rows]


def dataset_documents(
    conn: Connection,
    name: str,
    *,
    sort: str = "bates",
    descending: bool = False,
    page: int = 1,
    per_page: int = 50,
    doc_type: str | None = None,
) -> dict[str, Any]:
    """One page of a data set's documents, sorted; `total` counts all that match."""
    column = DOCUMENT_SORTS.get(sort, documents.c.bates_first)
    where = [documents.c.dataset == name]
    if doc_type:
        where.append(documents.c.doc_type == doc_type)
    total = conn.execute(select(func.count()).select_from(documents).where(and_(*where))).scalar_one()
    order = [column.desc() if descending else column.asc(), documents.c.filename]
    rows = conn.execute(
        select(*_LIST_COLUMNS)
        .where(and_(*where))
        .order_by(*order)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).mappings()
    return {"total": total, "page": page, "per_page": per_page, "documents": [dict(r) for r in rows]}


def failed_documents(conn: Connection, dataset: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Files recorded as failed, with their reason."""
    query = select(*_LIST_COLUMNS, documents.c.source_path).where(documents.c.status == "failed")
    if dataset is not None:
        query = query.where(documents.c.dataset == dataset)
    rows = conn.execute(query.order_by(documents.c.dataset, documents.c.filename).limit(limit)).mappings()
    return [dict(r) for r in rows]


def archive_status(conn: Connection) -> dict[str, Any]:
    """Totals for the home and status pages: files, failures, pages by text source, enrichment."""
    docs = (
        conn.execute(
            select(
                func.count().label("documents"),
                func.sum(case((documents.c.status == "ok", 1), else_=0)).label("ok"),
                func.sum(case((documents.c.status == "failed", 1), else_=0)).label("failed"),
                func.sum(case((documents.c.enriched_at.is_not(None), 1), else_=0)).label("enriched"),
                func.max(documents.c.updated_at).label("last_update"),
            )
        )
        .mappings()
        .one()
    )
    sources = conn.execute(
        select(pages.c.text_source, func.count().label("pages")).group_by(pages.c.text_source)
    ).all()
    page_total = sum(int(n) for _, n in sources)
    return {
        "documents": int(docs["documents"] or 0),
        "ok": int(docs["ok"] or 0),
        "failed": int(docs["failed"] or 0),
        "enriched": int(docs["enriched"] or 0),
        "last_update": docs["last_update"],
        "pages": page_total,
        "pages_by_source": {str(s): int(n) for s, n in sources},
        "entities": conn.execute(select(func.count()).select_from(entities)).scalar_one(),
        "mentions": conn.execute(select(func.count()).select_from(mentions)).scalar_one(),
    }
