"""The summaries of mention links: each document's entities (with mention counts), the number of
documents each pair of entities shares, each entity's mentions per month (its timeline), and each
entity's surface forms per rule, kept in step by resolution on every write.

`sync` compares the stored per-document entity counts with the new ones and rewrites only the
documents that changed; the pair counts move by the difference (a document whose entity set changed
takes its old pairs away and adds its new ones, counted in SQL from its new rows), and so do the
month sums (a changed document takes its old counts away from its old month and adds its new ones
to its month), so a run that relinks a few documents touches only their pairs and months. `rebuild`
fills the tables from the mentions at once (archives written in bulk).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from itertools import permutations

from sqlalchemy import Connection, Table, and_, delete, func, insert, select, update

from unsealed.store.bulk import add_counts, execute_many, insert_many, marks
from unsealed.store.schema import (
    document_entities,
    documents,
    emails,
    entity_forms,
    entity_months,
    entity_pairs,
    mentions,
)

CHUNK = 500
Links = Mapping[str, Mapping[str, int]]  # document id -> entity id -> mentions


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(values)
    for i in range(0, len(ordered), CHUNK):
        yield ordered[i : i + CHUNK]


def stored_links(
    conn: Connection, only: Iterable[str] | None = None
) -> tuple[dict[str, dict[str, int]], dict[str, str | None]]:
    """The stored summary (of the documents `only`, else all): document → entity → mentions, and
    document → month."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    months: dict[str, str | None] = {}
    columns = select(
        document_entities.c.entity_id,
        document_entities.c.document_id,
        document_entities.c.mentions,
        document_entities.c.month,
    )
    queries = (
        [columns]
        if only is None
        else [columns.where(document_entities.c.document_id.in_(chunk)) for chunk in _chunks(only)]
    )
    for query in queries:
        for entity, document, count, month in conn.execute(query):
            out[document][entity] = count
            months[document] = month
    return out, months


def _candidates(conn: Connection, touched: Iterable[str], months: Mapping[str, str | None]) -> set[str]:
    """Documents whose summary may be out of step: those resolution relinked, those summarised that
    no longer have a linked mention (deleted, or re-read without one), and those whose month moved."""
    linked = (
        select(mentions.c.id)
        .where(mentions.c.document_id == document_entities.c.document_id, mentions.c.entity_id.is_not(None))
        .exists()
    )
    out = set(touched)
    out.update(conn.execute(select(document_entities.c.document_id).where(~linked).distinct()).scalars())
    filed = select(document_entities.c.document_id, document_entities.c.month).distinct()
    out.update(doc for doc, month in conn.execute(filed) if months.get(doc) != month)
    return out


