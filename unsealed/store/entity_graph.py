"""The co-mention graph around an entity: its most co-mentioned neighbours and the links among them.

Stop-gap for the web until the entities area (issue 4) offers its own graph query.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from unsealed.store.entity_detail import co_mentioned, get_entity
from unsealed.store.schema import mentions


def co_mention_graph(conn: Connection, entity_id: str, limit: int = 25) -> dict[str, Any] | None:
    """Nodes (the entity + up to `limit` neighbours) and edges weighted by shared documents."""
    center = get_entity(conn, entity_id)
    if center is None:
        return None
    neighbours = co_mentioned(conn, entity_id, limit=limit)
    nodes = [{"id": center["id"], "name": center["name"], "type": center["type"], "center": True}]
    nodes += [{"id": n["id"], "name": n["name"], "type": n["type"], "center": False} for n in neighbours]
    edges = [{"source": entity_id, "target": n["id"], "documents": n["documents"]} for n in neighbours]
    ids = [n["id"] for n in neighbours]
    if len(ids) > 1:
        a, b = mentions.alias("a"), mentions.alias("b")
        shared = func.count(func.distinct(a.c.document_id))
        rows = conn.execute(
            select(a.c.entity_id, b.c.entity_id, shared)
            .join(b, b.c.document_id == a.c.document_id)
            .where(a.c.entity_id.in_(ids), b.c.entity_id.in_(ids), a.c.entity_id < b.c.entity_id)
            .group_by(a.c.entity_id, b.c.entity_id)
        ).all()
        edges += [{"source": s, "target": t, "documents": int(n)} for s, t, n in rows]
    return {"center": center, "nodes": nodes, "edges": edges}
