"""Worker processes fed through one pipe each, with a hard time limit per task and crash survival.

A hostile file may hang a parser in C code or crash its process, so a worker that runs past the
time limit is killed, a worker that dies is noticed, and either is replaced while the run goes on;
the task gets a `WorkerFailure` with the reason. Everything runs in the calling thread: it sends
tasks down the pipes and waits on them with `multiprocessing.connection.wait`, and each worker
holds up to TASKS_PER_WORKER tasks so that it never waits for the caller between two. (pebble did
this job before; its three helper threads, locks and per-task acknowledgements cost the parent as
much CPU as the database writes of a run of small files.)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib
import math
import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any

from unsealed.config import Limits

TASKS_PER_WORKER = 3  # one running, the next ones waiting in the pipe
STOP_GRACE_S = 5.0  # how long a worker may take to exit when the pool closes


@dataclass(frozen=True)
class WorkerFailure:
    """Why a task has no result: it ran past the time limit, or its worker process died."""

    reason: str


def timed_out_reason(timeout_s: float) -> str:
    return f"timed out after {timeout_s:g} s (raise UNSEALED_FILE_TIMEOUT to allow more)"


def crashed_reason(exitcode: int | None) -> str:
    return f"the reader crashed on this file (worker exit code {exitcode})"


class WorkerError(RuntimeError):
    """A task raised an exception in its worker (a bug, not a bad file: readers record those)."""


def limit_worker_memory(max_bytes: int) -> None:
    """A worker that needs more memory than this fails its file, not the machine."""
    if max_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to kill this process when its parent dies (kill -9 and out-of-memory kills
    included), so no worker lives on holding the archive's files open. Linux only; elsewhere the
    worker still ends when its pipe to the parent closes."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the request was made
        os._exit(1)


def _serve(conn: Connection, memory_bytes: int, parent_pid: int) -> None:
    """A worker's life: run each (function, args) received, send back (ok, result or traceback)."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    limit_worker_memory(memory_bytes)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        function, args = job
        try:
            reply: tuple[bool, Any] = (True, function(*args))
        except Exception as exc:  # noqa: BLE001 - sent to the parent, which raises it there
            reply = (False, "".join(traceback.format_exception(exc)))
        conn.send(reply)


def _serve_exec(fd: int, memory_bytes: int, parent_pid: int) -> None:
    """A worker started as a fresh interpreter: the caller's import path and the modules to import
    before the first job arrives, then `_serve`."""
    conn = Connection(fd)
    sys.path[:], modules = conn.recv()
    for module in modules:
        importlib.import_module(module)
    _serve(conn, memory_bytes, parent_pid)
    # Told to stop: every result is sent and each job closed what it opened, so leave at once. The
    # interpreter's own teardown of what the jobs imported took 0.2-0.4 s, which the caller waits
    # for when the pool closes (the end of every ingest, with the background stages).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class _ExecProcess:
    """A worker as a fresh interpreter (`python -c`), its end of the pipe passed as a descriptor.

    Not multiprocessing's "spawn", which imports the calling script again in the child (a script
    that calls `ingest` at its top level would run again there) and starts a resource tracker."""

    def __init__(self, conn: Connection, memory_bytes: int, parent_pid: int):
        fd = conn.fileno()
        code = (
            "from unsealed.pipeline.process_pool import _serve_exec; "
            f"_serve_exec({fd}, {memory_bytes}, {parent_pid})"
        )
        # the caller's import path from the start, so that `unsealed` comes from the caller's tree
        path = os.pathsep.join(p for p in sys.path if p)
        env = {**os.environ, "PYTHONPATH": path}
        self._popen = subprocess.Popen([sys.executable, "-c", code], pass_fds=[fd], env=env)

    @property
    def exitcode(self) -> int | None:
        return self._popen.poll()

    def is_alive(self) -> bool:
        return self._popen.poll() is None

    def join(self, timeout: float | None = None) -> None:
        try:
            self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass

    def kill(self) -> None:
        self._popen.kill()


@dataclass
class _Worker:
    process: BaseProcess | _ExecProcess
    conn: Connection
    jobs: deque[tuple[Any, Callable[..., Any], tuple[Any, ...]]] = field(default_factory=deque)
    started: float = 0.0  # when its oldest job started


