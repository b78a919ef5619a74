"""Where the per-file work and the enrichment batches run: the executor seam.

`ingest()`, `reprocess()` and the post-ingest stages hand their work to an `Executor` and never ask
which one it is (OCRmyPDF's `get_executor` hook is the model). `LocalExecutor`, the embedded
default, runs it in this machine's worker processes with one database writer (this process);
`pipeline/celery_executor.py`'s `CeleryExecutor` runs the same functions on Celery workers anywhere.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, TypeVar

from unsealed.config import Settings
from unsealed.model import FileDone, FileResult
from unsealed.pipeline.pool import run_tasks, worker_pool
from unsealed.pipeline.process_pool import WorkerFailure
from unsealed.pipeline.worker import FileTask, WorkerOptions
from unsealed.store.archive import Archive
from unsealed.store.writer import DocumentWriter, KnownDocuments, WriteOutcome

T = TypeVar("T")

# Results written per transaction; a transaction also closes after COMMIT_SECONDS. Committing as the
# run goes, while workers read, leaves little for the end of the run (one commit of 200 documents
# at the end took 30-45 ms, with nothing else running).
COMMIT_BATCH = 64
COMMIT_SECONDS = 1.0

ArchiveFunction = Callable[[Archive, Any], Any]  # a module-level function run where the archive is


class Executor(Protocol):
    """Runs per-file work and batches of archive work; the orchestration code sees only this."""

    def ingest_files(
        self, archive: Archive, known: KnownDocuments, tasks: Sequence[FileTask], options: WorkerOptions
    ) -> Iterator[tuple[FileDone, WriteOutcome]]:
        """Read `tasks` (pipeline/worker.py's `process_files`) and record them; each file's outcome
        as it is recorded."""
        ...

    def map(
        self, function: Callable[..., T], items: Iterable[Any], *args: Any
    ) -> Iterator[tuple[Any, T | WorkerFailure]]:
        """(item, function(item, *args) or the reason it has none), as they finish."""
        ...

    def map_archive(
        self, function: ArchiveFunction, items: Iterable[Any], archive: Archive
    ) -> Iterator[tuple[Any, Any]]:
        """(item, function(archive, item) or a WorkerFailure), `archive` opened where it runs."""
        ...


class LocalExecutor:
    """This machine's worker processes (`settings.workers`), this process the only writer."""

    def __init__(self, settings: Settings):
        self.workers = settings.workers
        self.limits = settings.limits

    def ingest_files(
        self, archive: Archive, known: KnownDocuments, tasks: Sequence[FileTask], options: WorkerOptions
    ) -> Iterator[tuple[FileDone, WriteOutcome]]:
        if options.analyse_with is not None:  # the workers find mentions: load the models once,
            from unsealed.enrich import extract  # here, shared by the workers forked from this process

            extract.preload()
        return write_results(archive, known, run_tasks(tasks, options, self.workers))

    def map(
        self, function: Callable[..., T], items: Iterable[Any], *args: Any
    ) -> Iterator[tuple[Any, T | WorkerFailure]]:
        with worker_pool(self.workers, self.limits) as pool:
            yield from pool.map_unordered(function, items, *args)

    def map_archive(
        self, function: ArchiveFunction, items: Iterable[Any], archive: Archive
    ) -> Iterator[tuple[Any, Any]]:
        return self.map(call_in_archive, items, function, str(archive.root))


@lru_cache(maxsize=2)
def _process_archive(root: str, pid: int) -> Archive:
    """The archive opened once per worker process (`pid` keeps a forked child from reusing its
    parent's connections)."""
    return Archive.open(Path(root))


def call_in_archive(item: Any, function: ArchiveFunction, root: str) -> Any:
    """Runs in a local worker process: `function(archive, item)` on this process's own connection."""
    return function(_process_archive(root, os.getpid()), item)


def write_results(
    archive: Archive, known: KnownDocuments, results: Iterator[FileResult]
) -> Iterator[tuple[FileDone, WriteOutcome]]:
    """One writer: results are committed in small batches, each document whole or not at all."""
    conn = archive.engine.connect()
    writer = DocumentWriter(conn, known)
    try:
        transaction = conn.begin()
        written, opened = 0, time.monotonic()
        for result in results:
            outcome = writer.write(result)
            yield FileDone.of(result), outcome
            written += 1
            if written >= COMMIT_BATCH or time.monotonic() - opened > COMMIT_SECONDS:
                writer.flush()
                transaction.commit()
                transaction, written, opened = conn.begin(), 0, time.monotonic()
        writer.flush()
        transaction.commit()
    except BaseException:
        # Interrupted (Ctrl-C, a worker pool failure, the consumer stopped): keep the documents
        # already complete, unless the interruption came in the middle of writing one.
        if conn.in_transaction():
            if writer.midway:
                conn.rollback()
            else:
                writer.flush()
                conn.commit()
        raise
    finally:
        conn.close()
