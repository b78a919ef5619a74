"""One queued file on a Celery worker: claim it, fetch it, read it, record it, once.

The worker needs only the database, the blob store and a temporary folder of its own: the original
comes from the blob store (the enqueuing machine put it there), is read by the same `process_files`
as a local run, in a reader process with the same hard time limit, and is recorded by the worker in
one transaction with its work item. Redelivery (a killed worker, a restarted broker) and two workers
given the same file are both harmless: the file's row is claimed before the work and written under a
lock on its document id, and a file already done is not written again.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from unsealed.analysis import language
from unsealed.config import Limits, Settings
from unsealed.enrich import extract
from unsealed.model import FileDone, FileResult, SourceFile
from unsealed.pipeline import wire
from unsealed.pipeline.enrich_stages import mark_enriched
from unsealed.pipeline.process_pool import WorkerFailure, WorkerPool
from unsealed.pipeline.worker import FileTask, WorkerOptions, process_files
from unsealed.store import work
from unsealed.store.archive import Archive
from unsealed.store.blobs import fetch_original
from unsealed.store.documents import document_id
from unsealed.store.work import WorkItem
from unsealed.store.writer import DocumentWriter, KnownDocuments, WriteOutcome


class RetryLater(Exception):  # noqa: N818 - a request, not an error
    """The attempt failed (time limit, crashed reader): the file goes back to the queue."""


@dataclass(frozen=True)
class Recorded:
    done: FileDone
    outcome: WriteOutcome


_readers: dict[Limits, WorkerPool] = {}


def preload() -> None:
    """What reading and finding mentions load (language and spaCy models, the gazetteer), loaded in
    this process so that the processes forked from it share them."""
    language.preload()
    extract.preload()


def reader(limits: Limits) -> WorkerPool:
    """This worker process's reader: one child process that reads one file at a time under the time
    limit, replaced when a file kills it (kept for the life of the worker process)."""
    if limits not in _readers:
        preload()  # here (a no-op when the worker loaded them before forking), shared through fork
        _readers[limits] = WorkerPool(1, limits)
    return _readers[limits]


def close_readers() -> None:
    for pool in _readers.values():
        pool.kill()
    _readers.clear()


def read_item(archive: Archive, item: WorkItem, settings: Settings) -> FileResult | WorkerFailure:
    """The file fetched from the blob store into a temporary folder and read by the reader process."""
    options = WorkerOptions(
        blob_root=archive.blobs.url,
        limits=settings.limits,
        pages=settings.pages,
        store_originals=False,
        dedup=wire.decode(item.dedup),
        analyse_with=archive.engine.url.render_as_string(hide_password=False) if item.analyse else None,
    )
    with tempfile.TemporaryDirectory(prefix="unsealed-worker-") as tmp:
        task = FileTask(local_source(archive, item, Path(tmp)), load=wire.decode(item.load))
        pool = reader(settings.limits)
        pool.submit(item.storage_key, process_files, [task], options)
        _, outcome = pool.next_result()
    if isinstance(outcome, WorkerFailure):
        return outcome
    result: FileResult = outcome[0]
    result.source = SourceFile(Path(item.source_path), item.dataset, item.storage_key)
    return result


def local_source(archive: Archive, item: WorkItem, folder: Path) -> SourceFile:
    """The item's files copied from the blob store into `folder` (nothing for a refused one)."""
    if item.refused is not None:
        return SourceFile(Path(item.source_path), item.dataset, item.storage_key, refused=item.refused)
    parts = []
    for number, key in enumerate(item.parts, start=1):
        archive.blobs.copy_to(key, folder / f"part-{number}")
        parts.append(SourceFile(folder / f"part-{number}", item.dataset, key))
    # a single file's original is stored by its content (store/blobs.py); a multi-file one by name
    if item.parts:
        archive.blobs.copy_to(item.storage_key, folder / "original")
    else:
        fetch_original(archive.blobs, item.sha256, item.storage_key, folder / "original")
    return SourceFile(folder / "original", item.dataset, item.storage_key, parts=tuple(parts))


def failed_result(item: WorkItem, reason: str) -> FileResult:
    source = SourceFile(Path(item.source_path), item.dataset, item.storage_key)
    return FileResult(source, item.md5, item.sha256, item.size_bytes, mime_type="", error=reason)


@contextmanager
def document_lock(archive: Archive, doc_id: str) -> Iterator[Connection]:
    """A transaction holding the document's lock: two workers with the same content write in turn
    (PostgreSQL: an advisory lock; SQLite has one writer at a time anyway)."""
    with archive.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:id))"), {"id": doc_id})
        yield conn


def record(archive: Archive, item: WorkItem, result: FileResult) -> Recorded | None:
    """Write the file and mark its item done or failed, in one transaction; None when another
    worker recorded it first."""
    doc_id = document_id(item.dataset, result.sha256)
    with document_lock(archive, doc_id) as conn:
        if not work.is_open(conn, item):
            return None
        writer = DocumentWriter(conn, KnownDocuments.load_one(conn, item.dataset, item.storage_key, doc_id))
        outcome = writer.write(result)
        writer.flush()
        done = FileDone.of(result)
        if done.analysed and outcome.action in ("added", "updated"):
            mark_enriched(conn, outcome.document_id, changed=True)  # its mentions came with it
        work.finish(
            conn,
            item,
            document_id=outcome.document_id,
            action=outcome.action,
            status=outcome.status,
            pages=done.pages,
            ocr_pages=done.ocr_pages,
            error=result.error if outcome.status == "failed" else None,
        )
    return Recorded(done, outcome)


def ingest_item(archive: Archive, item: WorkItem, settings: Settings, worker: str, retries: int) -> str:
    """The whole job of one queued file; what happened, in a word. Raises RetryLater while the file
    has retries left after a failed attempt."""
    with archive.engine.begin() as conn:
        deliveries = work.claim(conn, item, worker)
    if deliveries is None:
        return "skipped"  # done already, or replaced by newer content
    lost = deliveries - 1 - retries  # deliveries that ended with no outcome and no retry
    if lost >= settings.queue.max_lost:
        result: FileResult | WorkerFailure = failed_result(
            item,
            f"the worker reading it was lost {lost} times (killed, out of memory, or its machine stopped)",
        )
    else:
        result = read_item(archive, item, settings)
    if isinstance(result, WorkerFailure):
        if retries < settings.queue.retries:
            with archive.engine.begin() as conn:
                work.retrying(conn, item, result.reason)
            raise RetryLater(result.reason)
        result = failed_result(item, f"{result.reason} (tried {retries + 1} times)")
    recorded = record(archive, item, result)
    return "recorded elsewhere" if recorded is None else recorded.outcome.action


def give_up(archive: Archive, item: WorkItem, reason: str) -> None:
    """Every retry failed with an error outside the file (the store, the database): record it failed."""
    record(archive, item, failed_result(item, reason))
