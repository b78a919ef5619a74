"""The home and status pages' data: data sets, ingest status, failed files, top entities."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from unsealed.views import catalog
from unsealed.views.entity_detail import entity_count
from unsealed.views.queries import list_entities

FAILED_ON_STATUS = 1000


def status_view(conn: Connection) -> dict[str, Any]:
    datasets = catalog.list_datasets(conn)
    return {
        "status": {**catalog.archive_totals(datasets), **catalog.processing_summary(conn)},
        "datasets": datasets,
        "failed": catalog.failed_documents(conn, limit=FAILED_ON_STATUS),
    }


def home_view(conn: Connection) -> dict[str, Any]:
    datasets = catalog.list_datasets(conn)
    totals = catalog.archive_totals(datasets)
    return {
        "status": {**totals, "entities": entity_count(conn)},
        "datasets": datasets,
        "failed": catalog.failed_documents(conn, limit=10),
        "failed_total": totals["failed"],
        "top_entities": list_entities(conn, top=24),
    }
