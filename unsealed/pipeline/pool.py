"""Reading files in worker processes: small files in groups, a hard time limit for every file.

process_pool.WorkerPool kills a worker that runs past the time limit and replaces one that dies.
Each task costs a message each way and a pickled result, as much as reading a small PDF; so small,
quick files are sent in groups of up to GROUP_FILES. A group gets one file's time limit, and a
group that runs past it or crashes its worker is sent again file by file: every file still gets its
own full limit, and a bad file fails alone. Files go one by one when they are slow (OCR), where
grouping saves nothing and a group could come near the limit, and at the end of a run, so that no
worker is left with a group while the others have finished.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from unsealed.analysis import language
from unsealed.config import Limits
from unsealed.model import FileResult
from unsealed.pipeline.process_pool import WorkerFailure, WorkerPool
from unsealed.pipeline.worker import FileTask, WorkerOptions, failed_file, process_files

# A group holds at most this many files and bytes; a larger file goes alone.
GROUP_FILES = 4
GROUP_BYTES = 2 * 1024 * 1024
# Files per worker at the end of a run that are sent one by one.
TAIL_FILES_PER_WORKER = 2 * GROUP_FILES
# Files are grouped only while the run reads them faster than this (seconds per file and worker).
QUICK_FILE_S = 0.5


@contextmanager
def worker_pool(workers: int, limits: Limits) -> Iterator[WorkerPool]:
    """Worker processes for reading files: drained when the work ends, stopped at once when it is
    interrupted (Ctrl-C, an error, or a consumer that stops early) instead of finishing the queue."""
    language.preload()  # once here, shared by the forked workers, rather than once per worker
    with WorkerPool(workers, limits) as pool:
        yield pool


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
    started, files_done = time.monotonic(), 0

    def quick() -> bool:
        """Whether files have been read in under QUICK_FILE_S each, per worker (yes until one is)."""
        return files_done == 0 or (time.monotonic() - started) * max(1, workers) / files_done < QUICK_FILE_S

    groups = file_groups(tasks, workers, quick)
    retry: deque[list[FileTask]] = deque()  # files of a failed group, to be sent one by one
    with worker_pool(workers, options.limits) as pool:
        while True:
            while pool.has_room():
                group = retry.popleft() if retry else next(groups, None)
                if group is None:
                    break
                pool.submit(group, process_files, group, options)
            if not pool.pending:
                break
            group, outcome = pool.next_result()
            if isinstance(outcome, WorkerFailure):
                if len(group) > 1:
                    retry.extend([task] for task in group)
                    continue
                outcome = [failed_file(group[0], options, outcome.reason)]
            files_done += len(outcome)
            yield from outcome
