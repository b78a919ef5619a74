"""The home and status models: data sets, ingest status, failed files, top entities, search index."""

from __future__ import annotations

from sqlalchemy import Connection

from unsealed.search.indexer import status_dict as index_status
from unsealed.store import work
from unsealed.store.archive import Archive
from unsealed.views import catalog
from unsealed.views.entity_detail import entity_count
from unsealed.views.models import (
    DatasetSummary,
    EntitySummary,
    FailedFile,
    Home,
    IndexState,
    Queue,
    Status,
    Totals,
)
from unsealed.views.queries import list_entities

FAILED_ON_STATUS = 1000


def status_view(archive: Archive) -> Status:
    """`status --json` and `/api/v1/status`: totals, pages by text source, data sets, failed files."""
    with archive.engine.connect() as conn:
        datasets = catalog.list_datasets(conn)
        processing = catalog.processing_summary(conn)
        failed = catalog.failed_documents(conn, limit=FAILED_ON_STATUS)
        queue = work.summary(conn)
    return Status(
        totals=Totals(**catalog.archive_totals(datasets)),
        pages_by_source=processing["pages_by_source"],
        entities=processing["entities"],
        mentions=processing["mentions"],
        datasets=[DatasetSummary(**d) for d in datasets],
        failed=[FailedFile(**f) for f in failed],
        search_index=IndexState.model_validate(index_status(archive)),
        queue=Queue.model_validate(queue),
    )


def home_view(conn: Connection) -> Home:
    datasets = catalog.list_datasets(conn)
    return Home(
        totals=Totals(**catalog.archive_totals(datasets)),
        entities=entity_count(conn),
        datasets=[DatasetSummary(**d) for d in datasets],
        failed=[FailedFile(**f) for f in catalog.failed_documents(conn, limit=10)],
        top_entities=[EntitySummary(**e) for e in list_entities(conn, top=24)],
    )
