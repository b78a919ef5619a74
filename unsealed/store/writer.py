"""Record the workers' results: one document row, its pages and where it was found, per file.

Rows of new documents are held and sent together at `flush()`, one executemany per table for a
whole batch, and what the data set already holds is loaded once at the start of a run: running
statements once per file cost the single writer more CPU than the SQL itself, CPU that the workers
reading the next files need. Whether a file is new, a duplicate or a repeat is still decided as each
result arrives, so the caller can report it at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, select, update

from unsealed import PIPELINE_VERSION
from unsealed.domain import display_path
from unsealed.model import DocumentAnalysis, FileResult
from unsealed.store.bulk import insert_many, insert_tuples
from unsealed.store.documents import document_id, utcnow
from unsealed.store.mentions import analysis_rows, copy_mentions
from unsealed.store.schema import (
    document_fields,
    document_sources,
    documents,
    mentions,
    near_duplicates,
    pages,
)


@dataclass(frozen=True)
class WriteOutcome:
    document_id: str
    action: str  # added | updated | duplicate | unchanged
    status: str


def page_rows(doc_id: str, result: FileResult) -> list[dict[str, Any]]:
    """The pages table's rows for a worker's result (also used by `unsealed reprocess`)."""
    return [
        {
            "document_id": doc_id,
            "number": p.number,
            "text": p.text,
            "char_count": len(p.text),
            "text_source": p.text_source,
            "ocr_confidence": p.ocr_confidence,
            "quality": p.quality,
            "bates": p.bates,
            "bates_source": p.bates_source,
            "bates_printed": p.bates_printed,
            "control_numbers": " ".join(p.control_numbers) or None,
            "width": p.width,
            "height": p.height,
            "redaction_count": len(p.redactions) if p.redactions is not None else None,
            "redactions": json.dumps([list(box) for box in p.redactions]) if p.redactions else None,
            "error": p.error,
            "layer_text": p.layer_text,
            "word_boxes": p.word_boxes,
        }
        for p in result.pages
    ]


def field_rows(doc_id: str, fields: dict[str, str]) -> list[dict[str, Any]]:
    """Load-file (DAT) fields as rows; `key` is the name reduced for `field:value` look-ups."""
    return [
        {"document_id": doc_id, "name": name, "key": "".join(c for c in name.lower() if c.isalnum()),
         "value": value}
        for name, value in fields.items()
    ]  # fmt: skip


def _document_values(result: FileResult) -> dict[str, Any]:
    first = result.pages[0].bates if result.pages else None
    last = result.pages[-1].bates if result.pages else None
    return {
        "filename": result.source.filename,
        "md5": result.md5,
        "size_bytes": result.size_bytes,
        "mime_type": result.mime_type,
        "page_count": len(result.pages),
        "status": "ok" if result.ok else "failed",
        "error": result.error,
        "notes": "; ".join(result.notes) or None,
        "pipeline_version": PIPELINE_VERSION,
        "bates_first": first,
        "bates_last": last,
        "language": result.language,
        "doc_type": result.doc_type,
    }


@dataclass
class KnownDocuments:
    """What one data set holds, loaded once per run and kept current by the writer."""

    ok_contents: dict[str, str]  # storage key -> sha256, for the sources of documents read ok
    ok_sha256: set[str] = field(default_factory=set)  # the contents of the documents read ok
    failed_ids: set[str] = field(default_factory=set)  # documents that failed

    def __post_init__(self) -> None:
        self.ok_sha256.update(self.ok_contents.values())

    @classmethod
    def load(cls, conn: Connection, dataset: str) -> KnownDocuments:
        ok = select(document_sources.c.storage_key, documents.c.sha256).join(
            documents, documents.c.id == document_sources.c.document_id
        )
        ok = ok.where(and_(documents.c.dataset == dataset, documents.c.status == "ok"))
        failed = select(documents.c.id).where(
            and_(documents.c.dataset == dataset, documents.c.status == "failed")
        )
        return cls(
            ok_contents={row.storage_key: row.sha256 for row in conn.execute(ok)},
            failed_ids=set(conn.execute(failed).scalars()),
        )

    @classmethod
    def load_one(cls, conn: Connection, dataset: str, storage_key: str, doc_id: str) -> KnownDocuments:
        """What the data set holds about one file: a queue worker writes one file at a time, while
        other workers write the rest of the data set."""
        ok = select(document_sources.c.storage_key, documents.c.sha256).join(
            documents, documents.c.id == document_sources.c.document_id
        )
        ok = ok.where(
            documents.c.dataset == dataset,
            documents.c.status == "ok",
            document_sources.c.storage_key == storage_key,
        )
        this = conn.execute(
            select(documents.c.sha256, documents.c.status).where(documents.c.id == doc_id)
        ).first()
        known = cls(
            ok_contents={row.storage_key: row.sha256 for row in conn.execute(ok)},
            failed_ids={doc_id} if this is not None and this.status == "failed" else set(),
        )
        if this is not None and this.status == "ok":
            known.ok_sha256.add(this.sha256)
        return known

    def status(self, doc_id: str, sha256: str) -> str | None:
        """The recorded status of this content's document in the data set, if it has one."""
        if sha256 in self.ok_sha256:
            return "ok"
        return "failed" if doc_id in self.failed_ids else None

    def record(self, doc_id: str, sha256: str, status: str) -> None:
        """A document written in this run (`ok_contents` stays as loaded: each key comes once a run)."""
        if status == "ok":
            self.ok_sha256.add(sha256)
            self.failed_ids.discard(doc_id)
        else:
            self.failed_ids.add(doc_id)


