"""Find an entity by its id, its name or any surface form a reader types."""

from __future__ import annotations

from sqlalchemy import Connection, and_, func, or_, select

from unsealed.domain import ENTITY_TYPES
from unsealed.enrich.names import name_key
from unsealed.errors import NotFoundError
from unsealed.store.schema import entities, mentions


def find_entity(conn: Connection, name_or_id: str) -> str:
    """The id of the entity an id, a name or any surface form designates (most mentioned wins)."""
    if conn.execute(select(entities.c.id).where(entities.c.id == name_or_id)).first():
        return name_or_id
    keys = [(t, name_key(name_or_id, t)) for t in ENTITY_TYPES]
    conds = [and_(entities.c.type == t, entities.c.key == k) for t, k in keys if k]
    conds.append(func.lower(entities.c.name) == name_or_id.lower())
    by_key = select(entities.c.id).where(or_(*conds)).order_by(entities.c.mention_count.desc())
    hit = conn.execute(by_key).first()
    if hit is None:
        hit = conn.execute(
            select(entities.c.id)
            .join(mentions, mentions.c.entity_id == entities.c.id)
            .where(func.lower(mentions.c.text) == name_or_id.lower())
            .group_by(entities.c.id)
            .order_by(func.count().desc())
        ).first()
    if hit is None:
        raise NotFoundError(f"no entity named {name_or_id!r} (try `unsealed entities` to list them)")
    return str(hit[0])
