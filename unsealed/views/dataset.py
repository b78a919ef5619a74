"""A data set's model: summary, counts by type, one sorted page of documents, failed files."""

from __future__ import annotations

from sqlalchemy import Connection

from unsealed.errors import NotFoundError
from unsealed.views import catalog
from unsealed.views.models import (
    Dataset,
    DatasetSort,
    DatasetSummary,
    DocumentRow,
    FailedFile,
    TypeCount,
    paging,
)

PER_PAGE = 50


def dataset_view(
    conn: Connection, name: str, *, sort: str, order: str, page: int, doc_type: str | None
) -> Dataset:
    summary = catalog.dataset_summary(conn, name)
    if summary is None:
        raise NotFoundError(f"no data set {name!r}")
    listing = catalog.dataset_documents(
        conn, name, sort=sort, descending=order == "desc", page=page, per_page=PER_PAGE, doc_type=doc_type
    )
    return Dataset(
        dataset=DatasetSummary(**summary),
        types=[TypeCount(**t) for t in catalog.dataset_type_counts(conn, name)],
        documents=[DocumentRow(**d) for d in listing["documents"]],
        paging=paging(page, PER_PAGE, listing["total"]),
        sort=DatasetSort(by=sort, order=order, type=doc_type),
        failed=[FailedFile(**f) for f in catalog.failed_documents(conn, dataset=name)],
    )
