"""Small read functions over e-mails, mentions and entities for a document's panels.

Stop-gap for the web until the entities area (issue 4) offers its own query functions; plain dicts.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, func, select

from unsealed.store.schema import emails, entities, mentions


def _recipients(raw: str | None) -> dict[str, list[dict[str, str | None]]]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def document_emails(conn: Connection, document_id: str) -> list[dict[str, Any]]:
    """Printed e-mail headers found in the document (seq 0 = its own header, then quoted ones)."""
    rows = conn.execute(
        select(
            emails.c.seq,
            emails.c.page_number,
            emails.c.sender_name,
            emails.c.sender_address,
            emails.c.recipients,
            emails.c.subject,
            emails.c.sent_at,
            emails.c.sent_raw,
        )
        .where(emails.c.document_id == document_id)
        .order_by(emails.c.seq)
    ).mappings()
    return [{**dict(r), "recipients": _recipients(r["recipients"])} for r in rows]


def document_mentions(conn: Connection, document_id: str) -> list[dict[str, Any]]:
    """Every mention in the document linked to a visible entity, in reading order."""
    rows = conn.execute(
        select(
            mentions.c.id,
            mentions.c.page_number,
            mentions.c.start,
            mentions.c.end,
            mentions.c.text,
            entities.c.type,
            mentions.c.entity_id,
        )
        .join(entities, entities.c.id == mentions.c.entity_id)
        .where(mentions.c.document_id == document_id, entities.c.hidden.is_(False))
        .order_by(mentions.c.page_number, mentions.c.start)
    ).mappings()
    return [dict(r) for r in rows]


def document_entities(conn: Connection, document_id: str) -> list[dict[str, Any]]:
    """The document's entities with their mention counts here and where the first mention is."""
    rows = conn.execute(
        select(
            entities.c.id,
            entities.c.type,
            entities.c.name,
            func.count(mentions.c.id).label("count"),
            func.min(mentions.c.id).label("first_mention"),
        )
        .join(entities, entities.c.id == mentions.c.entity_id)
        .where(mentions.c.document_id == document_id, entities.c.hidden.is_(False))
        .group_by(entities.c.id, entities.c.type, entities.c.name)
        .order_by(func.count(mentions.c.id).desc(), entities.c.name)
    ).mappings()
    return [dict(r) for r in rows]


def top_entities(conn: Connection, limit: int = 20, entity_type: str | None = None) -> list[dict[str, Any]]:
    """The most widely mentioned visible entities (by documents, then mentions)."""
    query = select(
        entities.c.id, entities.c.type, entities.c.name, entities.c.document_count, entities.c.mention_count
    ).where(entities.c.hidden.is_(False))
    if entity_type:
        query = query.where(entities.c.type == entity_type)
    rows = conn.execute(
        query.order_by(entities.c.document_count.desc(), entities.c.mention_count.desc()).limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


def entity_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(entities)).scalar_one())
