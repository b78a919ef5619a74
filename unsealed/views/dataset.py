"""A data set page's data: summary, counts by type, one sorted page of documents, failed files."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from unsealed.errors import NotFoundError
from unsealed.views import catalog

PER_PAGE = 50


def dataset_view(
    conn: Connection, name: str, *, sort: str, order: str, page: int, doc_type: str | None
) -> dict[str, Any]:
    summary = catalog.dataset_summary(conn, name)
    if summary is None:
        raise NotFoundError(f"no data set {name!r}")
    listing = catalog.dataset_documents(
        conn, name, sort=sort, descending=order == "desc", page=page, per_page=PER_PAGE, doc_type=doc_type
    )
    pages = max(1, -(-listing["total"] // PER_PAGE))
    return {
        "dataset": summary,
        "types": catalog.dataset_type_counts(conn, name),
        "documents": listing["documents"],
        "paging": {"page": page, "pages": pages, "per_page": PER_PAGE, "total": listing["total"]},
        "sort": {"by": sort, "order": order, "type": doc_type},
        "failed": catalog.failed_documents(conn, dataset=name),
    }
