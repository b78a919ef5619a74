"""Re-read the pages of documents already in the archive, from their stored originals.

For a new OCR mode or engine, or a better page reader: nothing is copied again, document ids stay
(they derive from data set and content), and only documents whose pages changed are rewritten and
handed to the post-ingest stages. A rewritten document's near-duplicate rows are dropped with its
old pages, so that the near-duplicate stage signs and clusters its new text (pipeline/dedup_stage.py).
A document that cannot be re-read keeps its pages; the reason is reported. Documents recorded as
failed are left alone (`unsealed ingest` retries those).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from unsealed import PIPELINE_VERSION
from unsealed.config import Settings
from unsealed.ingest.ocr import check_engine
from unsealed.model import FileDone, FileResult, SourceFile
from unsealed.pipeline.dedup_stage import forget as forget_near_duplicates
from unsealed.pipeline.executor import Executor, LocalExecutor
from unsealed.pipeline.ingest import IngestObserver, IngestReport, SilentObserver, run_stages
from unsealed.pipeline.process_pool import WorkerFailure
from unsealed.pipeline.stage import Stage
from unsealed.pipeline.worker import WorkerOptions, blob_store, read_into
from unsealed.store.archive import Archive
from unsealed.store.blobs import original_in_store
from unsealed.store.documents import utcnow
from unsealed.store.lock import archive_writer
from unsealed.store.schema import documents, pages
from unsealed.store.writer import WriteOutcome, page_rows


@dataclass(frozen=True)
class ReprocessTask:
    document_id: str
    source: SourceFile
    md5: str
    sha256: str
    size_bytes: int
    mime_type: str


def select_documents(conn: Connection, dataset: str | None = None) -> list[ReprocessTask]:
    """The successfully read documents, of one data set or all, in a stable order."""
    query = select(documents).where(documents.c.status == "ok").order_by(documents.c.dataset, documents.c.id)
    if dataset is not None:
        query = query.where(documents.c.dataset == dataset)
    return [
        ReprocessTask(
            document_id=row.id,
            source=SourceFile(Path(row.source_path), row.dataset, row.storage_key),
            md5=row.md5,
            sha256=row.sha256,
            size_bytes=row.size_bytes,
            mime_type=row.mime_type,
        )
        for row in conn.execute(query)
    ]


def reread(task: ReprocessTask, options: WorkerOptions) -> FileResult:
    """Runs in a worker process: the document's pages read again from its stored original."""
    result = FileResult(
        source=task.source,
        md5=task.md5,
        sha256=task.sha256,
        size_bytes=task.size_bytes,
        mime_type=task.mime_type,
    )
    blobs = blob_store(options.blob_root)
    key = original_in_store(blobs, task.sha256, task.source.storage_key)
    if key is None:
        missing = task.source.storage_key
        result.error = f"the original is missing from the blob store ({missing}); pages kept as they were"
        return result
    with tempfile.TemporaryDirectory(prefix="unsealed-reprocess-") as tmp:
        local = blobs.local_path(key)
        if local is None:
            local = Path(tmp) / "original"
            blobs.copy_to(key, local)
        read_into(result, local, options)
    return result


def _reread_all(
    tasks: Sequence[ReprocessTask], options: WorkerOptions, executor: Executor
) -> Iterator[tuple[ReprocessTask, FileResult]]:
    """Results as they finish; a document past the file time limit, or crashing its worker, fails."""
    for task, outcome in executor.map(reread, tasks, options):
        yield task, _failed(task, outcome.reason) if isinstance(outcome, WorkerFailure) else outcome


def _failed(task: ReprocessTask, reason: str) -> FileResult:
    return FileResult(task.source, task.md5, task.sha256, task.size_bytes, task.mime_type, error=reason)


_COMPARED = [c.name for c in pages.c if c.name != "document_id"]


def replace_pages(conn: Connection, document_id: str, result: FileResult) -> WriteOutcome:
    """Write the re-read pages if they differ from the recorded ones; keep them on an error."""
    if result.error:
        return WriteOutcome(document_id, "unchanged", "failed")
    rows = page_rows(document_id, result)
    recorded = conn.execute(
        select(*[pages.c[name] for name in _COMPARED])
        .where(pages.c.document_id == document_id)
        .order_by(pages.c.number)
    ).all()
    if [tuple(_comparable(r) for r in row) for row in recorded] == [
        tuple(_comparable(row[name]) for name in _COMPARED) for row in rows
    ]:
        return WriteOutcome(document_id, "unchanged", "ok")
    conn.execute(delete(pages).where(pages.c.document_id == document_id))
    forget_near_duplicates(conn, [document_id])
    if rows:
        conn.execute(insert(pages), rows)
    conn.execute(
        update(documents)
        .where(documents.c.id == document_id)
        .values(
            page_count=len(rows),
            bates_first=result.pages[0].bates if result.pages else None,
            bates_last=result.pages[-1].bates if result.pages else None,
            language=result.language,
            notes="; ".join(result.notes) or None,
            pipeline_version=PIPELINE_VERSION,
            updated_at=utcnow(),
        )
    )
    return WriteOutcome(document_id, "updated", "ok")


def _comparable(value: Any) -> Any:
    """Floats rounded (SQLite round-trips them exactly, but scores may differ in the last bits)."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, str) and value.startswith("[["):
        return json.dumps(json.loads(value))
    return value


def reprocess(
    archive: Archive,
    settings: Settings,
    dataset: str | None = None,
    observer: IngestObserver | None = None,
    stages: Sequence[Stage] | None = None,
    executor: Executor | None = None,
) -> IngestReport:
    """Re-read the pages of the archive's documents (of `dataset`, or all) with `settings.pages`;
    `executor` runs the reading (this machine's worker processes by default)."""
    with archive_writer(archive.root, "reprocess"):
        return _reprocess(
            archive,
            settings,
            dataset,
            observer or SilentObserver(),
            stages,
            executor or LocalExecutor(settings),
        )


def _reprocess(
    archive: Archive,
    settings: Settings,
    dataset: str | None,
    observer: IngestObserver,
    stages: Sequence[Stage] | None,
    executor: Executor,
) -> IngestReport:
    check_engine(settings.pages)
    with archive.engine.connect() as conn:
        tasks = select_documents(conn, dataset)
    observer.files_found(len(tasks))
    options = WorkerOptions(blob_root=archive.blobs.url, limits=settings.limits, pages=settings.pages)
    report = IngestReport()
    for task, result in _reread_all(tasks, options, executor):
        with archive.engine.begin() as conn:
            outcome = replace_pages(conn, task.document_id, result)
        done = FileDone.of(result)
        report.count(done, outcome)
        observer.file_done(done, outcome)
    run_stages(archive, report.changed_ids, observer, stages, executor)
    return report
