"""`copies:`, `thread:` and load-file field clauses answered from the records (search/tree.Lookup).

Each becomes the set of documents it names, which the engine applies as a filter on document ids.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection, func, select

from unsealed.search.tree import And, Lookup, Node, Not, Or
from unsealed.store.documents import locate_document
from unsealed.store.schema import document_fields, email_threads, near_duplicates

MAX_IDS = 100_000


def load_field_keys(conn: Connection) -> frozenset[str]:
    return frozenset(conn.execute(select(document_fields.c.key).distinct()).scalars())


def _ids(conn: Connection, lookup: Lookup) -> tuple[str, ...]:
    if lookup.kind == "thread":
        query = select(email_threads.c.document_id).where(email_threads.c.thread == lookup.value.lower())
    elif lookup.kind == "copies":
        located = locate_document(conn, lookup.value)
        if located is None:
            return ()
        cluster = select(near_duplicates.c.cluster).where(
            near_duplicates.c.document_id == located.document_id,
            near_duplicates.c.page_number == 0,
            near_duplicates.c.cluster != "",
        )
        query = select(near_duplicates.c.document_id).where(
            near_duplicates.c.cluster.in_(cluster.scalar_subquery()), near_duplicates.c.page_number == 0
        )
        found = tuple(conn.execute(query.distinct().limit(MAX_IDS)).scalars())
        return found or (located.document_id,)
    else:
        query = select(document_fields.c.document_id).where(
            document_fields.c.key == lookup.name,
            func.lower(document_fields.c.value).contains(lookup.value.lower(), autoescape=True),
        )
    return tuple(conn.execute(query.distinct().limit(MAX_IDS)).scalars())


def resolve(conn: Connection, node: Node) -> Node:
    """The tree with every Lookup's documents filled in."""
    if isinstance(node, Lookup):
        return replace(node, ids=_ids(conn, node))
    if isinstance(node, And):
        return And(tuple(resolve(conn, item) for item in node.items))
    if isinstance(node, Or):
        return Or(tuple(resolve(conn, item) for item in node.items))
    if isinstance(node, Not):
        return Not(resolve(conn, node.item))
    return node


def has_lookups(node: Node) -> bool:
    if isinstance(node, Lookup):
        return True
    if isinstance(node, And | Or):
        return any(has_lookups(item) for item in node.items)
    if isinstance(node, Not):
        return has_lookups(node.item)
    return False
