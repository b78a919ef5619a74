"""Read-side queries over entities, mentions and e-mails, shared by the CLI, web pages and API.

All return plain data (dicts and lists of str/int/None) ready for JSON. Hidden entities are left
out of document views and lists unless asked for.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select

from unsealed.domain import ENTITY_TYPES
from unsealed.enrich.names import name_key
from unsealed.errors import NotFoundError
from unsealed.store.schema import documents, emails, entities, mentions


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _entity_summary(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": row.type,
        "name": row.name,
        "hidden": bool(row.hidden),
        "mention_count": row.mention_count,
        "document_count": row.document_count,
    }


def document_entities(conn: Connection, document_id: str) -> dict[str, list[dict[str, Any]]]:
    """A document's entities grouped by type, most mentioned first, each with its mentions."""
    rows = conn.execute(
        select(mentions, entities.c.name.label("entity_name"))
        .join(entities, entities.c.id == mentions.c.entity_id)
        .where(mentions.c.document_id == document_id, entities.c.hidden.is_(False))
        .order_by(mentions.c.page_number, mentions.c.start)
    )
    grouped: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in rows:
        entry = grouped[r.type].setdefault(
            r.entity_id, {"id": r.entity_id, "name": r.entity_name, "count": 0, "mentions": []}
        )
        entry["count"] += 1
        entry["mentions"].append(
            {"page": r.page_number, "start": r.start, "end": r.end, "text": r.text, "rule": r.rule}
        )
    order = {t: i for i, t in enumerate(ENTITY_TYPES)}
    return {
        t: sorted(by_id.values(), key=lambda e: (-e["count"], e["name"]))
        for t, by_id in sorted(grouped.items(), key=lambda kv: order.get(kv[0], 99))
    }


def _email_dict(row: Any) -> dict[str, Any]:
    recipients = json.loads(row.recipients) if row.recipients else {}
    return {
        "seq": row.seq,
        "page": row.page_number,
        "from": {"name": row.sender_name, "address": row.sender_address},
        "to": recipients.get("to", []),
        "cc": recipients.get("cc", []),
        "bcc": recipients.get("bcc", []),
        "subject": row.subject,
        "sent_at": _iso(row.sent_at),
        "sent_raw": row.sent_raw,
        "kind": row.kind,
        "line": row.line,
        "from_printed": row.sender,
        "from_address_printed": row.sender_address_printed,
        "sent_clock": row.sent_clock.isoformat(timespec="minutes") if row.sent_clock else None,
        "body_hash": row.body_hash,
    }


def document_emails(conn: Connection, document_id: str) -> list[dict[str, Any]]:
    """The printed e-mail headers of a document, in chain order (seq 0 is its own header)."""
    rows = conn.execute(select(emails).where(emails.c.document_id == document_id).order_by(emails.c.seq))
    return [_email_dict(r) for r in rows]


def document_enrichment(conn: Connection, document_id: str) -> dict[str, Any]:
    """What `show --json` adds to a document: `email` (its own header, or None), `emails` (the
    chain), and `entities` grouped by type."""
    chain = document_emails(conn, document_id)
    own = chain[0] if chain and chain[0]["seq"] == 0 else None
    email = (
        {k: own[k] for k in ("from", "to", "cc", "bcc", "subject", "sent_at", "sent_raw")} if own else None
    )
    return {"email": email, "emails": chain, "entities": document_entities(conn, document_id)}


def list_entities(
    conn: Connection, entity_type: str | None = None, top: int = 50, include_hidden: bool = False
) -> list[dict[str, Any]]:
    """Canonical entities, most mentioned first."""
    stmt = select(entities).order_by(entities.c.mention_count.desc(), entities.c.name).limit(top)
    if entity_type:
        stmt = stmt.where(entities.c.type == entity_type.upper())
    if not include_hidden:
        stmt = stmt.where(entities.c.hidden.is_(False))
    return [_entity_summary(r) for r in conn.execute(stmt)]


def _entity_row(conn: Connection, entity_id: str) -> Any:
    row = conn.execute(select(entities).where(entities.c.id == entity_id)).first()
    if row is None:
        raise NotFoundError(f"no entity with id {entity_id!r}")
    return row


