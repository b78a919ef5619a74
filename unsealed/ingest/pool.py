"""The worker pool that reads files: hard time limits, crash survival, and small groups of files.

pebble gives each task a hard time limit and survives a worker that crashes on a hostile file. Each
task costs the pool two messages, a future and a pickled result in both processes, as much as reading
a small PDF; so small, quick files are sent in groups of up to GROUP_FILES. A group gets one file's
time limit, and a group that runs past it or crashes its worker is sent again file by file: every
file still gets its own full limit, and a bad file fails alone. Files go one by one when they are
slow (OCR), where grouping saves nothing and a group could come near the limit, and at the end of a
run, so that no worker is left with a group while the others have finished.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from queue import SimpleQueue

import pebble.common
from pebble import ProcessExpired, ProcessPool

from unsealed.config import Limits
from unsealed.ingest import language
from unsealed.ingest.worker import (
    FileTask,
    WorkerOptions,
    failed_file,
    limit_worker_memory,
    process_files,
    worker_failure_reason,
)
from unsealed.model import FileResult

# Tasks queued per worker, enough to keep workers busy without listing every future at once.
QUEUE_PER_WORKER = 4
# How often pebble's pool threads look at their state (pebble's default is 0.1 s). Joining the pool
# waits for its result thread's next look, so the default added ~0.1 s to every run; at 0.01 s the
# threads' polling costs the parent well under 1 % of a core. Per-file time limits get finer too.
POOL_POLL_S = 0.01
# A group holds at most this many files and bytes; a larger file goes alone.
GROUP_FILES = 4
GROUP_BYTES = 2 * 1024 * 1024
# Files per worker at the end of a run that are sent one by one.
TAIL_FILES_PER_WORKER = 2 * GROUP_FILES
# Files are grouped only while the run reads them faster than this (seconds per file and worker).
QUICK_FILE_S = 0.5


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


def _size(task: FileTask) -> int:
    try:
        return os.stat(task.source.path).st_size
    except OSError:
        return 0  # the worker records why it cannot be read


def file_groups(
    tasks: Sequence[FileTask], workers: int, quick: Callable[[], bool] = lambda: True
) -> Iterator[list[FileTask]]:
    """`tasks` in order, in groups of small files while `quick()` says files are read quickly; the
    last TAIL_FILES_PER_WORKER per worker alone."""
    singles_from = len(tasks) - TAIL_FILES_PER_WORKER * max(1, workers)
    group: list[FileTask] = []
    size = 0
    for index, task in enumerate(tasks):
        task_size = _size(task)
        full = len(group) >= GROUP_FILES or size + task_size > GROUP_BYTES or index >= singles_from
        full = full or not quick()
        if group and full:
            yield group
            group, size = [], 0
        group.append(task)
        size += task_size
    if group:
        yield group


def run_tasks(tasks: Sequence[FileTask], options: WorkerOptions, workers: int) -> Iterator[FileResult]:
    """Results in completion order; a file that times out or kills its worker becomes a failure."""
    timeout = options.limits.file_timeout_s
    started, files_done = time.monotonic(), 0

    def quick() -> bool:
        """Whether files have been read in under QUICK_FILE_S each, per worker (yes until one is)."""
        return files_done == 0 or (time.monotonic() - started) * max(1, workers) / files_done < QUICK_FILE_S

    groups = file_groups(tasks, workers, quick)
    retry: deque[list[FileTask]] = deque()  # files of a failed group, to be sent one by one
    pending: dict[Future[list[FileResult]], list[FileTask]] = {}
    # Each future puts itself here when it completes: cheaper than wait() over all pending futures,
    # which hooks a waiter into every one of them for every result.
    completed: SimpleQueue[Future[list[FileResult]]] = SimpleQueue()
    with worker_pool(workers, options.limits) as pool:
        while True:
            while len(pending) < QUEUE_PER_WORKER * max(1, workers):
                group = retry.popleft() if retry else next(groups, None)
                if group is None:
                    break
                submitted = pool.submit(process_files, timeout, group, options)
                pending[submitted] = group
                submitted.add_done_callback(completed.put)
            if not pending:
                break
            done = completed.get()
            group = pending.pop(done)
            try:
                results = done.result()
            except (FutureTimeout, ProcessExpired) as exc:
                if len(group) > 1:
                    retry.extend([task] for task in group)
                    continue
                results = [failed_file(group[0], options, worker_failure_reason(exc, options.limits))]
            files_done += len(results)
            yield from results