# Statements built once: building one per call (values inlined) cost more than running it.
# The writer's near-duplicate rows (tuples, not dicts: a page each): not clustered yet (cluster "").
SIGNATURE_COLUMNS = ("document_id", "page_number", "cluster", "canonical", "signature", "similarity", "bands")

_SOURCE_SEEN = select(document_sources.c.storage_key).where(
    and_(
        document_sources.c.document_id == bindparam("doc_id"),
        document_sources.c.storage_key == bindparam("key"),
    )
)


class DocumentWriter:
    """Writes one data set's results on one connection, inside the caller's transaction; it must be
    the only writer of that data set while it runs (ingest has one writer per archive).

    Call `flush()` before committing: a document, its pages and its sources are sent in the same
    flush, so a commit holds each document whole or not at all. `midway` is true while a write or
    flush is under way; an interruption then must roll back rather than commit.
    """

    def __init__(self, conn: Connection, known: KnownDocuments):
        self._conn = conn
        self._known = known
        self._documents: list[dict[str, Any]] = []
        self._pages: list[dict[str, Any]] = []
        self._sources: list[dict[str, Any]] = []
        self._fields: list[dict[str, Any]] = []
        self._analyses: list[tuple[str, DocumentAnalysis]] = []  # mentions the workers found
        self._signatures: list[tuple[Any, ...]] = []  # rows of SIGNATURE_COLUMNS
        self._held_ids: set[str] = set()  # documents held for the next flush
        self._held_sources: set[tuple[str, str]] = set()
        self.midway = False

    def write(self, result: FileResult) -> WriteOutcome:
        self.midway = True
        outcome = self._write(result)
        self.midway = False
        return outcome

    def flush(self) -> None:
        self.midway = True
        for table, rows in (
            (documents, self._documents),
            (pages, self._pages),
            (document_sources, self._sources),
            (document_fields, self._fields),
        ):
            if rows:
                insert_many(self._conn, table, rows)
        insert_tuples(self._conn, near_duplicates, SIGNATURE_COLUMNS, self._signatures)
        self._write_mentions()
        self._documents, self._pages, self._sources, self._fields, self._analyses = [], [], [], [], []
        self._signatures = []
        self._held_ids.clear()
        self._held_sources.clear()
        self.midway = False

    def _write(self, result: FileResult) -> WriteOutcome:
        source = result.source
        doc_id = document_id(source.dataset, result.sha256)
        now = utcnow()
        existing = self._known.status(doc_id, result.sha256)
        if existing is not None and (existing == "ok" or result.unchanged):
            self._record_source(doc_id, result, now)
            return WriteOutcome(doc_id, "unchanged" if result.unchanged else "duplicate", existing)
        values = _document_values(result)
        if existing is None or doc_id in self._held_ids:
            if existing is not None:  # a copy of this content failed earlier in this batch
                self._unhold(doc_id)
            self._documents.append(
                {
                    "id": doc_id,
                    "dataset": source.dataset,
                    "storage_key": source.storage_key,
                    "source_path": display_path(source.location),
                    "sha256": result.sha256,
                    "created_at": now,
                    "updated_at": now,
                    **values,
                }
            )
            self._held_ids.add(doc_id)
            action = "added" if existing is None else "updated"
        else:  # a file that failed before is read again: replace its record, keep its id and created_at
            self._conn.execute(delete(pages).where(pages.c.document_id == doc_id))
            self._conn.execute(delete(document_fields).where(document_fields.c.document_id == doc_id))
            # A failed document has no near-duplicate rows (workers sign only files that read ok).
            self._conn.execute(
                update(documents).where(documents.c.id == doc_id).values(updated_at=now, **values)
            )
            action = "updated"
        self._record_source(doc_id, result, now)
        self._pages.extend(page_rows(doc_id, result))
        self._fields.extend(field_rows(doc_id, result.fields))
        if result.analysis is not None:
            self._analyses.append((doc_id, result.analysis))
        if result.signed and result.ok:
            self._hold_signatures(doc_id, result)
        self._known.record(doc_id, result.sha256, values["status"])
        return WriteOutcome(doc_id, action, values["status"])

    def _write_mentions(self) -> None:
        """The held documents' mentions: found by the worker, or those of an identical document."""
        rows = []
        for doc_id, analysis in self._analyses:
            if analysis.copy_of is not None:
                copy_mentions(self._conn, doc_id, analysis.copy_of)
            else:
                rows.extend(analysis_rows(doc_id, analysis))
        replaced = [doc_id for doc_id, _ in self._analyses if doc_id not in self._held_ids]
        if replaced:  # documents read again after a failure
            self._conn.execute(delete(mentions).where(mentions.c.document_id.in_(replaced)))
        if rows:
            insert_many(self._conn, mentions, rows)

    def _hold_signatures(self, doc_id: str, result: FileResult) -> None:
        """Signatures and band keys from the worker, not yet clustered (cluster "") until the
        near-duplicate stage compares them and indexes their bands (pipeline/dedup_stage.py)."""
        members = [(0, result.signature, result.bands)] + [
            (p.number, p.signature, p.bands) for p in result.pages
        ]
        self._signatures.extend(
            (doc_id, number, "", True, signature, None, bands) for number, signature, bands in members
        )

    def _unhold(self, doc_id: str) -> None:
        """Drop a held document and its pages (its sources stay: they are still where it was found)."""
        self._documents = [row for row in self._documents if row["id"] != doc_id]
        self._pages = [row for row in self._pages if row["document_id"] != doc_id]
        self._fields = [row for row in self._fields if row["document_id"] != doc_id]
        self._analyses = [(held, analysis) for held, analysis in self._analyses if held != doc_id]
        self._signatures = [row for row in self._signatures if row[0] != doc_id]

    def _record_source(self, doc_id: str, result: FileResult, now: datetime) -> None:
        """Remember the path this content was found at (a second copy in the same data set adds a row)."""
        key = result.source.storage_key
        if (doc_id, key) in self._held_sources or self._known.ok_contents.get(key) == result.sha256:
            return  # already a source of this document
        if doc_id in self._known.failed_ids and doc_id not in self._held_ids:
            # Failed in an earlier run: its sources are not loaded, so ask (a rare case).
            if self._conn.execute(_SOURCE_SEEN, {"doc_id": doc_id, "key": key}).first() is not None:
                return
        self._hold_source(doc_id, key, display_path(result.source.location), now)

    def _hold_source(self, doc_id: str, key: str, source_path: str, now: datetime) -> None:
        self._held_sources.add((doc_id, key))
        self._sources.append(
            {"document_id": doc_id, "storage_key": key, "source_path": source_path, "first_seen": now}
        )
