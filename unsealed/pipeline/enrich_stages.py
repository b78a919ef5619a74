"""The post-ingest stages of this area: e-mail headers, mentions, resolution.

Each is idempotent: a document whose freshly computed rows equal the stored ones is not touched,
and resolution rewrites only the links that change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, insert, select, update

from unsealed.analysis.emails import Message, is_email_document, parse_document
from unsealed.enrich import ner
from unsealed.enrich.extract import PageMention, extract_document, soften_newlines
from unsealed.enrich.resolve import resolve_archive
from unsealed.pipeline.stage import Stage
from unsealed.store.archive import Archive
from unsealed.store.schema import documents, emails, mentions, pages

if TYPE_CHECKING:
    from unsealed.pipeline.executor import Executor

DOCS_PER_BATCH = 50  # documents whose pages go through spaCy in one nlp.pipe stream


def document_pages(conn: Connection, document_id: str) -> list[tuple[int, str]]:
    rows = conn.execute(
        select(pages.c.number, pages.c.text)
        .where(pages.c.document_id == document_id)
        .order_by(pages.c.number)
    )
    return [(n, t or "") for n, t in rows]


def _batches(ids: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


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


def known_addresses(conn: Connection) -> set[str]:
    """Sender addresses the archive printed clean: the evidence for undoing an OCR misreading
    (`jeeyacation@gmail.com` → `jeevacation@gmail.com`) in another document."""
    rows = conn.execute(
        select(emails.c.sender_address)
        .where(emails.c.sender_address == func.lower(emails.c.sender_address_printed))
        .distinct()
    )
    return {r[0] for r in rows if r[0]}


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
    if is_email_document(parsed, doc_pages):
        conn.execute(
            update(documents)
            .where(documents.c.id == document_id, documents.c.doc_type.is_distinct_from("email"))
            .values(doc_type="email")
        )
    return rows


def _mention_rows(document_id: str, found: list[PageMention]) -> list[dict[str, object]]:
    return [
        {
            "document_id": document_id,
            "page_number": m.page_number,
            "start": m.found.start,
            "end": m.found.end,
            "text": m.found.text,
            "type": m.found.type,
            "extractor": m.found.extractor,
        }
        for m in found
    ]


def store_mentions(conn: Connection, document_id: str, found: list[PageMention]) -> bool:
    """Replace a document's mentions when they differ; True when something was written."""
    rows = _mention_rows(document_id, found)
    cols = ("page_number", "start", "end", "text", "type", "extractor")
    old = conn.execute(select(*(mentions.c[c] for c in cols)).where(mentions.c.document_id == document_id))
    if sorted(tuple(r) for r in old) == sorted(tuple(r[c] for c in cols) for r in rows):
        return False
    conn.execute(delete(mentions).where(mentions.c.document_id == document_id))
    if rows:
        conn.execute(insert(mentions), rows)
    return True


def extract_mentions(archive: Archive, document_ids: Sequence[str]) -> None:
    """NER + patterns for the documents, spaCy run over a batch of documents at a time."""
    for batch in _batches(list(document_ids), DOCS_PER_BATCH):
        with archive.engine.connect() as conn:
            docs = [(doc_id, document_pages(conn, doc_id)) for doc_id in batch]
        texts = [soften_newlines(t) for _, doc_pages in docs for _, t in doc_pages]
        tagged = iter(ner.find_names(texts))
        with archive.engine.begin() as conn:
            for doc_id, doc_pages in docs:
                doc_tags = [next(tagged) for _ in doc_pages]
                changed = store_mentions(conn, doc_id, extract_document(doc_pages, tagged=doc_tags))
                stmt = update(documents).where(documents.c.id == doc_id)
                if not changed:
                    stmt = stmt.where(documents.c.enriched_at.is_(None))
                conn.execute(stmt.values(enriched_at=datetime.now(UTC)))


def enrich_batch(archive: Archive, document_ids: Sequence[str]) -> int:
    """Entity mentions for one batch of documents, where the executor runs it (a local worker
    process or a Celery worker); the number of documents done."""
    extract_mentions(archive, document_ids)
    return len(document_ids)


def extract_mentions_with(executor: Executor, archive: Archive, document_ids: Sequence[str]) -> None:
    """The documents in batches of DOCS_PER_BATCH, run by `executor`. A batch that fails leaves its
    documents unenriched (`pending`), so the next run or `unsealed enrich` takes them again."""
    batches = [list(batch) for batch in _batches(list(document_ids), DOCS_PER_BATCH)]
    for _ in executor.map_archive(enrich_batch, batches, archive):
        pass


def run_emails(archive: Archive, document_ids: Sequence[str]) -> None:
    with archive.engine.begin() as conn:
        known = known_addresses(conn)
        for doc_id in document_ids:
            analyse_emails(conn, doc_id, known)


def run_resolution(archive: Archive, document_ids: Sequence[str]) -> None:
    if not document_ids:
        return
    with archive.engine.begin() as conn:
        resolve_archive(conn)


def enrichable_documents(archive: Archive, *, include_enriched: bool = False) -> list[str]:
    """Documents read successfully; by default only those not yet through entity extraction."""
    stmt = select(documents.c.id).where(documents.c.status == "ok")
    if not include_enriched:
        stmt = stmt.where(documents.c.enriched_at.is_(None))
    with archive.engine.connect() as conn:
        return [r[0] for r in conn.execute(stmt.order_by(documents.c.id))]


def unenriched(archive: Archive) -> list[str]:
    """Documents read successfully but not yet through entity extraction (an interrupted run)."""
    return enrichable_documents(archive)


def unresolved(archive: Archive) -> list[str]:
    """A document with a mention not linked to an entity yet, if any (resolution is archive-wide)."""
    stmt = select(mentions.c.document_id).where(mentions.c.rule.is_(None)).limit(1)
    with archive.engine.connect() as conn:
        return [r[0] for r in conn.execute(stmt)]


def enrichment_stages(executor: Executor | None = None) -> list[Stage]:
    mentions_run = extract_mentions if executor is None else partial(extract_mentions_with, executor)
    return [
        Stage("e-mail headers", run_emails, pending=unenriched),
        Stage("entity mentions", mentions_run, pending=unenriched),
        Stage("entity resolution", run_resolution, pending=unresolved),
    ]
