"""The home and status pages' data: data sets, ingest status, failed files, top entities."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from unsealed.store import catalog, entity_reads


def status_view(conn: Connection, failed_limit: int = 100) -> dict[str, Any]:
    return {
        "status": catalog.archive_status(conn),
        "datasets": catalog.list_datasets(conn),
        "failed": catalog.failed_documents(conn, limit=failed_limit),
    }


def home_view(conn: Connection) -> dict[str, Any]:
    view = status_view(conn, failed_limit=10)
    view["top_entities"] = entity_reads.top_entities(conn, limit=24)
    return view
