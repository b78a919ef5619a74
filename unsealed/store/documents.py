"""Documents and pages: a document's id, finding a document by any key, reading it back.

Writing them is store/writer.py."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from unsealed.domain import BatesNumber, parse_bates, read_bates
from unsealed.store.schema import document_sources, documents, emails, pages

# Fixed namespace so a document's id is the same on every machine for the same content and data set.
DOCUMENT_NAMESPACE = uuid.UUID("5b0e6f0e-5a1d-4c57-9a53-756e7365616c")
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def document_id(dataset: str, sha256: str) -> str:
    return str(uuid.uuid5(DOCUMENT_NAMESPACE, f"{dataset}:{sha256}"))


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Located:
    """A document found by a key, and the page the key points at (a Bates number names a page)."""

    document_id: str
    page_number: int | None = None


def recorded_contents(conn: Connection, sha256s: set[str]) -> set[str]:
    """Which of these contents a document of the archive has, in any data set."""
    if not sha256s:
        return set()
    query = select(documents.c.sha256).where(documents.c.sha256.in_(sorted(sha256s))).distinct()
    return set(conn.execute(query).scalars())


def locate_document(conn: Connection, key: str) -> Located | None:
    """Find a document by uuid, storage key, file name, or any Bates number inside it."""
    key = key.strip()
    if UUID_PATTERN.match(key):
        if conn.execute(select(documents.c.id).where(documents.c.id == key.lower())).first():
            return Located(key.lower())
    row = conn.execute(
        select(document_sources.c.document_id).where(document_sources.c.storage_key == key).limit(1)
    ).first()
    if row:
        return Located(row.document_id)
    row = conn.execute(
        select(documents.c.id)
        .where(documents.c.filename == key)
        .order_by(documents.c.dataset, documents.c.created_at)
        .limit(1)
    ).first()
    if row:
        return Located(row.id)
    if read_bates(key):
        return locate_bates(conn, key)
    return None


def locate_bates(conn: Connection, bates: str) -> Located | None:
    """The page stamped (or inferred) with this Bates number; falls back to a document's range."""
    number = read_bates(bates)
    if number is None:
        return None
    # Every way the same number may be stored: with or without `_`, zero-padded to any width.
    forms = [
        str(BatesNumber(number.prefix, sep, number.number, width))
        for sep in ("", "_")
        for width in range(len(str(number.number)), 13)
    ]
    # The same page may sit in several documents (a file released twice): prefer a readable stamp,
    # then the lowest-numbered data set (releases number their data sets in Bates order).
    rows = conn.execute(
        select(pages.c.document_id, pages.c.number, pages.c.bates_source, documents.c.dataset)
        .join(documents, documents.c.id == pages.c.document_id)
        .where(pages.c.bates.in_(forms))
    ).all()
    row = min(rows, key=lambda r: (r.bates_source != "stamped", natural_key(r.dataset)), default=None)
    if row:
        return Located(row.document_id, row.number)
    # A page of a failed file (or one stored before numbers were canonical): search document ranges.
    for form in forms:
        candidates = conn.execute(
            select(documents.c.id, documents.c.bates_first, documents.c.bates_last)
            .where(and_(documents.c.bates_first.is_not(None), documents.c.bates_first <= form))
            .order_by(documents.c.bates_first.desc())
            .limit(5)
        ).all()
        for candidate in candidates:
            first, last = parse_bates(candidate.bates_first), parse_bates(candidate.bates_last or "")
            if first and last and first[0].key[0] == number.key[0]:
                if first[0].number <= number.number <= last[0].number:
                    return Located(candidate.id, number.number - first[0].number + 1)
    return None


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive datetimes; they were written as UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def document_record(conn: Connection, doc_id: str, *, with_text: bool = True) -> dict[str, Any] | None:
    """A document as plain data: its fields, where else it occurs, and its pages."""
    row = conn.execute(select(documents).where(documents.c.id == doc_id)).mappings().first()
    if row is None:
        return None
    record: dict[str, Any] = dict(row)
    for field in ("created_at", "updated_at", "doc_date", "enriched_at", "emails_at"):
        record[field] = _iso(record[field])
    record["sources"] = [
        {"storage_key": s.storage_key, "source_path": s.source_path}
        for s in conn.execute(
            select(document_sources)
            .where(document_sources.c.document_id == doc_id)
            .order_by(document_sources.c.first_seen, document_sources.c.storage_key)
        )
    ]
    record["also_in"] = [
        {"id": o.id, "dataset": o.dataset, "storage_key": o.storage_key}
        for o in conn.execute(
            select(documents.c.id, documents.c.dataset, documents.c.storage_key)
            .where(and_(documents.c.sha256 == row["sha256"], documents.c.id != doc_id))
            .order_by(documents.c.dataset)
        )
    ]
    left_out = {"word_boxes"} | (set() if with_text else {"text"})  # boxes: page_word_boxes
    columns = [c for c in pages.c if c.name not in left_out]
    record["pages"] = []
    for page in conn.execute(select(*columns).where(pages.c.document_id == doc_id).order_by(pages.c.number)):
        data = dict(page._mapping)
        data.pop("document_id")
        data["redactions"] = json.loads(data["redactions"]) if data["redactions"] else []
        record["pages"].append(data)
    return record


def page_word_boxes(conn: Connection, doc_id: str, numbers: list[int]) -> dict[int, bytes]:
    """The stored OCR word boxes (analysis/word_boxes.py) of some of a document's pages."""
    rows = conn.execute(
        select(pages.c.number, pages.c.word_boxes).where(
            pages.c.document_id == doc_id, pages.c.number.in_(numbers), pages.c.word_boxes.is_not(None)
        )
    )
    return {int(n): bytes(blob) for n, blob in rows}


def natural_key(name: str) -> list[int | str]:
    """Sort key that puts dataset_9 before dataset_10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def document_pages(conn: Connection, document_id: str) -> list[tuple[int, str]]:
    """A document's pages as (number, text), in order."""
    rows = conn.execute(
        select(pages.c.number, pages.c.text)
        .where(pages.c.document_id == document_id)
        .order_by(pages.c.number)
    )
    return [(n, t or "") for n, t in rows]


def known_addresses(conn: Connection) -> set[str]:
    """Sender addresses the archive printed clean: the evidence for undoing an OCR misreading
    (`jeeyacation@gmail.com` → `jeevacation@gmail.com`) in another document."""
    rows = conn.execute(
        select(emails.c.sender_address)
        .where(emails.c.sender_address == func.lower(emails.c.sender_address_printed))
        .distinct()
    )
    return {r[0] for r in rows if r[0]}
