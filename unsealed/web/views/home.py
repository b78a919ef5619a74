"""The home and status pages' data: data sets, ingest status, failed files, top entities."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from unsealed.store import catalog, entity_reads
from unsealed.store.documents import status_summary


def status_view(conn: Connection) -> dict[str, Any]:
    summary = status_summary(conn)
    return {
        "status": {**summary["totals"], **catalog.processing_summary(conn)},
        "datasets": catalog.list_datasets(conn),
        "failed": summary["failed"],
    }


def home_view(conn: Connection) -> dict[str, Any]:
    view = status_view(conn)
    view["failed_total"] = len(view["failed"])
    view["failed"] = view["failed"][:10]
    view["top_entities"] = entity_reads.top_entities(conn, limit=24)
    return view
