"""The Celery executor: the same per-file work and enrichment batches, on workers anywhere.

`unsealed ingest --queue` puts each original into the blob store, records the run's files in
`work_items` (store/work.py) and sends one message per file; `unsealed worker` runs them
(remote.py) and records each file itself, so the enqueuing process can leave (Ctrl-C) and come back
(`unsealed follow`) while the workers go on. Progress is read from the database, which every machine
sees; the broker (Redis or RabbitMQ, UNSEALED_BROKER_URL) only carries the messages. Messages are
acknowledged after the work (acks_late), one at a time per worker process (prefetch 1), and come back
to the queue when a worker dies; the broker's visibility timeout is longer than a file's time limit.

`map`/`map_archive` run other module-level functions (re-reading a document, an entity-extraction
batch) and bring their results back through the result backend; only the functions in
REMOTE_FUNCTIONS can be called that way, and every message is plain JSON (wire.py).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from celery import Celery, signals
from celery.exceptions import Retry

from unsealed.config import Settings
from unsealed.enrich import shared_tagging
from unsealed.ingest.hashing import Original
from unsealed.model import FileDone, FileResult
from unsealed.pipeline import remote, wire
from unsealed.pipeline.enrich_stages import enrich_batch
from unsealed.pipeline.executor import ArchiveFunction
from unsealed.pipeline.ingest import IngestObserver, IngestReport, run_stages
from unsealed.pipeline.process_pool import WorkerFailure
from unsealed.pipeline.reprocess import reread
from unsealed.pipeline.worker import FileTask, WorkerOptions, hash_original, put_original
from unsealed.store import work
from unsealed.store.archive import Archive
from unsealed.store.documents import document_id, recorded_contents
from unsealed.store.work import WorkItem
from unsealed.store.writer import KnownDocuments, WriteOutcome

T = TypeVar("T")
logger = logging.getLogger(__name__)

INGEST_TASK = "unsealed.ingest_file"
CALL_TASK = "unsealed.call"
# A file's finish is stamped by the database's clock just before its transaction commits; one that
# commits this much later than its stamp is still seen by the next look.
FOLLOW_MARGIN = timedelta(seconds=30)
SEND_BATCH = 32  # files stored and recorded before their messages go out
# The first batches are smaller (4, 8, 16, then SEND_BATCH): the workers wait for the first messages,
# and 32 files hashed and put before any went out kept them idle for 1.5-2.7 s at the start of a run.
FIRST_BATCH = 4
UPLOADS = 8  # originals put into the blob store at once by `ingest --queue`
UPLOAD_IN_MEMORY = 8 * 1024 * 1024  # larger originals are read again from disk to be put


def _name(function: Callable[..., Any]) -> str:
    return f"{function.__module__}:{function.__qualname__}"


# What `unsealed.call` may run: the functions the executor seam hands to `map`/`map_archive`.
REMOTE_FUNCTIONS: dict[str, Callable[..., Any]] = {_name(f): f for f in (reread, enrich_batch)}


def result_backend(settings: Settings) -> str:
    q = settings.queue
    if q.result_backend:
        return q.result_backend
    return q.broker_url if q.broker_url.startswith(("redis://", "rediss://")) else "rpc://"


def make_app(settings: Settings) -> Celery:
    """The Celery app for `settings`: the same on the enqueuing machine and on every worker."""
    q = settings.queue
    visibility = q.visibility_timeout_s(settings.limits)
    app = Celery("unsealed", broker=q.broker_url, backend=result_backend(settings))
    app.conf.update(
        task_default_queue=q.queue,
        task_acks_late=True,  # a message is acknowledged after its file is recorded
        task_reject_on_worker_lost=True,  # a worker process that dies puts its message back
        worker_prefetch_multiplier=1,
        # a backstop, under the visibility timeout: the reader process has the file's own limit
        task_time_limit=max(settings.limits.file_timeout_s + 1, visibility - 1),
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        result_expires=24 * 3600,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a restarted broker is waited for, not given up on
        broker_transport_options={
            "visibility_timeout": visibility,  # Redis: a lost worker's message is handed out again
            "unacked_restore_interval": q.restore_interval_s,
            "unacked_restore_throttle": 1,
        },
        worker_hijack_root_logger=False,
    )
    register_tasks(app, settings)
    return app


# --- the worker side --------------------------------------------------------------------------

_archive: dict[int, Archive] = {}


def worker_archive(settings: Settings) -> Archive:
    """The archive as this worker process sees it (UNSEALED_DATABASE_URL, UNSEALED_STORAGE), opened
    once per process."""
    pid = os.getpid()
    if pid not in _archive:
        _archive.clear()  # a forked child must not use its parent's connections
        _archive[pid] = Archive.open(settings.archive_dir)
    return _archive[pid]


@signals.worker_process_init.connect
def _fresh_process(**_: Any) -> None:
    _archive.clear()
    remote._readers.clear()  # the parent's reader belongs to the parent
    # Celery's pool marks its processes daemonic, which multiprocessing reads as "may not start a
    # child"; this process's reader child is its own (it exits when this process's end of its pipe
    # closes, however this process ends).
    multiprocessing.current_process()._config["daemon"] = False  # type: ignore[attr-defined]


# What each pool process logs when its warm-up ends (tests and bench/scale.py wait for them all).
WARMED_UP = "worker process warmed up"
WARM_UP_FAILED = "warm-up of a worker process failed"


def warm_up(settings: Settings) -> None:
    """A new pool process starts its reader, connects to the database and makes its S3 client now,
    before it takes a file (each costs a few tenths of a CPU second once). A service that is down
    is not this process's failure: the first file finds it so, and is retried."""
    try:
        remote.reader(settings.limits)  # forked before any connection is open here
        archive = worker_archive(settings)
        with archive.engine.connect():
            pass
        archive.blobs.exists(".unsealed-warm-up")
    except Exception as exc:  # noqa: BLE001 - only a head start; the work itself reports failures
        logger.warning("%s: %s", WARM_UP_FAILED, exc)
    else:
        logger.info(WARMED_UP)


