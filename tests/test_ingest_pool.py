"""The worker pool sends small files in groups; a group past the time limit is re-sent file by file;
workers that hang or die are replaced and their tasks fail with the reason."""

from __future__ import annotations

import multiprocessing
import operator
import signal
import time
from dataclasses import replace
from pathlib import Path

import pytest

from tests.builders import write_many_pages, write_pdf
from unsealed.config import Limits, Settings
from unsealed.ingest.sources import walk_sources
from unsealed.pipeline.pool import GROUP_BYTES, GROUP_FILES, TAIL_FILES_PER_WORKER, file_groups, run_tasks
from unsealed.pipeline.process_pool import WorkerError, WorkerFailure, WorkerPool
from unsealed.pipeline.worker import FileTask, WorkerOptions
from unsealed.store.archive import Archive


def _tasks(folder: Path) -> list[FileTask]:
    return [FileTask(source) for source in walk_sources([folder], "pool")]


def test_small_files_go_in_groups_and_the_last_ones_one_by_one(tmp_path):
    for i in range(20):
        write_pdf(tmp_path / "in" / f"doc{i:02d}.pdf", [[f"memo {i}"]])
    tasks = _tasks(tmp_path / "in")
    groups = list(file_groups(tasks, workers=1))
    assert [task for group in groups for task in group] == tasks  # each file once, in order
    grouped = (len(tasks) - TAIL_FILES_PER_WORKER) // GROUP_FILES
    assert [len(group) for group in groups] == [GROUP_FILES] * grouped + [1] * TAIL_FILES_PER_WORKER


def test_files_go_one_by_one_while_they_are_slow(tmp_path):
    for i in range(20):
        write_pdf(tmp_path / "in" / f"doc{i:02d}.pdf", [[f"memo {i}"]])
    tasks = _tasks(tmp_path / "in")
    assert len(next(file_groups(tasks, workers=1, quick=lambda: True))) == GROUP_FILES
    slow = list(file_groups(tasks, workers=1, quick=lambda: False))  # e.g. every page needs OCR
    assert slow == [[task] for task in tasks]


def test_a_large_file_goes_alone(tmp_path):
    write_pdf(tmp_path / "in" / "a.pdf", [["small"]])
    big = tmp_path / "in" / "b.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * GROUP_BYTES)
    for i in range(3):
        write_pdf(tmp_path / "in" / f"c{i}.pdf", [["small"]])
    groups = list(file_groups(_tasks(tmp_path / "in"), workers=0))  # workers=0 counts as one
    names = [[task.source.filename for task in group] for group in groups]
    assert ["b.pdf"] in names and ["a.pdf"] in names


def test_a_group_past_the_time_limit_is_sent_again_file_by_file(tmp_path):
    # 4,000 pages (1.9 MB, still in a group) and the `slow` fault: ~1.3 s on a quiet machine, past
    # the 0.6 s limit; a one-page file read again alone in a new worker stays inside it on a busy
    # one (at 0.3 s one sometimes did not)
    write_many_pages(tmp_path / "in" / "a_slow.pdf", 4000)
    for i in range(TAIL_FILES_PER_WORKER + GROUP_FILES):
        write_pdf(tmp_path / "in" / f"b_quick{i:02d}.pdf", [[f"note {i}"]])
    tasks = _tasks(tmp_path / "in")
    assert len(next(file_groups(tasks, workers=1))) == GROUP_FILES  # the slow file is in a group
    with Archive.open(tmp_path / "archive") as archive:
        settings = Settings(archive_dir=archive.root)
        limits = replace(settings.limits, file_timeout_s=0.6)
        options = WorkerOptions(
            blob_root=archive.blobs.url, limits=limits, pages=settings.pages, fault="slow:a_slow"
        )
        results = {result.source.filename: result for result in run_tasks(tasks, options, workers=1)}
    assert sorted(results) == sorted(task.source.filename for task in tasks)
    assert "timed out after 0.6 s" in (results.pop("a_slow.pdf").error or "")
    assert all(result.ok and result.pages for result in results.values())


def test_a_worker_that_dies_is_replaced_and_the_task_queued_behind_it_still_runs():
    with WorkerPool(1, Limits(file_timeout_s=60)) as pool:
        pool.submit("crash", signal.raise_signal, signal.SIGKILL)  # a parser dying on a hostile file
        pool.submit("after", operator.add, 1, 2)  # waiting in the same worker's pipe
        outcomes = dict(pool.next_result() for _ in range(2))
    assert outcomes["crash"] == WorkerFailure("the reader crashed on this file (worker exit code -9)")
    assert outcomes["after"] == 3


def test_a_task_past_the_time_limit_is_killed_and_the_pool_goes_on():
    with WorkerPool(1, Limits(file_timeout_s=0.3)) as pool:
        started = time.monotonic()
        outcomes = dict(pool.map_unordered(time.sleep, [30, 0]))
    assert time.monotonic() - started < 10
    assert outcomes[30] == WorkerFailure("timed out after 0.3 s (raise UNSEALED_FILE_TIMEOUT to allow more)")
    assert outcomes[0] is None


def test_an_exception_in_a_task_is_raised_in_the_caller():
    with pytest.raises(WorkerError, match="invalid literal"), WorkerPool(1, Limits()) as pool:
        pool.submit("bug", int, "not a number")
        pool.next_result()


def test_a_worker_that_died_while_idle_is_replaced_when_it_is_next_given_work():
    with WorkerPool(1, Limits(file_timeout_s=60)) as pool:
        # The worker answers, then dies 50 ms later while it waits for work (as if killed from outside).
        pool.submit("arm", signal.setitimer, signal.ITIMER_REAL, 0.05)
        assert pool.next_result()[0] == "arm"
        # wait until it is gone (not a fixed sleep: on a loaded machine a dying worker can still be
        # printing its traceback half a second later, and a task sent then dies with it)
        deadline = time.monotonic() + 30
        while multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not multiprocessing.active_children()
        pool.submit("after", operator.add, 2, 3)
        assert pool.next_result() == ("after", 5)
