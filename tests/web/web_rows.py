"""Insert archive rows directly through the schema tables (for web tests that need exact contents)."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from unsealed.store.archive import Archive
from unsealed.store.schema import document_sources, documents, emails, entities, mentions, pages

NOW = datetime(2026, 2, 3, 12, 0, tzinfo=UTC)


def add_document(
    archive: Archive,
    *,
    dataset: str,
    filename: str,
    page_texts: list[str],
    bates_first: int | None = None,
    status: str = "ok",
    error: str | None = None,
    enriched: bool = True,
    content: bytes | None = None,
    doc_type: str | None = None,
    text_source: str = "layer",
) -> str:
    content = content if content is not None else ("\n".join(page_texts) + filename).encode()
    sha = hashlib.sha256(content).hexdigest()
    doc_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{dataset}/{sha}"))
    key = f"{dataset}/{filename}"
    archive.blobs.put_bytes(key, content)
    bates = [f"EFTA{bates_first + i:08d}" for i in range(len(page_texts))] if bates_first else []
    with archive.engine.begin() as conn:
        conn.execute(
            insert(documents).values(
                id=doc_id,
                dataset=dataset,
                filename=filename,
                storage_key=key,
                source_path=f"/in/{key}",
                md5=hashlib.md5(content).hexdigest(),
                sha256=sha,
                size_bytes=len(content),
                mime_type="application/pdf",
                page_count=len(page_texts),
                status=status,
                error=error,
                pipeline_version="0.1.0",
                created_at=NOW,
                updated_at=NOW,
                bates_first=bates[0] if bates else None,
                bates_last=bates[-1] if bates else None,
                doc_type=doc_type,
                enriched_at=NOW if enriched else None,
            )
        )
        conn.execute(
            insert(document_sources).values(
                document_id=doc_id, storage_key=key, source_path=f"/in/{key}", first_seen=NOW
            )
        )
        for i, text in enumerate(page_texts):
            conn.execute(
                insert(pages).values(
                    document_id=doc_id,
                    number=i + 1,
                    text=text,
                    char_count=len(text),
                    text_source=text_source,
                    ocr_confidence=0.91 if text_source.startswith("ocr") else None,
                    bates=bates[i] if bates else None,
                    bates_source="stamped" if bates else None,
                    width=612,
                    height=792,
                    redaction_count=i,
                )
            )
    return doc_id


def add_email(
    archive: Archive,
    doc_id: str,
    *,
    sender: tuple[str, str],
    to: list[tuple[str, str]],
    subject: str,
    sent_raw: str,
) -> None:
    recipients = {"to": [{"name": n, "address": a} for n, a in to]}
    with archive.engine.begin() as conn:
        conn.execute(
            insert(emails).values(
                document_id=doc_id,
                seq=0,
                page_number=1,
                sender_name=sender[0],
                sender_address=sender[1],
                recipients=json.dumps(recipients),
                subject=subject,
                sent_raw=sent_raw,
            )
        )


def add_mention(
    archive: Archive, doc_id: str, page: int, text: str, page_text: str, etype: str, name: str | None = None
) -> str:
    """Link the first occurrence of `text` on the page to entity `name` (created when new)."""
    name = name or text
    key = name.lower()
    ent_id = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{etype}:{key}"))
    start = page_text.index(text)
    with archive.engine.begin() as conn:
        exists = conn.execute(entities.select().where(entities.c.id == ent_id)).first()
        if not exists:
            conn.execute(
                insert(entities).values(
                    id=ent_id, type=etype, name=name, key=key, mention_count=0, document_count=1
                )
            )
        conn.execute(
            entities.update()
            .where(entities.c.id == ent_id)
            .values(mention_count=entities.c.mention_count + 1)
        )
        conn.execute(
            insert(mentions).values(
                document_id=doc_id,
                page_number=page,
                start=start,
                end=start + len(text),
                text=text,
                type=etype,
                extractor="test",
                entity_id=ent_id,
            )
        )
    return ent_id


def rows(**kw: Any) -> dict[str, Any]:
    return kw