def register_tasks(app: Celery, settings: Settings) -> None:
    q = settings.queue

    @app.task(bind=True, name=INGEST_TASK, ignore_result=True, max_retries=q.retries)
    def ingest_file(self: Any, message: dict[str, Any]) -> str:
        item = WorkItem.from_message(message)
        archive = worker_archive(settings)
        try:
            return remote.ingest_item(archive, item, settings, self.request.hostname, self.request.retries)
        except remote.RetryLater as exc:
            raise self.retry(exc=exc, countdown=q.retry_delay_s) from exc
        except Retry:
            raise
        except Exception as exc:  # the store or the database failed, not the file: retry, then record
            reason = f"{type(exc).__name__}: {exc}"
            if self.request.retries < q.retries:
                raise self.retry(exc=exc, countdown=q.retry_delay_s) from exc
            remote.give_up(archive, item, f"{reason} (tried {self.request.retries + 1} times)")
            raise

    @app.task(name=CALL_TASK)
    def call(function_name: str, item: Any, args: list[Any], with_archive: bool) -> Any:
        function = REMOTE_FUNCTIONS.get(function_name)
        if function is None:
            raise ValueError(f"{function_name} is not a function the queue runs")
        if with_archive:
            return wire.encode(function(worker_archive(settings), wire.decode(item)))
        return wire.encode(function(wire.decode(item), *wire.decode(args)))


