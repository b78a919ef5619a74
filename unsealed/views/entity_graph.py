"""The co-mention graph around an entity: its most co-mentioned neighbours and the links among them.

`enrich.queries.co_mention_graph` lists the neighbours only; the network page also needs the links
among them, computed here within the entity's own documents.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations
from typing import Any

from sqlalchemy import Connection, select

from unsealed.store.schema import mentions
from unsealed.views.entity_detail import co_mentioned, get_entity


def co_mention_graph(conn: Connection, entity_id: str, limit: int = 25) -> dict[str, Any] | None:
    """Nodes (the entity + up to `limit` neighbours) and edges weighted by shared documents.

    An ego network: edges from the entity count all the documents it shares with a neighbour; edges
    between two neighbours count the documents among the entity's own where both appear.
    """
    center = get_entity(conn, entity_id)
    if center is None:
        return None
    neighbours = co_mentioned(conn, entity_id, limit=limit)
    nodes = [{"id": center["id"], "name": center["name"], "type": center["type"], "center": True}]
    nodes += [{"id": n["id"], "name": n["name"], "type": n["type"], "center": False} for n in neighbours]
    edges = [{"source": entity_id, "target": n["id"], "documents": n["documents"]} for n in neighbours]
    ids = [n["id"] for n in neighbours]
    if len(ids) > 1:
        mine = select(mentions.c.document_id).where(mentions.c.entity_id == entity_id).distinct()
        rows = conn.execute(
            select(mentions.c.document_id, mentions.c.entity_id)
            .where(mentions.c.document_id.in_(mine), mentions.c.entity_id.in_(ids))
            .distinct()
        ).all()
        by_doc: dict[str, set[str]] = defaultdict(set)
        for doc, ent in rows:
            by_doc[doc].add(ent)
        pairs: Counter[tuple[str, str]] = Counter()
        for present in by_doc.values():
            pairs.update(combinations(sorted(present), 2))
        edges += [{"source": a, "target": b, "documents": n} for (a, b), n in sorted(pairs.items())]
    return {"center": center, "nodes": nodes, "edges": edges}
