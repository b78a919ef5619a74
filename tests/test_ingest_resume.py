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

from tests.builders import write_many_pages

FILES = 40


def _corpus(folder: Path) -> Path:
    """FILES distinct PDFs of 800 pages: one PDF, each copy with a comment after %%EOF (still valid)."""
    template = write_many_pages(folder / "doc000.pdf", 800).read_bytes()
    for i in range(1, FILES):
        (folder / f"doc{i:03d}.pdf").write_bytes(template + f"\n% copy {i}\n".encode())
    return folder


def _documents(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0


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
    deadline = time.monotonic() + 60
    while _documents(db) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    os.killpg(process.pid, stop_signal)  # the whole group, as a terminal's Ctrl-C or a kill would
    process.wait(timeout=60)
    interrupted_at = _documents(db)
    assert 0 < interrupted_at < FILES, "the run finished before it could be interrupted"
    _assert_whole_documents(db)
    if stop_signal == signal.SIGINT:
        assert process.returncode == 130 and b"Traceback" not in process.stderr.read()

    rerun = cli("ingest", folder, "--dataset", "big", check=True)
    assert f"{FILES - interrupted_at} added" in rerun.stdout and f"{interrupted_at} unchanged" in rerun.stdout
    _assert_whole_documents(db)
    status = json.loads(cli("status", "--json", check=True).stdout)
    assert status["totals"]["documents"] == FILES and status["totals"]["failed"] == 0