def run_worker(
    settings: Settings, concurrency: int, queues: Sequence[str], name: str | None, events: bool = False
) -> None:
    """`unsealed worker`: a Celery worker with `concurrency` processes. Task events are off unless
    `events`: three broker messages per file that nobody may read; Flower (or `celery control
    enable_events`) turns them on when someone watches."""
    app = make_app(settings)
    # The models load here, once, before the pool forks its processes (and each of them its reader):
    # not in every process at its first file, on the clock of the run.
    remote.preload()
    # Each pool process starts its reader and opens its connections as it starts (`warm_up`), which
    # may take longer than Celery's 4 s for a process to report in on a busy machine.
    app.conf.worker_proc_alive_timeout = 60.0
    signals.worker_process_init.connect(lambda **_: warm_up(settings), weak=False)
    argv = [
        "worker",
        f"--concurrency={concurrency}",
        f"--queues={','.join(queues)}",
        "--loglevel=INFO",
        *(["--task-events"] if events else []),
        # no worker-to-worker chatter on the broker (revokes and clocks shared between workers):
        # every fact about a file is in the database
        "--without-gossip",
        "--without-mingle",
        f"--hostname={name or f'unsealed-{os.getpid()}@{socket.gethostname()}'}",
    ]
    with ExitStack() as stack:
        if concurrency > 1:  # the processes tag each paragraph once between them, not once each
            stack.enter_context(shared_tagging.shared_by_processes(Path(tempfile.gettempdir())))
        app.worker_main(argv)


# --- the enqueuing side -----------------------------------------------------------------------


def work_item(task: FileTask, hashed: FileResult, options: WorkerOptions) -> WorkItem:
    source = task.source
    return WorkItem(
        dataset=source.dataset,
        storage_key=source.storage_key,
        sha256=hashed.sha256,
        md5=hashed.md5,
        size_bytes=hashed.size_bytes,
        source_path=source.location,
        parts=tuple(part.storage_key for part in source.parts),
        refused=hashed.error if source.refused is not None or hashed.error else None,
        load=wire.encode(task.load),
        analyse=options.analyse_with is not None,
        dedup=wire.encode(options.dedup),
    )


def queue_item(task: FileTask, options: WorkerOptions) -> tuple[WorkItem, FileResult]:
    """One file hashed and put into the blob store (unless recorded already), as a work item."""
    hashed, parts = hash_original(task, options)
    stored = put_original(hashed, parts, options)
    return work_item(task, stored, options), stored


def queue_items(
    archive: Archive, tasks: Sequence[FileTask], options: WorkerOptions, uploads: ThreadPoolExecutor
) -> list[tuple[WorkItem, FileResult]]:
    """Files hashed (each read once) and put into the blob store, as work items.

    One query says which contents the archive has recorded already (in any data set): only those
    are looked for in the store before they are put (a copy is not sent again); the others are put
    with a plain PUT, no HEAD first. The PUTs of the batch go out together (`uploads`), so the
    store's round trips overlap instead of adding up."""
    hashed = [hash_original(task, options) for task in tasks]
    with archive.engine.connect() as conn:
        recorded = recorded_contents(conn, {result.sha256 for result, parts in hashed if parts})
    stored = list(
        uploads.map(
            lambda pair: put_original(pair[0], _lean(pair[1]), options, look=pair[0].sha256 in recorded),
            hashed,
        )
    )
    return [(work_item(task, result, options), result) for task, result in zip(tasks, stored, strict=True)]


def _lean(parts: list[Original]) -> list[Original]:
    """Large files are put from their path, so that a batch does not hold them all in memory."""
    return [part if part.size <= UPLOAD_IN_MEMORY else replace(part, content=None) for part in parts]


