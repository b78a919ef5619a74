"""Keep the search index in step with the archive: sync (idempotent), rebuild, status.

The store's `search_index_state` table records, per document, the version (updated_at,
enriched_at) and index generation it was indexed at. A document is *pending* when it has no row, or
its row is from another generation or an older version; a row without a document is an *orphan*
whose pages must leave the index. Rows are written only after the index commit that holds the
pages, so a crash leaves documents pending, never wrongly marked done; re-indexing a document first
deletes its pages, so running a sync twice changes nothing.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, delete, func, insert, or_, select

from unsealed.search.errors import SearchIndexError
from unsealed.search.model import IndexStatus
from unsealed.search.source import DocumentPages, load_documents
from unsealed.search.tantivy_index import FORMAT, IndexWriter, TantivyIndex, read_meta
from unsealed.store.archive import Archive
from unsealed.store.bulk import marks
from unsealed.store.schema import documents
from unsealed.store.schema import search_index_state as state

INDEX_DIRNAME = "index"
BATCH_DOCUMENTS = 500
COMMIT_EVERY_PAGES = 200_000
# A rebuild writes an index nobody reads until it is swapped in, so it commits once, at the end, with
# big segments: Tantivy merges 8 segments of a size into one, and 3 M pages written in the sync's
# 200k-page commits with its 256 MB were largely written twice. 1 GB of writer memory per thread should
# hold ~650k pages; 2 threads, as the Python side feeding them needs about half of what one does.
REBUILD_THREADS = max(1, min(2, os.cpu_count() or 1))
REBUILD_HEAP_BYTES_PER_THREAD = 1_000_000_000

Progress = Callable[[int], None]  # called with the number of pages just indexed


@dataclass
class SyncReport:
    documents_indexed: int = 0
    pages_indexed: int = 0
    documents_removed: int = 0
    seconds: float = 0.0


def index_path(archive: Archive) -> Path:
    return archive.root / INDEX_DIRNAME


def open_index(archive: Archive, *, create: bool = False) -> TantivyIndex:
    path = index_path(archive)
    if create and read_meta(path) is None:
        return TantivyIndex.create(path, generation=1)
    return TantivyIndex.open(path)


def _pending_clause(generation: int):  # type: ignore[no-untyped-def]
    return or_(
        state.c.document_id.is_(None),
        state.c.generation != generation,
        state.c.doc_updated_at.is_distinct_from(documents.c.updated_at),
        state.c.doc_enriched_at.is_distinct_from(documents.c.enriched_at),
    )


def _pending_ids(conn: Connection, generation: int, after: str, limit: int) -> list[str]:
    query = (
        select(documents.c.id)
        .outerjoin(state, state.c.document_id == documents.c.id)
        .where(documents.c.id > after, _pending_clause(generation))
        .order_by(documents.c.id)
        .limit(limit)
    )
    return list(conn.execute(query).scalars())


def _orphan_ids(conn: Connection) -> list[str]:
    query = (
        select(state.c.document_id)
        .outerjoin(documents, documents.c.id == state.c.document_id)
        .where(documents.c.id.is_(None))
    )
    return list(conn.execute(query).scalars())


def _batches(archive: Archive, generation: int, only: Sequence[str] | None) -> Iterator[list[DocumentPages]]:
    """Pending documents (or exactly `only`), BATCH_DOCUMENTS at a time, in id order."""
    if only is not None:
        ids = sorted(set(only))
        for i in range(0, len(ids), BATCH_DOCUMENTS):
            with archive.engine.connect() as conn:
                yield load_documents(conn, ids[i : i + BATCH_DOCUMENTS])
        return
    after = ""
    while True:
        with archive.engine.connect() as conn:
            ids = _pending_ids(conn, generation, after, BATCH_DOCUMENTS)
            if not ids:
                return
            after = ids[-1]
            yield load_documents(conn, ids)


# what `_record` keeps of an indexed document: (id, updated_at, enriched_at, page count)
Indexed = tuple[str, datetime | None, datetime | None, int]


def _record(archive: Archive, done: list[Indexed], generation: int) -> None:
    """Mark documents as indexed (after the commit that holds them)."""
    if not done:
        return
    now = datetime.now(UTC)
    with archive.engine.begin() as conn:
        ids = [d[0] for d in done]
        for i in range(0, len(ids), 500):
            conn.execute(delete(state).where(state.c.document_id.in_(ids[i : i + 500])))
        conn.execute(
            insert(state),
            [
                {
                    "document_id": document_id,
                    "generation": generation,
                    "doc_updated_at": updated_at,
                    "doc_enriched_at": enriched_at,
                    "page_count": page_count,
                    "indexed_at": now,
                }
                for document_id, updated_at, enriched_at, page_count in done
            ],
        )


def _write(
    archive: Archive,
    writer: IndexWriter,
    generation: int,
    only: Sequence[str] | None,
    progress: Progress | None,
    report: SyncReport,
    *,
    fresh: bool = False,
) -> None:
    """Index the pending documents (or `only`), replacing their pages.

    `fresh`: the index is new and unread until the end, and each document comes once, so there is
    nothing to delete first and one commit at the end is enough.
    """
    commit_every = None if fresh else COMMIT_EVERY_PAGES
    done: list[Indexed] = []
    since_commit = 0
    for batch in _batches(archive, generation, only):
        if not fresh:
            writer.delete_documents([d.document_id for d in batch])
        for doc in batch:
            added = writer.add(doc)
            done.append((doc.document_id, doc.updated_at, doc.enriched_at, added))
            since_commit += added
            report.pages_indexed += added
            if progress:
                progress(added)
        report.documents_indexed += len(batch)
        if commit_every is not None and since_commit >= commit_every:
            writer.commit()
            _record(archive, done, generation)
            done, since_commit = [], 0
    writer.commit()
    _record(archive, done, generation)


def sync(
    archive: Archive, document_ids: Sequence[str] | None = None, *, progress: Progress | None = None
) -> SyncReport:
    """Index pending documents and remove deleted ones; with `document_ids`, (re)index exactly those.

    Idempotent: a second run finds nothing pending and changes nothing.
    """
    started = time.perf_counter()
    report = SyncReport()
    index = open_index(archive, create=True)
    with index.writer() as writer:
        with archive.engine.connect() as conn:
            orphans = _orphan_ids(conn)
        if orphans:
            writer.delete_documents(orphans)
            writer.commit()
            with archive.engine.begin() as conn:
                for i in range(0, len(orphans), 500):
                    conn.execute(delete(state).where(state.c.document_id.in_(orphans[i : i + 500])))
            report.documents_removed = len(orphans)
        _write(archive, writer, index.generation, document_ids, progress, report)
    report.seconds = time.perf_counter() - started
    return report


def run_stage(archive: Archive, document_ids: Sequence[str]) -> None:
    """The post-ingest stage: (re)index these documents (the pipeline adds `pending_ids`)."""
    sync(archive, document_ids)


def mark_pending(conn: Connection, document_ids: Collection[str]) -> None:
    """Make these documents pending, so the next sync indexes them again (their copy keys changed).
    A raw statement: the near-duplicate stage calls this once a batch, and SQLAlchemy's `delete …
    in_` cost ~1 ms of CPU each time, a tenth of a small run's stage."""
    ids = sorted(document_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        conn.exec_driver_sql(
            f"DELETE FROM {state.name} WHERE document_id IN ({marks(conn, len(chunk))})", tuple(chunk)
        )


def pending_ids(archive: Archive) -> list[str]:
    """Documents the index lacks or holds an older version of, and deleted ones it still holds."""
    path = index_path(archive)
    try:
        meta = read_meta(path)
    except SearchIndexError:
        meta = None
    generation = int(meta.get("generation", 0)) if meta else -1
    with archive.engine.connect() as conn:
        pending = conn.execute(
            select(documents.c.id)
            .outerjoin(state, state.c.document_id == documents.c.id)
            .where(_pending_clause(generation))
        ).scalars()
        return [*pending, *_orphan_ids(conn)]


def rebuild(archive: Archive, *, progress: Progress | None = None) -> SyncReport:
    """Build a fresh index beside the live one, then swap it in; searches keep working meanwhile."""
    started = time.perf_counter()
    live = index_path(archive)
    try:
        meta = read_meta(live) if live.exists() else None
    except SearchIndexError:
        meta = None  # damaged: replaced below
    with archive.engine.connect() as conn:
        recorded = conn.execute(select(func.max(state.c.generation))).scalar() or 0
    generation = max(int(meta.get("generation", 0)) if meta else 0, recorded) + 1
    for stale in live.parent.glob(f"{INDEX_DIRNAME}.new-*"):
        shutil.rmtree(stale)
    new_path = live.parent / f"{INDEX_DIRNAME}.new-{generation}"
    index = TantivyIndex.create(new_path, generation)
    report = SyncReport()
    threads = REBUILD_THREADS
    with index.writer(heap_bytes=REBUILD_HEAP_BYTES_PER_THREAD * threads, threads=threads) as writer:
        _write(archive, writer, generation, None, progress, report, fresh=True)
    old_path = live.parent / f"{INDEX_DIRNAME}.old-{generation - 1}"
    if live.exists():
        live.rename(old_path)
    new_path.rename(live)
    shutil.rmtree(old_path, ignore_errors=True)
    with archive.engine.begin() as conn:
        conn.execute(delete(state).where(state.c.generation != generation))
    report.seconds = time.perf_counter() - started
    return report


def status(archive: Archive) -> IndexStatus:
    """Where the index stands against the store (what `unsealed status` shows)."""
    path = index_path(archive)
    problem: str | None
    try:
        meta = read_meta(path)
    except SearchIndexError as exc:
        meta, problem = None, str(exc)
    else:
        problem = None
    exists = meta is not None
    if meta is None and problem is None:
        problem = "no search index yet; run `unsealed reindex`"
    elif meta is not None and meta.get("format") != FORMAT:
        problem = f"index format {meta.get('format')} is outdated; run `unsealed reindex`"
    generation = int(meta.get("generation", 0)) if meta else -1
    with archive.engine.connect() as conn:
        pending = conn.execute(
            select(func.count())
            .select_from(documents.outerjoin(state, state.c.document_id == documents.c.id))
            .where(_pending_clause(generation))
        ).scalar_one()
        indexed = conn.execute(
            select(func.count()).select_from(state).where(state.c.generation == generation)
        ).scalar_one()
        orphans = len(_orphan_ids(conn))
    pages = 0
    if exists and problem is None:
        pages = TantivyIndex.open(path).index.searcher().num_docs
    return IndexStatus(
        engine="tantivy",
        path=str(path),
        exists=exists,
        pages=pages,
        documents_indexed=indexed,
        documents_pending=pending,
        documents_orphaned=orphans,
        needs_rebuild=problem,
    )


def status_dict(archive: Archive) -> dict[str, object]:
    """`status()` as JSON-ready data with a one-line `summary` (for `unsealed status`)."""
    state = status(archive)
    if state.needs_rebuild:
        summary = state.needs_rebuild
    elif state.in_step:
        summary = f"in step: {state.pages:,} pages of {state.documents_indexed:,} documents"
    else:
        summary = (
            f"{state.documents_pending:,} documents to index, {state.documents_orphaned:,} to remove "
            "(run `unsealed reindex --pending`)"
        )
    return {**asdict(state), "in_step": state.in_step, "summary": summary}
