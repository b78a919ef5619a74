"""Shared fixtures: run the real CLI against an archive in a temporary folder.

`cli` runs `unsealed ARGS` in this process (tests/cli_support.py: the same `main()` that
`python -m unsealed` runs, its output captured down to the file descriptors). It spares each call
the interpreter's start and the imports (about a second of CPU), and each ingest the loading of its
models, which made the slow tests slow. `cli_process` runs `python -m unsealed ARGS` as a real
process: for the tests whose point is the process (its start, its environment read once, signals).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli_support import check_result, run_in_process
from unsealed.store.archive import Archive

CliRunner = Callable[..., subprocess.CompletedProcess[str]]

# A suite started in the background of a non-interactive shell (`scripts/test.sh &`, nohup) inherits
# Ctrl-C ignored, and so would every run the tests start: a run started with SIGINT ignored keeps
# ignoring it (the Unix rule for background jobs, which `unsealed` follows), and the tests that
# interrupt a run with Ctrl-C saw it read every file and exit 0. The runs the tests start get
# Ctrl-C back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    return tmp_path / "archive"


def _environment(archive_dir: Path, env: dict[str, str] | None) -> dict[str, str]:
    return {**os.environ, "UNSEALED_ARCHIVE": str(archive_dir), "COLUMNS": "200", **(env or {})}


@pytest.fixture
def cli(archive_dir: Path) -> CliRunner:
    """Run `unsealed ARGS` (in this process) with UNSEALED_ARCHIVE pointing at this test's archive."""

    def run(
        *args: str | Path, env: dict[str, str] | None = None, check: bool = False
    ) -> subprocess.CompletedProcess[str]:
        return run_in_process([str(a) for a in args], _environment(archive_dir, env), check)

    return run


@pytest.fixture
def cli_process(archive_dir: Path) -> CliRunner:
    """Run `python -m unsealed ARGS` as a process, with UNSEALED_ARCHIVE pointing at this test's archive."""

    def run(
        *args: str | Path, env: dict[str, str] | None = None, check: bool = False
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "unsealed", *map(str, args)],
            capture_output=True,
            text=True,
            env=_environment(archive_dir, env),
            timeout=600,
        )
        return check_result(result, check)

    return run


@pytest.fixture
def show_json(cli: CliRunner) -> Callable[[str], dict[str, Any]]:
    def show(key: str) -> dict[str, Any]:
        return json.loads(cli("show", key, "--json", check=True).stdout)

    return show


@pytest.fixture
def open_archive(archive_dir: Path) -> Callable[[], Archive]:
    return lambda: Archive.open(archive_dir, create=False)