class WorkerPool:
    """`fresh`: how a worker process starts. Forked (the file readers: a worker starts with what this
    process has loaded) is safe only while no other thread runs here, since a lock another thread
    holds at that moment stays held in the child, and os.fork waits for logging's lock; fresh, a new
    interpreter that imports what it runs (background.py), the child shares no state with this
    process. `preload`: modules a fresh worker imports as soon as it starts, before it is given
    work. A `limits.file_timeout_s` of math.inf: no time limit."""

    def __init__(self, workers: int, limits: Limits, fresh: bool = False, preload: Sequence[str] = ()):
        self._limits = limits
        self._fresh = fresh
        self._preload = list(preload)
        self._context = multiprocessing.get_context("fork")
        self._workers = [self._start() for _ in range(max(1, workers))]

    def _start(self) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        process: BaseProcess | _ExecProcess
        if self._fresh:
            process = _ExecProcess(child_end, self._limits.worker_memory_bytes, os.getpid())
            parent_end.send((sys.path, self._preload))
        else:
            process = self._context.Process(
                target=_serve, args=(child_end, self._limits.worker_memory_bytes, os.getpid()), daemon=True
            )
            process.start()
        child_end.close()  # so that the parent's end sees EOF when the worker dies
        return _Worker(process, parent_end)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
        else:  # interrupted (Ctrl-C, an error, a consumer that stopped early): stop at once
            self.kill()

    @property
    def pending(self) -> int:
        return sum(len(worker.jobs) for worker in self._workers)

    def has_room(self) -> bool:
        return any(len(worker.jobs) < TASKS_PER_WORKER for worker in self._workers)

    def submit(self, key: Any, function: Callable[..., Any], *args: Any) -> None:
        """Queue `function(*args)` on the least busy worker; its outcome comes back with `key`."""
        worker = min(self._workers, key=lambda w: len(w.jobs))
        if not worker.jobs:
            worker.started = time.monotonic()
        worker.jobs.append((key, function, args))
        try:
            worker.conn.send((function, args))
        except OSError:  # it died while it had nothing to do (killed from outside): use another
            waiting = list(worker.jobs)
            self._swap(worker)
            for job_key, job_function, job_args in waiting:
                self.submit(job_key, job_function, *job_args)

    def next_result(self) -> tuple[Any, Any]:
        """The next finished task: (key, its result or a WorkerFailure). Raises WorkerError when the
        task raised."""
        timeout = self._limits.file_timeout_s
        while True:
            busy = [worker for worker in self._workers if worker.jobs]
            if not busy:
                raise RuntimeError("no task is pending")
            deadline = min(worker.started for worker in busy) + timeout
            left = None if math.isinf(timeout) else max(0.0, deadline - time.monotonic())
            ready = wait([worker.conn for worker in busy], timeout=left)
            if ready:
                worker = next(worker for worker in busy if worker.conn is ready[0])
                try:
                    ok, payload = worker.conn.recv()
                except (EOFError, OSError):
                    worker.process.join(1.0)
                    return self._replace(worker, crashed_reason(worker.process.exitcode))
                key = worker.jobs.popleft()[0]
                worker.started = time.monotonic()
                if not ok:
                    raise WorkerError(payload)
                return key, payload
            for worker in busy:
                if time.monotonic() >= worker.started + timeout:
                    return self._replace(worker, timed_out_reason(timeout))

    def map_unordered(
        self, function: Callable[..., Any], items: Iterable[Any], *args: Any
    ) -> Iterator[tuple[Any, Any]]:
        """(item, function(item, *args) or a WorkerFailure) for every item, as they finish."""
        queue = iter(items)
        while True:
            while self.has_room() and (item := next(queue, None)) is not None:
                self.submit(item, function, item, *args)
            if not self.pending:
                return
            yield self.next_result()

    def _replace(self, worker: _Worker, reason: str) -> tuple[Any, WorkerFailure]:
        """Kill `worker` (stuck or dead), start another, and send its waiting jobs again."""
        key = worker.jobs.popleft()[0]
        waiting = list(worker.jobs)
        self._swap(worker)
        for job_key, function, args in waiting:
            self.submit(job_key, function, *args)
        return key, WorkerFailure(reason)

    def _swap(self, worker: _Worker) -> None:
        """Stop `worker` at once and put a new one in its place."""
        self._stop(worker, grace=0.0)
        self._workers[self._workers.index(worker)] = self._start()

    def _stop(self, worker: _Worker, grace: float) -> None:
        if grace > 0:
            worker.process.join(grace)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()

    def close(self) -> None:
        """Let the workers finish their jobs and exit."""
        for worker in self._workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass  # already gone
        for worker in self._workers:
            self._stop(worker, grace=STOP_GRACE_S)

    def kill(self) -> None:
        for worker in self._workers:
            self._stop(worker, grace=0.0)