def _month(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return f"{value.year:04d}-{value.month:02d}"


def document_months(conn: Connection) -> dict[str, str | None]:
    """Each document's month ('YYYY-MM', UTC): its date, else its own e-mail's sent date."""
    rows = conn.execute(
        select(documents.c.id, documents.c.doc_date, emails.c.sent_at).outerjoin(
            emails, and_(emails.c.document_id == documents.c.id, emails.c.seq == 0)
        )
    )
    return {doc: _month(date or sent) for doc, date, sent in rows}


def sync(conn: Connection, links: Links, touched: Iterable[str] | None = None) -> int:
    """Make the summaries match `links` (every document with linked mentions) and the documents'
    months; returns the number of documents rewritten. With `touched` (the documents whose links
    resolution changed), only those and the documents `_candidates` finds are compared."""
    months = document_months(conn)
    if touched is None:
        stored, stored_months = stored_links(conn)
        candidates = stored.keys() | links.keys()
    else:
        candidates = _candidates(conn, touched, months)
        stored, stored_months = stored_links(conn, candidates)
    changed = [
        d
        for d in candidates
        if stored.get(d, {}) != dict(links.get(d, {}))
        or (d in links and stored_months.get(d) != months.get(d))
    ]
    delta: Counter[tuple[str, str]] = Counter()  # the pairs of the documents' old entity sets
    paired: list[str] = []  # documents whose new entity set, of two or more, is not the old one
    by_month: Counter[tuple[str, str]] = Counter()
    for doc in changed:
        old, new = set(stored.get(doc, ())), set(links.get(doc, ()))
        if old != new:
            delta.subtract(permutations(old, 2))
            if len(new) > 1:
                paired.append(doc)
        if month := stored_months.get(doc):
            by_month.subtract({(e, month): n for e, n in stored.get(doc, {}).items()})
        if month := months.get(doc):
            by_month.update({(e, month): n for e, n in links.get(doc, {}).items()})
    for chunk in _chunks(changed):
        conn.execute(delete(document_entities).where(document_entities.c.document_id.in_(chunk)))
        rows = [
            {"entity_id": e, "document_id": d, "mentions": n, "month": months.get(d)}
            for d in chunk
            for e, n in links.get(d, {}).items()
        ]
        insert_many(conn, document_entities, rows)
    _add_pairs(conn, paired)
    _move_counts(conn, entity_pairs, ("entity_id", "other_id"), "documents", delta)
    _move_counts(conn, entity_months, ("entity_id", "month"), "mentions", by_month)
    return len(changed)


def _add_pairs(conn: Connection, documents: Iterable[str]) -> None:
    """Add the pairs of the `documents`' entities (as their rows in `document_entities` now have
    them) to the pair counts, in SQL: one `INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE` per
    chunk of documents, each pair counted and upserted inside the database (a first resolution of
    100 documents moves 164,000 pairs: counting them in Python and sending them row by row cost
    twice as much)."""
    pairs, links = entity_pairs.name, document_entities.name
    for chunk in _chunks(documents):
        conn.exec_driver_sql(
            f"INSERT INTO {pairs} (entity_id, other_id, documents) "
            f"SELECT a.entity_id, b.entity_id, count(*) FROM {links} AS a "
            f"JOIN {links} AS b ON b.document_id = a.document_id AND b.entity_id <> a.entity_id "
            f"WHERE a.document_id IN ({marks(conn, len(chunk))}) GROUP BY a.entity_id, b.entity_id "
            f"ON CONFLICT (entity_id, other_id) DO UPDATE "
            f"SET documents = {pairs}.documents + excluded.documents",
            tuple(chunk),
        )


def _move_counts(
    conn: Connection, table: Table, keys: tuple[str, str], count: str, delta: Mapping[tuple[str, str], int]
) -> None:
    """Add `delta` (key pair → change) to the `count` column of `table` (the pair counts, the month
    sums). Only the rows it moves are written: each is added to its stored count, or inserted, in
    one upsert (no read of the stored rows first: a release of copies moves most pairs of the
    archive, and reading them back cost as much as writing them), then those that fell to zero are
    deleted."""
    rows = [(a, b, n) for (a, b), n in delta.items() if n]
    add_counts(conn, table, keys, count, rows)
    execute_many(
        conn,
        f"DELETE FROM {table.name} WHERE {keys[0]} = ? AND {keys[1]} = ? AND {count} <= 0",
        [(a, b) for a, b, n in rows if n < 0],
    )


def sync_forms(conn: Connection, forms: Mapping[str, Mapping[tuple[str, str], int]]) -> int:
    """Make `entity_forms` match `forms` (entity id → (text, rule) → mentions), rewriting only the
    entities whose forms changed; returns their number."""
    stored: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for entity, text, rule, count in conn.execute(select(entity_forms)):
        stored[entity][(text, rule)] = count
    changed = [e for e in stored.keys() | forms.keys() if stored.get(e, {}) != dict(forms.get(e, {}))]
    for chunk in _chunks(changed):
        conn.execute(delete(entity_forms).where(entity_forms.c.entity_id.in_(chunk)))
        rows = [
            {"entity_id": e, "text": text, "rule": rule, "mentions": n}
            for e in chunk
            for (text, rule), n in forms.get(e, {}).items()
        ]
        insert_many(conn, entity_forms, rows)
    return len(changed)


def rebuild(conn: Connection, *, months: bool = True) -> None:
    """The summaries from the mentions table, in SQL (for archives whose mentions were written in
    bulk, and the migration that introduced them; `months=False` leaves out the month sums, whose
    table a later migration adds and fills)."""
    conn.execute(delete(entity_pairs))
    if months:
        conn.execute(delete(entity_months))
    conn.execute(delete(document_entities))
    conn.execute(delete(entity_forms))
    rule = func.coalesce(mentions.c.rule, "exact")
    forms = (
        select(mentions.c.entity_id, mentions.c.text, rule, func.count())
        .where(mentions.c.entity_id.is_not(None))
        .group_by(mentions.c.entity_id, mentions.c.text, rule)
    )
    conn.execute(insert(entity_forms).from_select(["entity_id", "text", "rule", "mentions"], forms))
    per_doc = (
        select(mentions.c.entity_id, mentions.c.document_id, func.count())
        .where(mentions.c.entity_id.is_not(None))
        .group_by(mentions.c.entity_id, mentions.c.document_id)
    )
    conn.execute(insert(document_entities).from_select(["entity_id", "document_id", "mentions"], per_doc))
    filed = document_months(conn)
    by_month: dict[str, list[str]] = defaultdict(list)
    for doc in conn.execute(select(document_entities.c.document_id).distinct()).scalars():
        if month := filed.get(doc):
            by_month[month].append(doc)
    for month, docs in by_month.items():
        for chunk in _chunks(docs):
            conn.execute(
                update(document_entities)
                .where(document_entities.c.document_id.in_(chunk))
                .values(month=month)
            )
    if months:
        keys = (document_entities.c.entity_id, document_entities.c.month)
        sums = (
            select(*keys, func.sum(document_entities.c.mentions))
            .where(document_entities.c.month.is_not(None))
            .group_by(*keys)
        )
        conn.execute(insert(entity_months).from_select(["entity_id", "month", "mentions"], sums))
    a, b = document_entities.alias("a"), document_entities.alias("b")
    pairs = (
        select(a.c.entity_id, b.c.entity_id, func.count())
        .select_from(a.join(b, (a.c.document_id == b.c.document_id) & (a.c.entity_id != b.c.entity_id)))
        .group_by(a.c.entity_id, b.c.entity_id)
    )
    conn.execute(insert(entity_pairs).from_select(["entity_id", "other_id", "documents"], pairs))
