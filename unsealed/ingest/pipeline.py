"""The ingest pipeline: walk sources, read files in a process pool, write them with one writer.

Worker processes hash, store and read files (pebble gives each file a hard time limit and survives
a worker that crashes on a hostile file); the calling process is the only database writer. Each
document is written with its pages in one transaction, so an interrupted run leaves no half-written
document, and a re-run skips what is already recorded.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from queue import SimpleQueue
from typing import Protocol

import pebble.common
from pebble import ProcessExpired, ProcessPool

from unsealed.config import Limits, Settings
from unsealed.errors import ExitCode
from unsealed.ingest import language
from unsealed.ingest.sources import walk_sources
from unsealed.ingest.stages import Stage, post_ingest_stages
from unsealed.ingest.worker import (
    FileTask,
    WorkerOptions,
    failed_file,
    limit_worker_memory,
    process_file,
    worker_failure_reason,
)
from unsealed.model import FileResult
from unsealed.store.archive import Archive
from unsealed.store.writer import DocumentWriter, KnownDocuments, WriteOutcome

# Results written per transaction; a transaction also closes after COMMIT_SECONDS.
COMMIT_BATCH = 64
COMMIT_SECONDS = 1.0
# Files queued per worker, enough to keep workers busy without listing every future at once.
QUEUE_PER_WORKER = 4
# How often pebble's pool threads look at their state (pebble's default is 0.1 s). Joining the pool
# waits for its result thread's next look, so the default added ~0.1 s to every run; at 0.01 s the
# threads' polling costs the parent well under 1 % of a core. Per-file time limits get finer too.
POOL_POLL_S = 0.01


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


def _result_of(future: Future[FileResult], task: FileTask, options: WorkerOptions) -> FileResult:
    try:
        return future.result()
    except (FutureTimeout, ProcessExpired) as exc:
        return failed_file(task, options, worker_failure_reason(exc, options.limits))


@contextmanager
def worker_pool(workers: int, limits: Limits) -> Iterator[ProcessPool]:
    """Worker processes for reading files: drained when the work ends, stopped at once when it is
    interrupted (Ctrl-C, an error, or a consumer that stops early) instead of finishing the queue."""
    language.preload()  # once here, shared by the forked workers, rather than once per worker
    pebble.common.CONSTS.sleep_unit = min(pebble.common.CONSTS.sleep_unit, POOL_POLL_S)
    pool = ProcessPool(
        max_workers=max(1, workers),
        initializer=limit_worker_memory,
        initargs=[limits.worker_memory_bytes],
    )
    try:
        yield pool
    except BaseException:
        pool.stop()
        pool.join()
        raise
    pool.close()
    pool.join()


def run_tasks(tasks: Iterable[FileTask], options: WorkerOptions, workers: int) -> Iterator[FileResult]:
    """Results in completion order; a file that times out or kills its worker becomes a failure."""
    timeout = options.limits.file_timeout_s
    pending: dict[Future[FileResult], FileTask] = {}
    # Each future puts itself here when it completes: cheaper than wait() over all pending futures,
    # which hooks a waiter into every one of them for every result.
    completed: SimpleQueue[Future[FileResult]] = SimpleQueue()
    queue = iter(tasks)
    with worker_pool(workers, options.limits) as pool:
        while True:
            while len(pending) < QUEUE_PER_WORKER * max(1, workers):
                task = next(queue, None)
                if task is None:
                    break
                submitted = pool.submit(process_file, timeout, task, options)
                pending[submitted] = task
                submitted.add_done_callback(completed.put)
            if not pending:
                break
            done = completed.get()
            yield _result_of(done, pending.pop(done), options)


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
    observer = observer or SilentObserver()
    settings.pages.check_engine()  # a missing OCR engine is one error now, not one per page
    sources = list(walk_sources(paths, dataset, skip=archive.root))
    observer.files_found(len(sources))
    with archive.engine.connect() as conn:
        known = KnownDocuments.load(conn, dataset)
    options = WorkerOptions(blob_root=archive.blobs.url, limits=settings.limits, pages=settings.pages)
    tasks = (FileTask(source, known.ok_contents.get(source.storage_key)) for source in sources)
    report = IngestReport()
    _write_all(archive, known, run_tasks(tasks, options, settings.workers), report, observer)
    run_stages(archive, report.changed_ids, observer, stages)
    return report