def send_batches(count: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each batch of `count` files: FIRST_BATCH, doubling up to SEND_BATCH."""
    start, size = 0, FIRST_BATCH
    while start < count:
        yield start, min(start + size, count)
        start, size = start + size, min(size * 2, SEND_BATCH)


def follow(
    archive: Archive, dataset: str, keys: set[str] | None, poll_s: float
) -> Iterator[tuple[FileDone, WriteOutcome]]:
    """Each file of `dataset` (of `keys`, or every one queued or running now) as the workers record
    it, until none is left."""
    with archive.engine.connect() as conn:
        remaining = set(keys) if keys is not None else work.open_keys(conn, dataset)
    since = None
    while remaining:
        with archive.engine.connect() as conn:
            finished = work.finished_since(conn, dataset, since)
        if finished and finished[-1].finished_at is not None:  # look again from the latest, less the margin
            since = finished[-1].finished_at - FOLLOW_MARGIN
        for item in finished:
            if item.storage_key in remaining:
                remaining.discard(item.storage_key)
                status = "ok" if item.state == "done" else "failed"
                outcome = WriteOutcome(item.document_id or "", item.action or "added", status)
                done = FileDone(
                    item.storage_key, item.pages, item.ocr_pages, item.error, analysed=item.analysed
                )
                yield done, outcome
        if remaining:
            time.sleep(poll_s)


class CeleryExecutor:
    """Celery workers anywhere, sharing the database, the blob store and the broker."""

    def __init__(self, settings: Settings, app: Celery | None = None):
        self.settings = settings
        self.app = app or make_app(settings)

    def ingest_files(
        self, archive: Archive, known: KnownDocuments, tasks: Sequence[FileTask], options: WorkerOptions
    ) -> Iterator[tuple[FileDone, WriteOutcome]]:
        items: list[WorkItem] = []
        with ThreadPoolExecutor(UPLOADS, thread_name_prefix="upload") as uploads:
            # batch by batch, so that the workers start while the rest is still being stored
            for start, end in send_batches(len(tasks)):
                batch = []
                for item, stored in queue_items(archive, tasks[start:end], options, uploads):
                    if stored.unchanged:  # recorded already at this storage key: nothing to do
                        doc_id = document_id(item.dataset, item.sha256)
                        yield FileDone(item.storage_key, 0, 0), WriteOutcome(doc_id, "unchanged", "ok")
                        continue
                    batch.append(item)
                self._send(archive, batch)
                items.extend(batch)
        if items:
            yield from follow(archive, items[0].dataset, work.keys(items), self.settings.queue.poll_s)

    def _send(self, archive: Archive, items: list[WorkItem]) -> None:
        """Record the items as queued and send a message for each one that is not queued already."""
        with archive.engine.begin() as conn:
            fresh = work.enqueue(conn, items)
        for item in fresh:
            self.app.send_task(INGEST_TASK, args=[item.message()], queue=self.settings.queue.queue)

    def _calls(
        self, function: Callable[..., Any], items: Iterable[Any], args: tuple[Any, ...], with_archive: bool
    ) -> Iterator[tuple[Any, Any]]:
        name = _name(function)
        if name not in REMOTE_FUNCTIONS:
            raise ValueError(f"{name} is not in pipeline/celery_executor.py's REMOTE_FUNCTIONS")
        pending = [
            (
                item,
                self.app.send_task(
                    CALL_TASK,
                    args=[name, wire.encode(item), wire.encode(args), with_archive],
                    queue=self.settings.queue.queue,
                ),
            )
            for item in items
        ]
        while pending:
            still = []
            for item, result in pending:
                if not result.ready():
                    still.append((item, result))
                elif result.successful():
                    yield item, wire.decode(result.get(disable_sync_subtasks=False))
                else:
                    yield item, WorkerFailure(f"failed on a worker: {result.result!r}")
                    result.forget()
            pending = still
            if pending:
                time.sleep(self.settings.queue.poll_s / 5)

    def map(
        self, function: Callable[..., T], items: Iterable[Any], *args: Any
    ) -> Iterator[tuple[Any, T | WorkerFailure]]:
        return self._calls(function, items, args, with_archive=False)

    def map_archive(
        self, function: ArchiveFunction, items: Iterable[Any], archive: Archive
    ) -> Iterator[tuple[Any, Any]]:
        return self._calls(function, items, (), with_archive=True)


def follow_dataset(
    archive: Archive, dataset: str, settings: Settings, observer: IngestObserver
) -> IngestReport:
    """`unsealed follow`: the data set's queued and running files until they are recorded, then the
    post-ingest stages over what is pending (their batches on the workers)."""
    with archive.engine.connect() as conn:
        keys = work.open_keys(conn, dataset)
    observer.files_found(len(keys))
    report = IngestReport()
    for done, outcome in follow(archive, dataset, keys, settings.queue.poll_s):
        report.count(done, outcome)
        observer.file_done(done, outcome)
    run_stages(archive, report.changed_ids, observer, executor=CeleryExecutor(settings))
    return report
