"""The e-mail stage: each document's printed messages into `emails` rows, and its mark.

It records its own progress (`documents.emails_at`, migration 0020) rather than sharing the
mentions stage's `enriched_at`, so it can run in the background stage worker (pipeline/background.py)
while the ingest process marks the mentions and resolves: a run interrupted at any point leaves
the documents whose headers were not committed pending here. It commits every DOCS_PER_COMMIT
documents, so the other process's writes (SQLite has one writer at a time) wait for one batch at
most. Kept apart from enrich_stages.py so the worker does not import the extraction rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from unsealed.analysis.emails import Message, is_email_document, parse_document
from unsealed.enrich import email_people
from unsealed.store.archive import Archive
from unsealed.store.documents import document_pages, known_addresses
from unsealed.store.schema import documents, emails

DOCS_PER_COMMIT = 200


def _email_rows(document_id: str, parsed: list[Message]) -> list[dict[str, Any]]:
    return [
        {
            "document_id": document_id,
            "seq": e.position,
            "page_number": e.page,
            "line": e.line,
            "kind": e.kind,
            "sender": e.from_printed,
            "sender_name": e.from_name,
            "sender_address": e.from_address,
            "sender_address_printed": e.sender.printed if e.sender else None,
            "recipients": json.dumps(
                {k: [a.as_dict() for a in getattr(e, k)] for k in ("to", "cc", "bcc")}, sort_keys=True
            ),
            "subject": e.subject,
            "sent_at": e.sent_at,
            "sent_raw": e.sent_text,
            "sent_clock": e.sent,
            "body_hash": e.body_hash,
        }
        for e in parsed
    ]


def analyse_emails(conn: Connection, document_id: str, known: Iterable[str] = ()) -> list[dict[str, object]]:
    """Parse a document's printed messages into `emails` rows (one per message); mark it
    `doc_type = email` when its first page holds a header block."""
    doc_pages = document_pages(conn, document_id)
    parsed = parse_document(doc_pages, known)
    rows = _email_rows(document_id, parsed)
    fields = [c for c in emails.c if c.name not in ("id",)]
    old = [
        {c.name: getattr(r, c.name) for c in fields}
        for r in conn.execute(
            select(emails).where(emails.c.document_id == document_id).order_by(emails.c.seq)
        )
    ]
    normalised = [{**r, "sent_at": r["sent_at"].replace(tzinfo=None) if r["sent_at"] else None} for r in rows]
    stored = [{**r, "sent_at": r["sent_at"].replace(tzinfo=None) if r["sent_at"] else None} for r in old]
    if normalised != stored:
        conn.execute(delete(emails).where(emails.c.document_id == document_id))
        if rows:
            conn.execute(insert(emails), rows)
        email_people.replace(conn, document_id, rows)
    if is_email_document(parsed, doc_pages):
        conn.execute(
            update(documents)
            .where(documents.c.id == document_id, documents.c.doc_type.is_distinct_from("email"))
            .values(doc_type="email")
        )
    return rows


def run_emails(archive: Archive, document_ids: Sequence[str]) -> None:
    """The stage: every document's messages, each batch committed with its documents' marks. The
    addresses already known are read once, before the first batch, as for one transaction."""
    known: set[str] | None = None
    for i in range(0, len(document_ids), DOCS_PER_COMMIT):
        batch = document_ids[i : i + DOCS_PER_COMMIT]
        with archive.engine.begin() as conn:
            if known is None:
                known = known_addresses(conn)
            for doc_id in batch:
                analyse_emails(conn, doc_id, known)
            conn.execute(
                update(documents).where(documents.c.id.in_(list(batch))).values(emails_at=datetime.now(UTC))
            )


def emails_pending(archive: Archive) -> list[str]:
    """Documents read successfully whose printed headers were not parsed yet (an interrupted run)."""
    stmt = select(documents.c.id).where(documents.c.status == "ok", documents.c.emails_at.is_(None))
    with archive.engine.connect() as conn:
        return [r[0] for r in conn.execute(stmt.order_by(documents.c.id))]