def co_mention_graph(conn: Connection, entity_id: str, limit: int = 25) -> list[dict[str, Any]]:
    """Entities mentioned in the same documents, with the number of documents shared."""
    docs = select(mentions.c.document_id).where(mentions.c.entity_id == entity_id).distinct().subquery()
    shared = func.count(func.distinct(mentions.c.document_id)).label("documents")
    rows = conn.execute(
        select(entities.c.id, entities.c.type, entities.c.name, shared)
        .join(mentions, mentions.c.entity_id == entities.c.id)
        .where(mentions.c.document_id.in_(select(docs.c.document_id)), entities.c.id != entity_id)
        .where(entities.c.hidden.is_(False))
        .group_by(entities.c.id, entities.c.type, entities.c.name)
        .order_by(shared.desc(), entities.c.name)
        .limit(limit)
    )
    return [{"id": r.id, "type": r.type, "name": r.name, "documents": r.documents} for r in rows]


def _people_and_addresses(
    conn: Connection, row: Any, aliases: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """For a PERSON or EMAIL entity: linked addresses/names, e-mails sent, e-mails received."""
    is_email = row.type == "EMAIL"
    alias_keys = {name_key(a, "PERSON") for a in aliases} if not is_email else {a.lower() for a in aliases}
    probes = list(alias_keys)[:20]
    if not probes:
        return [], [], []
    like = [emails.c.sender_address.in_(probes)] if is_email else []
    for p in probes:
        for word in p.split()[-1:] if not is_email else [p]:
            like += [emails.c.recipients.ilike(f"%{word}%"), emails.c.sender_name.ilike(f"%{word}%")]
    links: Counter[str] = Counter()
    sent, received = [], []

    def matches(name: str | None, address: str | None) -> bool:
        if is_email:
            return (address or "").lower() in alias_keys
        return name is not None and name_key(name, "PERSON") in alias_keys

    rows = conn.execute(
        select(emails, documents.c.filename)
        .join(documents, documents.c.id == emails.c.document_id)
        .where(or_(*like))
        .limit(2000)
    )
    for r in rows:
        data = {**_email_dict(r), "document_id": r.document_id, "filename": r.filename}
        people = [data["from"]] + data["to"] + data["cc"] + data["bcc"]
        for person in people:
            if matches(person.get("name"), person.get("address")):
                other = person.get("name") if is_email else person.get("address")
                if other:
                    links[other] += 1
        if matches(data["from"]["name"], data["from"]["address"]):
            sent.append(data)
        elif any(matches(p.get("name"), p.get("address")) for p in people[1:]):
            received.append(data)
    label = "name" if is_email else "address"
    return [{label: k, "count": n} for k, n in links.most_common()], sent, received


def entity_detail(conn: Connection, entity_id: str, mention_limit: int = 200) -> dict[str, Any]:
    """One entity: aliases, documents, mentions, co-mentioned entities, rules, e-mail links."""
    row = _entity_row(conn, entity_id)
    mention_rows = conn.execute(
        select(mentions, documents.c.filename, documents.c.dataset, documents.c.bates_first)
        .join(documents, documents.c.id == mentions.c.document_id)
        .where(mentions.c.entity_id == entity_id)
        .order_by(documents.c.filename, mentions.c.page_number, mentions.c.start)
    ).all()
    aliases = Counter(" ".join(m.text.split()) for m in mention_rows)
    rules = Counter(m.rule or "exact" for m in mention_rows)
    docs: dict[str, dict[str, Any]] = {}
    for m in mention_rows:
        d = docs.setdefault(
            m.document_id,
            {
                "id": m.document_id,
                "filename": m.filename,
                "dataset": m.dataset,
                "bates_first": m.bates_first,
                "mentions": 0,
            },
        )
        d["mentions"] += 1
    detail = {
        **_entity_summary(row),
        "key": row.key,
        "aliases": [{"text": t, "count": n} for t, n in aliases.most_common()],
        "rules": dict(rules.most_common()),
        "documents": sorted(docs.values(), key=lambda d: -d["mentions"]),
        "mentions": [
            {
                "document_id": m.document_id,
                "filename": m.filename,
                "page": m.page_number,
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "extractor": m.extractor,
                "rule": m.rule,
            }
            for m in mention_rows[:mention_limit]
        ],
        "co_mentions": co_mention_graph(conn, entity_id),
    }
    if row.type in ("PERSON", "EMAIL"):
        names = set(aliases) | {row.name}
        links, sent, received = _people_and_addresses(conn, row, names if row.type == "PERSON" else {row.key})
        detail["addresses" if row.type == "PERSON" else "names"] = links
        detail["emails_sent"], detail["emails_received"] = sent, received
    return detail
