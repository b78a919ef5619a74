"""Read functions for an entity: aliases, rules, documents, mentions with citations, co-mentions,
e-mails, timeline. They page through mentions and aggregate per document first, so a hub entity's
page stays fast. Plain dicts; views/entity.py makes the typed model.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import ColumnElement, Connection, String, Subquery, and_, cast, func, or_, select

from unsealed.enrich.names import name_key
from unsealed.store.schema import documents, emails, entities, mentions, pages
from unsealed.views.queries import email_dict

SNIPPET_CHARS = 90


def _recipients(raw: str | None) -> dict[str, list[dict[str, str | None]]]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def entity_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(entities)).scalar_one())


def get_entity(conn: Connection, entity_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(entities).where(entities.c.id == entity_id)).mappings().first()
    return dict(row) if row else None


def entity_aliases(conn: Connection, entity_id: str) -> list[dict[str, Any]]:
    """Surface forms the entity was printed as (OCR variants included), most frequent first."""
    rows = conn.execute(
        select(mentions.c.text, func.count().label("count"))
        .where(mentions.c.entity_id == entity_id)
        .group_by(mentions.c.text)
        .order_by(func.count().desc(), mentions.c.text)
    ).mappings()
    return [dict(r) for r in rows]


def entity_documents(conn: Connection, entity_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """Documents that mention the entity, with mention counts, most mentions first."""
    per_doc = (
        select(mentions.c.document_id, func.count().label("mentions"))
        .where(mentions.c.entity_id == entity_id)
        .group_by(mentions.c.document_id)
        .order_by(func.count().desc(), mentions.c.document_id)
        .limit(limit)
        .subquery()
    )
    return documents_by_mentions(conn, per_doc, documents.c.bates_first)


def documents_by_mentions(
    conn: Connection, per_doc: Subquery, tiebreak: ColumnElement[Any], limit: int | None = None
) -> list[dict[str, Any]]:
    """The documents of `per_doc` (document_id, mentions) with their citation fields, most
    mentions first."""
    stmt = (
        select(
            documents.c.id,
            documents.c.filename,
            documents.c.dataset,
            documents.c.doc_type,
            documents.c.bates_first,
            documents.c.doc_date,
            per_doc.c.mentions,
        )
        .join(per_doc, per_doc.c.document_id == documents.c.id)
        .order_by(per_doc.c.mentions.desc(), tiebreak)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _snippet(text: str, start: int, end: int) -> dict[str, str]:
    before = text[max(0, start - SNIPPET_CHARS) : start]
    after = text[end : end + SNIPPET_CHARS]
    return {
        "before": ("…" if start > SNIPPET_CHARS else "") + before.replace("\n", " "),
        "match": text[start:end].replace("\n", " "),
        "after": after.replace("\n", " ") + ("…" if end + SNIPPET_CHARS < len(text) else ""),
    }


def entity_mentions(conn: Connection, entity_id: str, *, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """One page of the entity's mentions with a snippet and a citation (Bates, page, file, data set)."""
    total = conn.execute(
        select(func.count()).select_from(mentions).where(mentions.c.entity_id == entity_id)
    ).scalar_one()
    rows = conn.execute(
        select(
            mentions.c.id,
            mentions.c.document_id,
            mentions.c.page_number,
            mentions.c.start,
            mentions.c.end,
            pages.c.text.label("page_text"),
            pages.c.bates,
            documents.c.filename,
            documents.c.dataset,
        )
        .join(documents, documents.c.id == mentions.c.document_id)
        .join(
            pages,
            and_(pages.c.document_id == mentions.c.document_id, pages.c.number == mentions.c.page_number),
        )
        .where(mentions.c.entity_id == entity_id)
        .order_by(mentions.c.id)  # extraction order (by document as ingested): cheap at any depth
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).mappings()
    items = []
    for r in rows:
        item = {k: r[k] for k in r.keys() if k != "page_text"}
        item["snippet"] = _snippet(r["page_text"] or "", r["start"], r["end"])
        items.append(item)
    return {"total": total, "page": page, "per_page": per_page, "mentions": items}


def co_mentioned(
    conn: Connection, entity_id: str, limit: int = 30, *, min_shared: int = 1, types: list[str] | None = None
) -> list[dict[str, Any]]:
    """Entities mentioned in the same documents, with the number of documents they share."""
    mine = select(mentions.c.document_id).where(mentions.c.entity_id == entity_id).distinct()
    shared = func.count(func.distinct(mentions.c.document_id))
    counts = (
        select(mentions.c.entity_id, shared.label("documents"))
        .where(mentions.c.document_id.in_(mine), mentions.c.entity_id != entity_id)
        .group_by(mentions.c.entity_id)
        .having(shared >= min_shared)
        .subquery()
    )
    query = (
        select(entities.c.id, entities.c.type, entities.c.name, counts.c.documents)
        .join(counts, counts.c.entity_id == entities.c.id)
        .where(entities.c.hidden.is_(False))
    )
    if types:
        query = query.where(entities.c.type.in_(types))
    rows = conn.execute(query.order_by(counts.c.documents.desc(), entities.c.name).limit(limit)).mappings()
    return [dict(r) for r in rows]


