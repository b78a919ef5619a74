"""Fault injection: kill -9 of the ingest and of a worker, a full disk, files changed mid-run, two
ingests at once. After each: no orphaned worker, nothing lost, nothing duplicated, index in step."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.builders import write_pdf
from tests.cli_support import run_in_process
from unsealed.search.indexer import status as index_status
from unsealed.store.archive import Archive
from unsealed.store.schema import document_sources, documents
from unsealed.store.verify import verify_originals

FILES = 24
pytestmark = pytest.mark.slow


def _folder(tmp_path: Path, count: int = FILES) -> Path:
    folder = tmp_path / "in"
    for i in range(count):
        write_pdf(folder / f"file-{i:02d}.pdf", [[f"page of file {i} about the ledger"]])
    return folder


def _env(archive_dir: Path, **env: str) -> dict[str, str]:
    return {
        **os.environ,
        "UNSEALED_ARCHIVE": str(archive_dir),
        "UNSEALED_WORKERS": "2",
        "UNSEALED_OCR": "never",
        **env,
    }


def _start(archive_dir: Path, folder: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "unsealed", "ingest", str(folder), "--dataset", "ds"],
        env=_env(archive_dir, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _rerun(archive_dir: Path, folder: Path) -> None:
    """The same ingest again, to its end (in the test's process: the run that was stopped is the one
    whose process matters)."""
    result = run_in_process(["ingest", str(folder), "--dataset", "ds"], _env(archive_dir))
    assert result.returncode == 0, result.stderr


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for_workers(process: subprocess.Popen[str], count: int) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = _children(process.pid)
        if len(children) >= count:
            return children
        time.sleep(0.05)
    raise AssertionError("the workers never started")


def _assert_whole(archive_dir: Path, files: int = FILES) -> None:
    """Every file once, every document's original intact, the index in step with the store."""
    with Archive.open(archive_dir, create=False) as archive:
        with archive.engine.connect() as conn:
            docs = conn.execute(select(func.count()).select_from(documents)).scalar_one()
            ok = conn.execute(select(func.count()).where(documents.c.status == "ok")).scalar_one()
            sources = conn.execute(select(func.count()).select_from(document_sources)).scalar_one()
        assert docs == ok == sources == files  # 0 lost, 0 duplicated
        assert verify_originals(archive).problems == []
        index = index_status(archive)
        assert index.in_step and index.pages == files, index


def test_kill_9_of_the_parent_leaves_no_worker_and_a_rerun_completes(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    archive_dir = tmp_path / "archive"
    rng = random.Random(15)
    for _ in range(2):  # killed at two random points
        process = _start(archive_dir, folder, UNSEALED_FAULT="slow:file")
        workers = _wait_for_workers(process, 2)
        time.sleep(rng.uniform(0.2, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(w) for w in workers), "a worker outlived its parent"
    _rerun(archive_dir, folder)
    _assert_whole(archive_dir)


def test_kill_9_of_a_worker_fails_only_its_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    archive_dir = tmp_path / "archive"
    process = _start(archive_dir, folder, UNSEALED_FAULT="slow:file")
    workers = _wait_for_workers(process, 2)
    time.sleep(0.8)
    os.kill(workers[0], signal.SIGKILL)
    out, err = process.communicate(timeout=300)
    assert "Traceback" not in err
    with Archive.open(archive_dir, create=False) as archive, archive.engine.connect() as conn:
        failed = conn.execute(select(documents.c.error).where(documents.c.status == "failed")).scalars().all()
        total = conn.execute(select(func.count()).select_from(document_sources)).scalar_one()
    assert total == FILES and len(failed) <= 4  # the killed worker's task: one file or one group
    assert all("worker" in (e or "") for e in failed)
    _rerun(archive_dir, folder)
    _assert_whole(archive_dir)


def test_two_ingests_at_once_one_waits_its_turn_with_a_clear_message(tmp_path: Path) -> None:
    # 48 slow files (0.25 s each, 2 workers): the first run holds the lock ~6 s, longer than the
    # second takes to start even on a quiet machine (with 8 files the first could finish first)
    folder = _folder(tmp_path, 48)
    archive_dir = tmp_path / "archive"
    first = _start(archive_dir, folder, UNSEALED_FAULT="slow:file")
    _wait_for_workers(first, 2)
    second = _start(archive_dir, folder)
    _, err = second.communicate(timeout=120)
    assert second.returncode == 2 and "Traceback" not in err
    assert f"process {first.pid}" in err and "One ingest or reprocess at a time" in " ".join(err.split())
    assert first.wait(timeout=300) == 0
    _assert_whole(archive_dir, 48)


def test_a_full_disk_fails_the_file_that_does_not_fit_and_keeps_the_archive_consistent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blobs = tmp_path / "small-disk"
    blobs.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(blobs)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.decode().strip()}")
    try:
        folder = _folder(tmp_path, 4)
        big = folder / "big.pdf"
        write_pdf(big, [["a large scan"]])
        with big.open("ab") as fh:  # bytes after %%EOF, as scanners leave them
            fh.write(random.Random(1).randbytes(1536 * 1024))
        assert big.stat().st_size > 1024 * 1024
        archive_dir = tmp_path / "archive"
        process = _start(archive_dir, folder, UNSEALED_STORAGE=str(blobs))
        out, err = process.communicate(timeout=300)
        assert process.returncode == 1 and "Traceback" not in err
        status = json.loads(
            run_in_process(
                ["status", "--json"],
                {**os.environ, "UNSEALED_ARCHIVE": str(archive_dir), "UNSEALED_STORAGE": str(blobs)},
                check=True,
            ).stdout
        )
        assert [(f["storage_key"], f["error"]) for f in status["failed"]] == [
            ("ds/big.pdf", "could not read or store the file: No space left on device")
        ]
        assert not [p for p in blobs.rglob("*.part")]  # no half-written blob left
        monkeypatch.setenv("UNSEALED_STORAGE", str(blobs))
        with Archive.open(archive_dir, create=False) as archive:
            assert verify_originals(archive).problems == []
    finally:
        subprocess.run(["umount", str(blobs)], check=False)
