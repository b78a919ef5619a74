"""Read-side queries over entities, mentions and e-mails, shared by the CLI, web pages and API.

All return plain data (dicts and lists of str/int/None) ready for JSON. Hidden entities are left
out of document views and lists unless asked for.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from unsealed.domain import ENTITY_TYPES
from unsealed.store.schema import emails, entities, mentions


def iso(value: datetime | str | None) -> str | None:
    """A stored timestamp as ISO 8601 with its zone (SQLite hands back naive UTC datetimes)."""
    if value is None or isinstance(value, str):
        return value
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


def email_dict(row: Any) -> dict[str, Any]:
    recipients = json.loads(row.recipients) if row.recipients else {}
    return {
        "seq": row.seq,
        "page": row.page_number,
        "from": {"name": row.sender_name, "address": row.sender_address},
        "to": recipients.get("to", []),
        "cc": recipients.get("cc", []),
        "bcc": recipients.get("bcc", []),
        "subject": row.subject,
        "sent_at": iso(row.sent_at),
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
    return [email_dict(r) for r in rows]


def _entity_filter(entity_type: str | None, include_hidden: bool, contains: str) -> list[Any]:
    where: list[Any] = []
    if entity_type:
        where.append(entities.c.type == entity_type.upper())
    if not include_hidden:
        where.append(entities.c.hidden.is_(False))
    if contains.strip():
        where.append(func.lower(entities.c.name).contains(contains.strip().lower(), autoescape=True))
    return where


def list_entities(
    conn: Connection,
    entity_type: str | None = None,
    top: int = 50,
    include_hidden: bool = False,
    *,
    offset: int = 0,
    contains: str = "",
) -> list[dict[str, Any]]:
    """Canonical entities, most mentioned first; `contains` keeps names holding that text."""
    stmt = (
        select(entities)
        .where(*_entity_filter(entity_type, include_hidden, contains))
        .order_by(entities.c.mention_count.desc(), entities.c.name)
        .limit(top)
        .offset(offset)
    )
    return [_entity_summary(r) for r in conn.execute(stmt)]


def count_entities(
    conn: Connection, entity_type: str | None = None, include_hidden: bool = False, contains: str = ""
) -> int:
    stmt = select(func.count()).select_from(entities)
    return int(conn.execute(stmt.where(*_entity_filter(entity_type, include_hidden, contains))).scalar_one())
