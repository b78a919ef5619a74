"""Read functions for an entity's page: aliases, documents, mentions with citations, e-mails, timeline.

Beside `enrich.queries.entity_detail` (which loads every mention at once): these page through
mentions with snippets and Bates citations and aggregate per document first, so a hub entity's page
stays fast. Plain dicts.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, String, and_, cast, func, select

from unsealed.store.schema import documents, emails, entities, mentions, pages

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
    rows = conn.execute(
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
        .order_by(per_doc.c.mentions.desc(), documents.c.bates_first)
    ).mappings()
    return [dict(r) for r in rows]


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


def co_mentioned(conn: Connection, entity_id: str, limit: int = 30) -> list[dict[str, Any]]:
    """Entities mentioned in the same documents, with the number of documents they share."""
    mine = select(mentions.c.document_id).where(mentions.c.entity_id == entity_id).distinct()
    shared = func.count(func.distinct(mentions.c.document_id))
    counts = (
        select(mentions.c.entity_id, shared.label("documents"))
        .where(mentions.c.document_id.in_(mine), mentions.c.entity_id != entity_id)
        .group_by(mentions.c.entity_id)
        .subquery()
    )
    rows = conn.execute(
        select(entities.c.id, entities.c.type, entities.c.name, counts.c.documents)
        .join(counts, counts.c.entity_id == entities.c.id)
        .where(entities.c.hidden.is_(False))
        .order_by(counts.c.documents.desc(), entities.c.name)
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


def _email_row(r: Any) -> dict[str, Any]:
    return {**dict(r), "recipients": _recipients(r["recipients"])}


def entity_emails(
    conn: Connection, entity: dict[str, Any], limit: int = 100
) -> dict[str, list[dict[str, Any]]]:
    """E-mails the entity sent and received: by address for an e-mail entity, by name for a person."""
    if entity["type"] == "EMAIL":
        sent_when = func.lower(func.coalesce(emails.c.sender_address, "")) == entity["key"].lower()
        needle = entity["key"].lower()
    elif entity["type"] == "PERSON":
        sent_when = func.lower(func.coalesce(emails.c.sender_name, "")) == entity["name"].lower()
        needle = entity["name"].lower()
    else:
        return {"sent": [], "received": []}
    columns = (
        emails.c.document_id,
        emails.c.seq,
        emails.c.sender_name,
        emails.c.sender_address,
        emails.c.recipients,
        emails.c.subject,
        emails.c.sent_at,
        emails.c.sent_raw,
        documents.c.filename,
    )
    base = select(*columns).join(documents, documents.c.id == emails.c.document_id)
    order = (emails.c.sent_at, documents.c.filename)
    sent = conn.execute(base.where(sent_when).order_by(*order).limit(limit)).mappings()
    received = conn.execute(
        base.where(
            func.lower(emails.c.recipients).contains(needle, autoescape=True),
            ~sent_when,
        )
        .order_by(*order)
        .limit(limit)
    ).mappings()
    return {"sent": [_email_row(r) for r in sent], "received": [_email_row(r) for r in received]}


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
