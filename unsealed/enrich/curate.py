"""Curator actions: record a decision, then re-resolve so it takes effect (and keeps doing so)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from unsealed.enrich import curation
from unsealed.enrich.lookup import find_entity
from unsealed.enrich.names import fold
from unsealed.enrich.resolve import resolve_archive
from unsealed.errors import ConfigError
from unsealed.store.schema import entities, mentions


def _ref(conn: Connection, name_or_id: str) -> tuple[str, str, str]:
    eid = find_entity(conn, name_or_id)
    row = conn.execute(select(entities.c.type, entities.c.key).where(entities.c.id == eid)).one()
    return eid, row.type, row.key


def merge(conn: Connection, into: str, other: str) -> dict[str, Any]:
    """Merge entity `other` into entity `into` (names or ids)."""
    a, b = _ref(conn, into), _ref(conn, other)
    if a[0] == b[0]:
        raise ConfigError(f"{into!r} and {other!r} are already the same entity")
    curation.record(conn, "merge", {"entity": [a[1], a[2]], "other": [b[1], b[2]]})
    resolve_archive(conn)
    return {"action": "merge", "entity": a[0], "merged": b[0]}


def split(conn: Connection, entity: str, alias: str) -> dict[str, Any]:
    """Move the mentions printed as `alias` out of `entity` into an entity of their own."""
    eid, etype, key = _ref(conn, entity)
    texts = {
        t for (t,) in conn.execute(select(mentions.c.text).where(mentions.c.entity_id == eid).distinct())
    }
    if fold(alias) not in {fold(t) for t in texts}:
        raise ConfigError(
            f"{alias!r} is not an alias of {entity!r} (its aliases: {', '.join(sorted(texts))})"
        )
    curation.record(conn, "split", {"entity": [etype, key], "alias": alias})
    resolve_archive(conn)
    new = conn.execute(
        select(mentions.c.entity_id)
        .where(func.lower(mentions.c.text) == alias.lower())
        .where(mentions.c.rule.like("%curator_split%"))
    ).first()
    return {"action": "split", "entity": eid, "alias": alias, "new_entity": new[0] if new else None}


def hide(conn: Connection, entity: str, hidden: bool = True) -> dict[str, Any]:
    """Hide an entity from lists and document views (or show it again); its mentions are kept."""
    eid, etype, key = _ref(conn, entity)
    curation.record(conn, "hide" if hidden else "unhide", {"entity": [etype, key]})
    resolve_archive(conn)
    return {"action": "hide" if hidden else "unhide", "entity": eid}
