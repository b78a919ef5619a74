"""Read functions over data sets and processing state (documents themselves: store/documents.py).

Every function takes a SQLAlchemy Connection and returns plain dicts/lists (views/home.py and
views/dataset.py make the typed models). Nothing here writes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, case, func, select

from unsealed.store.documents import natural_key
from unsealed.store.schema import documents, entities, mentions, pages
from unsealed.views.queries import iso

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


def _dataset_rows(conn: Connection, name: str | None) -> list[dict[str, Any]]:
    query = select(
        documents.c.dataset.label("name"),
        func.count().label("documents"),
        func.coalesce(func.sum(documents.c.page_count), 0).label("pages"),
        func.sum(case((documents.c.status == "failed", 1), else_=0)).label("failed"),
        # a failed file is marked enriched too (there was nothing to read): count only the others
        func.sum(
            case(
                (
                    and_(
                        documents.c.enriched_at.is_not(None),
                        documents.c.emails_at.is_not(None),
                        documents.c.status != "failed",
                    ),
                    1,
                ),
                else_=0,
            )
        ).label("enriched"),
        func.max(documents.c.updated_at).label("last_update"),
        func.min(documents.c.bates_first).label("bates_first"),
        func.max(documents.c.bates_last).label("bates_last"),
    )
    if name is not None:
        query = query.where(documents.c.dataset == name)
    rows = conn.execute(query.group_by(documents.c.dataset)).mappings()
    out = []
    for r in sorted(rows, key=lambda r: natural_key(r["name"])):
        row: dict[str, Any] = {
            k: int(v or 0) if k in ("documents", "pages", "failed", "enriched") else v for k, v in r.items()
        }
        row["ok"] = row["documents"] - row["failed"]
        row["last_update"] = iso(row["last_update"])
        out.append(row)
    return out


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
    listed = [{**r, "doc_date": iso(r["doc_date"])} for r in rows]
    return {"total": total, "page": page, "per_page": per_page, "documents": listed}


def failed_documents(conn: Connection, dataset: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Files recorded as failed, with their reason."""
    query = select(
        documents.c.id, documents.c.dataset, documents.c.filename, documents.c.storage_key, documents.c.error
    ).where(documents.c.status == "failed")
    if dataset is not None:
        query = query.where(documents.c.dataset == dataset)
    order = (documents.c.dataset, documents.c.storage_key)
    return [dict(r) for r in conn.execute(query.order_by(*order).limit(limit)).mappings()]


def archive_totals(datasets: list[dict[str, Any]]) -> dict[str, Any]:
    """Archive-wide totals from `list_datasets` rows (no second pass over the documents)."""
    updates = [str(d["last_update"]) for d in datasets if d["last_update"] is not None]
    documents_total = sum(int(d["documents"]) for d in datasets)
    failed = sum(int(d["failed"] or 0) for d in datasets)
    return {
        "documents": documents_total,
        "ok": documents_total - failed,
        "failed": failed,
        "pages": sum(int(d["pages"] or 0) for d in datasets),
        "enriched": sum(int(d["enriched"] or 0) for d in datasets),
        "last_update": max(updates) if updates else None,
    }


def processing_summary(conn: Connection) -> dict[str, Any]:
    """Pages by text source, and how many entities and mentions exist (a full pass: status page only)."""
    sources = conn.execute(
        select(pages.c.text_source, func.count().label("pages")).group_by(pages.c.text_source)
    ).all()
    return {
        "pages_by_source": {str(s): int(n) for s, n in sources},
        "entities": conn.execute(select(func.count()).select_from(entities)).scalar_one(),
        "mentions": conn.execute(select(func.count()).select_from(mentions)).scalar_one(),
    }
