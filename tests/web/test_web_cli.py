"""`unsealed serve`: the real command in a subprocess, on a free loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from web_support import free_port

from unsealed.errors import ExitCode
from unsealed.store.archive import Archive

REPO = Path(__file__).resolve().parents[2]


def unsealed(*args: str) -> list[str]:
    return [sys.executable, "-c", "from unsealed.cli import main; main()", *args]


def test_serve_answers_until_stopped(sample_archive: Archive) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        unsealed("serve", "--archive", str(sample_archive.root), "--port", str(port)),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/v1/status", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "serve did not start listening"
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["totals"]["documents"] > 0
        assert "access-control-allow-origin" not in response.headers
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_serve_refuses_a_missing_archive(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here"
    result = subprocess.run(
        unsealed("serve", "--archive", str(missing), "--port", str(free_port())),
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == ExitCode.NOT_FOUND
    assert "no archive at" in result.stderr
    assert not missing.exists()  # serve never creates an archive
