"""A `background` post-ingest stage runs in a worker process beside the next stages, on the real
archive database, and the next `after_background` stage sees what it wrote."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.background_support import fail, imported, slow_rows, write_here, write_rows
from unsealed.pipeline.ingest import run_stages
from unsealed.pipeline.process_pool import WorkerError
from unsealed.pipeline.stage import Stage
from unsealed.store.archive import Archive
from unsealed.store.schema import load_problems


@dataclass
class Heard:
    events: list[tuple[str, str]] = field(default_factory=list)

    def files_found(self, count: int) -> None:
        pass

    def file_done(self, done: object, outcome: object) -> None:
        pass

    def stage_started(self, stage: str, documents: int) -> None:
        self.events.append(("started", stage))

    def stage_done(self, stage: str) -> None:
        self.events.append(("done", stage))


def _rows(archive: Archive, dataset: str) -> list[tuple[str, str]]:
    with archive.engine.connect() as conn:
        query = select(load_problems.c.load_file, load_problems.c.problem).where(
            load_problems.c.dataset == dataset
        )
        return sorted((key, pid) for key, pid in conn.execute(query))


def test_background_stage_runs_in_another_process_and_is_joined(tmp_path: Path) -> None:
    ids = [f"d{i:03d}" for i in range(60)]
    seen: list[list[tuple[str, str]]] = []

    def after(archive: Archive, _ids: Sequence[str]) -> None:
        seen.append(_rows(archive, "bg"))

    heard = Heard()
    with Archive.open(tmp_path / "archive") as archive:
        run_stages(
            archive,
            ids,
            heard,
            [
                Stage("background", write_rows, background=True),
                Stage("here", write_here),
                Stage("after", after, after_background=True),
            ],
        )
        background, here = _rows(archive, "bg"), _rows(archive, "fg")
    # both wrote every row (their transactions took turns), the background one from another process
    assert [key for key, _ in background] == ids and [key for key, _ in here] == ids
    assert {pid for _, pid in here} == {str(os.getpid())}
    assert len({pid for _, pid in background}) == 1 and background[0][1] != str(os.getpid())
    assert seen == [background]  # the stage after it waited for all of it
    assert heard.events[0] == ("started", "background")
    assert heard.events.index(("done", "background")) < heard.events.index(("started", "after"))


def test_background_stage_error_stops_the_run(tmp_path: Path) -> None:
    with (
        Archive.open(tmp_path / "archive") as archive,
        pytest.raises(WorkerError, match="a bug in the stage"),
    ):
        run_stages(
            archive,
            ["d1"],
            Heard(),
            [Stage("background", fail, background=True), Stage("here", write_here)],
        )


def test_background_stage_has_no_time_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over a whole release the stage runs for hours: its worker is not stopped at the per-file
    limit (which would run the stage again here, after it)."""
    monkeypatch.setenv("UNSEALED_FILE_TIMEOUT", "1")
    ids = ["d1", "d2"]
    with Archive.open(tmp_path / "archive") as archive:
        run_stages(archive, ids, Heard(), [Stage("background", slow_rows, background=True)])
        written = _rows(archive, "bg")
    assert [key for key, _ in written] == ids  # once each: not run again here
    assert {pid for _, pid in written} != {str(os.getpid())}


def test_a_lock_held_by_another_thread_does_not_hold_the_background_stage(tmp_path: Path) -> None:
    """The ingest process has other threads (rich's progress refresh, the warm-up, a queue front's
    clients). A fork would wait for the logging module's lock, which os.fork takes (and copies any
    other lock held at that moment into the child, held for good); the worker starts as a fresh
    interpreter instead."""
    ids = [f"d{i:02d}" for i in range(5)]
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        logging._lock.acquire()  # type: ignore[attr-defined]  # the lock os.fork takes (3.11-3.13)
        try:
            holding.set()
            release.wait(60)
        finally:
            logging._lock.release()  # type: ignore[attr-defined]

    with Archive.open(tmp_path / "archive") as archive:
        holder = threading.Thread(target=hold, daemon=True)
        holder.start()
        assert holding.wait(10)
        try:
            started = time.monotonic()
            timer = threading.Timer(30, release.set)  # a forking run would wait for this
            timer.start()
            run_stages(
                archive,
                ids,
                Heard(),
                [Stage("background", write_rows, background=True), Stage("here", write_here)],
            )
            took = time.monotonic() - started
            assert took < 25 and holder.is_alive(), took  # it did not wait for the lock
        finally:
            release.set()
            holder.join()
            timer.cancel()
        written = _rows(archive, "bg")
    assert [key for key, _ in written] == ids
    assert {pid for _, pid in written} != {str(os.getpid())}


def test_a_fresh_worker_imports_its_preload_before_its_first_job() -> None:
    """The background worker starts when the post-ingest stages begin and imports the background
    stages' modules then (`Background.prepare`), so it is ready when they are handed to it."""
    from unsealed.config import Limits
    from unsealed.pipeline.process_pool import WorkerPool

    module = "xml.dom.minidom"  # imported by nothing of ours or of this test's support module
    for preload, expected in (([module], True), ([], False)):
        with WorkerPool(1, Limits.from_env(), fresh=True, preload=preload) as pool:
            pool.submit("job", imported, module)
            assert pool.next_result() == ("job", expected)


def test_a_stage_that_needs_a_background_stage_prepares_first_and_runs_after_it(tmp_path: Path) -> None:
    """Entity resolution resolves while the e-mail headers are parsed in the worker, and writes
    once they are done (`prepare`, then `needs`)."""
    ids = [f"d{i:03d}" for i in range(30)]
    heard = Heard()
    calls: list[str] = []

    def prepare(archive: Archive, _ids: Sequence[str]) -> None:
        calls.append("prepare")

    def run(archive: Archive, _ids: Sequence[str]) -> None:
        calls.append("run")
        assert [key for key, _ in _rows(archive, "bg")] == ids  # all of the stage it needs

    with Archive.open(tmp_path / "archive") as archive:
        run_stages(
            archive,
            ids,
            heard,
            [
                Stage("background", write_rows, background=True),
                Stage("after", run, prepare=prepare, needs="background"),
                Stage("unknown", run, needs="not started"),  # nothing to wait for
            ],
        )
    assert calls == ["prepare", "run", "run"]
    assert heard.events.index(("done", "background")) < heard.events.index(("done", "after"))
