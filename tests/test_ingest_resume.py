"""An interrupted run (kill -9 or Ctrl-C) leaves only whole documents and resumes when re-run."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.builders import write_pdf
from tests.process_support import signal_state

# The run is stopped as soon as INTERRUPT_AT documents are in the database (a point it is seen to
# reach, however slow the machine), so the files after those only have to outlast the signal's
# journey. Every page's text is its own, so each file costs its reading and its entity extraction
# (copies of one file were read from the cache of the first, all 12 within the writer's first 1 s
# batch on a quiet machine: the run was past its files before it could be interrupted).
FILES = 12
PAGES = 800
INTERRUPT_AT = 3
REACH_S = 240.0  # a loaded machine may take minutes to start the run and read the first files


def _corpus(folder: Path) -> Path:
    """FILES PDFs of PAGES pages, no page's text like another's."""
    for i in range(FILES):
        pages = [[f"file {i} page {n} of a long production"] for n in range(PAGES)]
        write_pdf(folder / f"doc{i:03d}.pdf", pages)
    return folder


def _documents(db: Path) -> int:
    """The documents the run has committed (0 before its schema exists); a moment when the database
    cannot be read (locked) is read again, never taken for 0."""
    for _ in range(200):
        if not db.exists():
            return 0
        try:
            with sqlite3.connect(db, timeout=5) as conn:
                return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):  # schema not created yet
                return 0
            time.sleep(0.05)
    raise AssertionError(f"{db} could not be read")


def _assert_whole_documents(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT d.id, d.page_count, (SELECT count(*) FROM pages p WHERE p.document_id = d.id)"
            " FROM documents d"
        ).fetchall()
    assert rows and all(page_count == written for _, page_count, written in rows)


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_ingest_resumes_without_half_documents(cli, archive_dir, tmp_path, stop_signal):
    folder = _corpus(tmp_path / "in")
    env = {**os.environ, "UNSEALED_ARCHIVE": str(archive_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "unsealed", "ingest", str(folder), "--dataset", "big", "--workers", "1"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    db = archive_dir / "archive.db"
    deadline = time.monotonic() + REACH_S
    try:
        while _documents(db) < INTERRUPT_AT and process.poll() is None:
            assert time.monotonic() < deadline, f"no {INTERRUPT_AT} documents written in {REACH_S:g} s"
            time.sleep(0.05)
        assert process.poll() is None, "the run ended before it could be interrupted"
        signals = signal_state(process.pid)
        os.killpg(process.pid, stop_signal)  # the whole group, as a terminal's Ctrl-C or a kill would
        process.wait(timeout=60)
    finally:
        if process.poll() is None:  # the test failed above: stop the run
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    interrupted_at = _documents(db)
    err = process.stderr.read().decode(errors="replace")
    assert INTERRUPT_AT <= interrupted_at < FILES, (
        f"the run finished before it could be interrupted (exit {process.returncode}):\n{err[-2000:]}\n"
        f"its signals when interrupted:\n{signals}"
    )
    _assert_whole_documents(db)
    if stop_signal == signal.SIGINT:
        assert process.returncode == 130 and "Traceback" not in err, err[-2000:]

    rerun = cli("ingest", folder, "--dataset", "big", check=True)
    assert f"{FILES - interrupted_at} added" in rerun.stdout and f"{interrupted_at} unchanged" in rerun.stdout
    _assert_whole_documents(db)
    status = json.loads(cli("status", "--json", check=True).stdout)
    assert status["totals"]["documents"] == FILES and status["totals"]["failed"] == 0
