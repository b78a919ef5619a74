"""A post-ingest stage run in a worker process while this process runs the stages after it.

The stages after the workers ran one after another in the ingest process, one core busy while the
others idled (bench/e2e_timeline.py). A stage marked `background` whose tables the next stages do
not touch (the first search-index pass; the e-mail threads: `email_threads`, while resolution writes
the entity tables) runs in one worker process instead, and the next stage marked `after_background`
waits for it. The database still has one writer at a time: each side's write transactions wait for
the other's (SQLite's lock; the worker waits as long as it takes, as a stage of this process would
have).

The worker is a fresh interpreter (`python -c`, WorkerPool's `fresh`), not a fork: this process
has other threads by then (rich's progress refresh, the warm-up of resolution's tables, a queue
front's clients), and a fork copies whatever lock one of them holds at that moment into the child,
held forever (an import in progress, a stream's or a C library's lock), or waits for it (logging's
lock, which os.fork takes). Starting fresh costs the worker its imports (about 0.4 s of CPU: the
stages it runs import no models, no ICU and no alembic), paid while the stages before its first
job run here; told to stop, it leaves with os._exit (process_pool.py), not through the
interpreter's teardown.

Like a stage of this process, the worker has no time or memory limit (over a whole release the
threads and near-duplicates run for hours); a worker that dies leaves its stage to this process,
run again in full (stages are idempotent). In a daemonic process (a Celery worker) the stage runs
here.
"""

from __future__ import annotations

import math
import multiprocessing
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import event

from unsealed.config import Limits
from unsealed.pipeline.process_pool import WorkerFailure, WorkerPool
from unsealed.pipeline.stage import Stage
from unsealed.store.archive import Archive
from unsealed.store.blobs import BlobStore
from unsealed.store.database import create_archive_engine

WAIT_FOR_LOCK_MS = 24 * 3600 * 1000  # the worker's SQLite busy timeout: the other side's stage may be long

FRESH = True  # the worker starts as a new interpreter (see above); False: forked
StageRun = Callable[[Archive, Sequence[str]], object]


def _run_in_worker(run: StageRun, ids: Sequence[str], root: str, url: str, blobs: str) -> None:
    """In the worker: the stage on its own connections to the same archive."""
    engine = create_archive_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _wait(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={WAIT_FOR_LOCK_MS}")
            cursor.close()

    try:
        run(Archive(root=Path(root), engine=engine, blobs=BlobStore(blobs)), ids)
    finally:
        engine.dispose()


def _module(run: StageRun) -> str | None:
    """The module that defines a stage's function (a partial's function), imported by the worker."""
    return getattr(getattr(run, "func", run), "__module__", None)


def can_start_worker() -> bool:
    return sys.platform.startswith("linux") and not multiprocessing.current_process().daemon


class Background:
    """The background stages of one run; use as a context manager (interrupted: workers killed)."""

    def __init__(self, archive: Archive):
        self.archive = archive
        # the stage takes in its worker the time and memory it would take in this process
        self.limits = replace(Limits.from_env(), file_timeout_s=math.inf, worker_memory_bytes=0)
        self._stack = ExitStack()
        self._pool: WorkerPool | None = None
        self._running: dict[int, tuple[Stage, Sequence[str], Callable[[], None]]] = {}
        self._started = 0

    def __enter__(self) -> Background:
        self._stack.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stack.__exit__(*exc)

    def prepare(self, stages: Sequence[Stage]) -> None:
        """Start the worker now, importing the modules of the `background` stages among `stages`, so
        that it is ready when the first of them is handed to it."""
        modules = [_module(stage.run) for stage in stages if stage.background]
        if modules and self._pool is None and can_start_worker():
            self._pool = self._stack.enter_context(
                WorkerPool(1, self.limits, fresh=FRESH, preload=[m for m in modules if m])
            )

    def start(self, stage: Stage, ids: Sequence[str], done: Callable[[], None]) -> bool:
        """Start `stage` over `ids` in a worker; False when it cannot (run it here). `done` is called
        when it has finished."""
        if not can_start_worker():
            return False
        if self._pool is None:
            self._pool = self._stack.enter_context(WorkerPool(1, self.limits, fresh=FRESH))
        archive = self.archive
        url = archive.engine.url.render_as_string(hide_password=False)
        self._started += 1
        self._pool.submit(
            self._started, _run_in_worker, stage.run, list(ids), str(archive.root), url, archive.blobs.url
        )
        self._running[self._started] = (stage, ids, done)
        return True

    def join(self) -> None:
        """Wait for the background stages; one whose worker failed runs again here."""
        while self._running and self._pool is not None:
            self._next()

    def wait_for(self, name: str) -> None:
        """Wait for the background stage `name`, if it runs (and for those handed over before it:
        the worker runs them in order)."""
        while self._pool is not None and any(stage.name == name for stage, _, _ in self._running.values()):
            self._next()

    def _next(self) -> None:
        assert self._pool is not None
        key, outcome = self._pool.next_result()  # raises WorkerError when the stage raised
        stage, ids, done = self._running.pop(key)
        if isinstance(outcome, WorkerFailure):
            stage.run(self.archive, ids)
        done()
