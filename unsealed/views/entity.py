"""The entity and network pages' data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from unsealed.errors import NotFoundError
from unsealed.views import entity_detail as detail
from unsealed.views.entity_graph import co_mention_graph
from unsealed.views.queries import list_entities

MENTIONS_PER_PAGE = 50


def entity_view(conn: Connection, entity_id: str, page: int = 1) -> dict[str, Any]:
    entity = detail.get_entity(conn, entity_id)
    if entity is None:
        raise NotFoundError(f"no entity {entity_id!r}")
    mentions = detail.entity_mentions(conn, entity_id, page=page, per_page=MENTIONS_PER_PAGE)
    return {
        "entity": entity,
        "aliases": detail.entity_aliases(conn, entity_id),
        "documents": detail.entity_documents(conn, entity_id),
        "mentions": mentions["mentions"],
        "paging": {
            "page": page,
            "pages": max(1, -(-mentions["total"] // MENTIONS_PER_PAGE)),
            "total": mentions["total"],
        },
        "co_mentioned": detail.co_mentioned(conn, entity_id),
        "emails": detail.entity_emails(conn, entity),
        "timeline": detail.entity_timeline(conn, entity_id),
        "links": {
            "html": f"/entities/{entity_id}",
            "api": f"/api/v1/entities/{entity_id}",
            "network": f"/network?entity={entity_id}",
        },
    }


def entities_view(conn: Connection, entity_type: str | None, limit: int) -> dict[str, Any]:
    return {"type": entity_type, "entities": list_entities(conn, entity_type=entity_type, top=limit)}


def network_view(conn: Connection, entity_id: str, limit: int) -> dict[str, Any]:
    graph = co_mention_graph(conn, entity_id, limit=limit)
    if graph is None:
        raise NotFoundError(f"no entity {entity_id!r}")
    return graph
