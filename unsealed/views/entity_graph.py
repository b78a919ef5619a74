"""The co-mention graph around an entity: its most co-mentioned neighbours and the links among them."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations

from sqlalchemy import Connection, select

from unsealed.store.schema import mentions
from unsealed.views.entity_detail import co_mentioned, get_entity
from unsealed.views.models import Edge, EntitySummary, Network, Node


def co_mention_graph(
    conn: Connection, entity_id: str, limit: int = 25, *, min_shared: int = 1, types: list[str] | None = None
) -> Network | None:
    """Nodes (the entity + up to `limit` neighbours) and edges weighted by shared documents.

    An ego network: edges from the entity count all the documents it shares with a neighbour; edges
    between two neighbours count the documents among the entity's own where both appear. Neighbours
    sharing fewer than `min_shared` documents, or not of `types` (when given), are left out.
    """
    center = get_entity(conn, entity_id)
    if center is None:
        return None
    neighbours = co_mentioned(conn, entity_id, limit=limit, min_shared=min_shared, types=types)
    nodes = [Node(id=center["id"], name=center["name"], type=center["type"], center=True)]
    nodes += [
        Node(id=n["id"], name=n["name"], type=n["type"], center=False, documents=n["documents"])
        for n in neighbours
    ]
    edges = [Edge(source=entity_id, target=n["id"], documents=n["documents"]) for n in neighbours]
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
        edges += [
            Edge(source=a, target=b, documents=n) for (a, b), n in sorted(pairs.items()) if n >= min_shared
        ]
    return Network(
        center=EntitySummary.model_validate(center),
        nodes=nodes,
        edges=edges,
        min_shared=min_shared,
        types=types or [],
    )
