"""Builds small real archives (SQLite file + index folder) for the search tests."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, insert, update

from unsealed.store.archive import Archive
from unsealed.store.schema import documents, emails, entities, mentions, pages


@dataclass
class Doc:
    filename: str
    pages: list[str]
    dataset: str = "dataset_9"
    doc_type: str | None = None
    date: datetime | None = None
    bates_first: int | None = None  # EFTA number of page 1
    sender: tuple[str, str] | None = None  # (name, address)
    to: list[tuple[str, str]] = field(default_factory=list)
    entities: dict[int, list[str]] = field(default_factory=dict)  # page -> entity names
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or str(uuid.uuid5(uuid.NAMESPACE_URL, self.dataset + "/" + self.filename))


def add_documents(archive: Archive, docs: list[Doc]) -> None:
    now = datetime.now(UTC)
    with archive.engine.begin() as conn:
        for doc in docs:
            conn.execute(
                insert(documents).values(
                    id=doc.id,
                    dataset=doc.dataset,
                    filename=doc.filename,
                    storage_key=f"{doc.dataset}/{doc.filename}",
                    source_path=f"/src/{doc.filename}",
                    md5="0" * 32,
                    sha256=doc.id.replace("-", "").ljust(64, "0"),
                    size_bytes=100,
                    mime_type="application/pdf",
                    page_count=len(doc.pages),
                    status="ok",
                    pipeline_version="1",
                    created_at=now,
                    updated_at=now,
                    bates_first=f"EFTA{doc.bates_first:08d}" if doc.bates_first else None,
                    doc_type=doc.doc_type,
                    doc_date=doc.date,
                )
            )
            for n, text in enumerate(doc.pages, start=1):
                conn.execute(
                    insert(pages).values(
                        document_id=doc.id,
                        number=n,
                        text=text,
                        char_count=len(text),
                        text_source="layer",
                        bates=f"EFTA{doc.bates_first + n - 1:08d}" if doc.bates_first else None,
                    )
                )
            if doc.sender:
                recipients = {"to": [{"name": n, "address": a} for n, a in doc.to], "cc": []}
                conn.execute(
                    insert(emails).values(
                        document_id=doc.id,
                        seq=0,
                        page_number=1,
                        sender_name=doc.sender[0],
                        sender_address=doc.sender[1],
                        recipients=json.dumps(recipients),
                        sent_at=doc.date,
                    )
                )
            for page, names in doc.entities.items():
                for name in names:
                    entity_id = str(uuid.uuid5(uuid.NAMESPACE_OID, name))
                    if conn.execute(entities.select().where(entities.c.id == entity_id)).first() is None:
                        conn.execute(
                            insert(entities).values(id=entity_id, type="PERSON", name=name, key=name.lower())
                        )
                    conn.execute(
                        insert(mentions).values(
                            document_id=doc.id,
                            page_number=page,
                            start=0,
                            end=len(name),
                            text=name,
                            type="PERSON",
                            extractor="test",
                            entity_id=entity_id,
                        )
                    )


def touch(archive: Archive, doc: Doc, new_page_texts: list[str] | None = None) -> None:
    """Simulate reprocessing: new page text and a newer updated_at."""
    with archive.engine.begin() as conn:
        if new_page_texts is not None:
            for n, text in enumerate(new_page_texts, start=1):
                conn.execute(
                    update(pages).where(pages.c.document_id == doc.id, pages.c.number == n).values(text=text)
                )
        conn.execute(update(documents).where(documents.c.id == doc.id).values(updated_at=datetime.now(UTC)))


def remove(archive: Archive, doc: Doc) -> None:
    with archive.engine.begin() as conn:
        conn.execute(delete(documents).where(documents.c.id == doc.id))


def open_archive(path: Path) -> Archive:
    return Archive.open(path)