def entity_rules(conn: Connection, entity_id: str) -> dict[str, int]:
    """How the entity's mentions were linked to it (resolution rule → mentions; "exact" when none)."""
    rule = func.coalesce(mentions.c.rule, "exact")
    rows = conn.execute(
        select(rule, func.count())
        .where(mentions.c.entity_id == entity_id)
        .group_by(rule)
        .order_by(func.count().desc(), rule)
    ).all()
    return {str(r): int(n) for r, n in rows}


def _email_dict(row: Any) -> dict[str, Any]:
    return {**email_dict(row), "document_id": row.document_id, "filename": row.filename}


def entity_emails(
    conn: Connection, entity: dict[str, Any], aliases: list[str], limit: int = 100
) -> dict[str, list[dict[str, Any]]]:
    """E-mails a PERSON or EMAIL entity sent and received, and the addresses (names) it went by.

    Matched by alias key: a person by `name_key` of any surface form it was printed as (OCR variants
    and curator merges included), an address by the address itself. A cheap LIKE on the surname
    narrows the rows first; the key decides.
    """
    empty: dict[str, list[dict[str, Any]]] = {"sent": [], "received": [], "linked": []}
    is_email = entity["type"] == "EMAIL"
    if is_email:
        keys = {entity["key"].lower()}
    elif entity["type"] == "PERSON":
        keys = {name_key(a, "PERSON") for a in {entity["name"], *aliases}} - {""}
    else:
        return empty
    probes = sorted(keys)[:20]
    if not probes:
        return empty
    like = [func.lower(emails.c.sender_address).in_(probes)] if is_email else []
    for probe in probes:
        word = probe if is_email else probe.split()[-1]
        like += [emails.c.recipients.ilike(f"%{word}%"), emails.c.sender_name.ilike(f"%{word}%")]

    def matches(person: dict[str, Any]) -> bool:
        if is_email:
            return (person.get("address") or "").lower() in keys
        name = person.get("name")
        return isinstance(name, str) and bool(name) and name_key(name, "PERSON") in keys

    # the e-mails naming it are in the documents it is mentioned in (header lines are read for
    # entities too): the mentions index narrows the rows before any LIKE
    mine = select(mentions.c.document_id).where(mentions.c.entity_id == entity["id"]).distinct()
    rows = conn.execute(
        select(emails, documents.c.filename)
        .join(documents, documents.c.id == emails.c.document_id)
        .where(emails.c.document_id.in_(mine), or_(*like))
        .order_by(emails.c.sent_at, documents.c.filename, emails.c.seq)
        .limit(2000)
    )
    linked: Counter[str] = Counter()
    sent, received = [], []
    for r in rows:
        data = _email_dict(r)
        people = [data["from"], *data["to"], *data["cc"], *data["bcc"]]
        for person in people:
            other = person.get("name") if is_email else person.get("address")
            if other and matches(person):
                linked[other] += 1
        if matches(data["from"]):
            sent.append(data)
        elif any(matches(p) for p in people[1:]):
            received.append(data)
    return {
        "sent": sent[:limit],
        "received": received[:limit],
        "linked": [{"value": k, "count": n} for k, n in linked.most_common()],
    }


def entity_timeline(conn: Connection, entity_id: str) -> list[dict[str, Any]]:
    """Mentions per month, dated by the document's date or its own e-mail's sent date; undated left out."""
    per_doc = (
        select(mentions.c.document_id, func.count().label("n"))
        .where(mentions.c.entity_id == entity_id)
        .group_by(mentions.c.document_id)
        .subquery()
    )
    # 'YYYY-MM' cut from the stored value: no datetime parsing per row (SQLite text, PostgreSQL cast).
    month = func.substr(
        func.coalesce(cast(documents.c.doc_date, String), cast(emails.c.sent_at, String)), 1, 7
    ).label("month")
    rows = conn.execute(
        select(month, func.sum(per_doc.c.n))
        .select_from(per_doc)
        .join(documents, documents.c.id == per_doc.c.document_id)
        .outerjoin(emails, and_(emails.c.document_id == per_doc.c.document_id, emails.c.seq == 0))
        .group_by(month)
        .order_by(month)
    ).all()
    return [{"month": m, "mentions": int(n)} for m, n in rows if m]
