"""The ingest pipeline: walk sources, read files in a process pool, write them with one writer.

Worker processes hash, store and read files (pool.py, process_pool.py: each file gets a hard time
limit, and a worker that crashes on a hostile file fails that file only); the calling process is the
only database writer (store/writer.py). Each document is written with its pages in one transaction,
so an interrupted run leaves no half-written document, and a re-run skips what is already recorded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from unsealed.config import Settings
from unsealed.errors import ExitCode
from unsealed.ingest.ocr import check_engine
from unsealed.ingest.sources import walk_sources
from unsealed.model import FileResult
from unsealed.pipeline.pool import run_tasks
from unsealed.pipeline.stage import Stage
from unsealed.pipeline.stages import post_ingest_stages
from unsealed.pipeline.worker import FileTask, WorkerOptions
from unsealed.store.archive import Archive
from unsealed.store.lock import archive_writer
from unsealed.store.writer import DocumentWriter, KnownDocuments, WriteOutcome

# Results written per transaction; a transaction also closes after COMMIT_SECONDS. Committing as the
# run goes, while workers read, leaves little for the end of the run (one commit of 200 documents
# at the end took 30-45 ms, with nothing else running).
COMMIT_BATCH = 64
COMMIT_SECONDS = 1.0


class IngestObserver(Protocol):
    """What a face (CLI progress bar, Celery task, test) hears while a run goes on."""

    def files_found(self, count: int) -> None: ...

    def file_done(self, result: FileResult, outcome: WriteOutcome) -> None: ...

    def stage_started(self, stage: str, documents: int) -> None: ...

    def stage_done(self, stage: str) -> None: ...


class SilentObserver:
    def files_found(self, count: int) -> None:
        pass

    def file_done(self, result: FileResult, outcome: WriteOutcome) -> None:
        pass

    def stage_started(self, stage: str, documents: int) -> None:
        pass

    def stage_done(self, stage: str) -> None:
        pass


@dataclass
class IngestReport:
    files: int = 0
    added: int = 0
    updated: int = 0
    duplicates: int = 0
    unchanged: int = 0
    pages: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (storage key, reason)
    changed_ids: list[str] = field(default_factory=list)

    def count(self, result: FileResult, outcome: WriteOutcome) -> None:
        self.files += 1
        if outcome.action == "added":
            self.added += 1
        elif outcome.action == "updated":
            self.updated += 1
        elif outcome.action == "duplicate":
            self.duplicates += 1
        else:
            self.unchanged += 1
        if outcome.action in ("added", "updated"):
            self.changed_ids.append(outcome.document_id)
            self.pages += len(result.pages)
        if outcome.status == "failed":
            self.failures.append((result.source.storage_key, result.error or "failed earlier"))

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.SOME_FILES_FAILED if self.failures else ExitCode.OK


def _write_all(
    archive: Archive,
    known: KnownDocuments,
    results: Iterator[FileResult],
    report: IngestReport,
    observer: IngestObserver,
) -> None:
    """One writer: results are committed in small batches, each document whole or not at all."""
    conn = archive.engine.connect()
    writer = DocumentWriter(conn, known)
    try:
        transaction = conn.begin()
        written, opened = 0, time.monotonic()
        for result in results:
            outcome = writer.write(result)
            report.count(result, outcome)
            observer.file_done(result, outcome)
            written += 1
            if written >= COMMIT_BATCH or time.monotonic() - opened > COMMIT_SECONDS:
                writer.flush()
                transaction.commit()
                transaction, written, opened = conn.begin(), 0, time.monotonic()
        writer.flush()
        transaction.commit()
    except BaseException:
        # Interrupted (Ctrl-C, a worker pool failure): keep the documents already complete, unless
        # the interruption came in the middle of writing one.
        if conn.in_transaction():
            if writer.midway:
                conn.rollback()
            else:
                writer.flush()
                conn.commit()
        raise
    finally:
        conn.close()


def run_stages(
    archive: Archive,
    document_ids: Sequence[str],
    observer: IngestObserver,
    stages: Sequence[Stage] | None = None,
) -> None:
    """Run post-ingest stages over the changed documents and whatever a stage left unfinished."""
    for stage in stages if stages is not None else post_ingest_stages():
        ids = list(dict.fromkeys([*document_ids, *(stage.pending(archive) if stage.pending else [])]))
        observer.stage_started(stage.name, len(ids))
        if ids:
            stage.run(archive, ids)
        observer.stage_done(stage.name)


def ingest(
    archive: Archive,
    paths: Sequence[Path],
    dataset: str,
    settings: Settings,
    observer: IngestObserver | None = None,
    stages: Sequence[Stage] | None = None,
) -> IngestReport:
    """Read `paths` into the archive as `dataset`, then run the post-ingest stages (all by default)."""
    with archive_writer(archive.root, "ingest"):
        return _ingest(archive, paths, dataset, settings, observer or SilentObserver(), stages)


def _ingest(
    archive: Archive,
    paths: Sequence[Path],
    dataset: str,
    settings: Settings,
    observer: IngestObserver,
    stages: Sequence[Stage] | None,
) -> IngestReport:
    check_engine(settings.pages)  # a missing OCR engine is one error now, not one per page
    sources = list(walk_sources(paths, dataset, skip=archive.root, follow_links=settings.follow_links))
    observer.files_found(len(sources))
    with archive.engine.connect() as conn:
        known = KnownDocuments.load(conn, dataset)
    options = WorkerOptions(
        blob_root=archive.blobs.url, limits=settings.limits, pages=settings.pages, fault=settings.fault
    )
    tasks = [FileTask(source, known.ok_contents.get(source.storage_key)) for source in sources]
    report = IngestReport()
    _write_all(archive, known, run_tasks(tasks, options, settings.workers), report, observer)
    run_stages(archive, report.changed_ids, observer, stages)
    return report
