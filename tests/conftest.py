"""Shared fixtures: run the real CLI against an archive in a temporary folder.

`cli` runs `unsealed ARGS` in this process: the same `main()` that `python -m unsealed` runs (its
exit codes, its one-line errors), with the environment of a child process set for the call and its
output captured at the file-descriptor level too, so what the run's worker processes print is in
`stderr` as it would be from a child process. It spares each call the interpreter's start and the
imports (about a second of CPU), and each ingest the loading of its models, which made the slow
tests slow. `cli_process` runs `python -m unsealed ARGS` as a real process: for the tests whose
point is the process (its start, its environment read once, signals).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner as ClickRunner

from unsealed.cli import main
from unsealed.store.archive import Archive

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    return tmp_path / "archive"


def _check(result: subprocess.CompletedProcess[str], check: bool) -> subprocess.CompletedProcess[str]:
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


@contextmanager
def _descriptors_to_files() -> Iterator[tuple[Any, Any]]:
    """File descriptors 1 and 2 into temporary files for the block: what child processes write."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        try:
            yield out, err
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            out.flush()
            err.flush()


def _read(file: Any) -> str:
    file.seek(0)
    return file.read().decode("utf-8", errors="replace")


def run_in_process(
    args: list[str], env: dict[str, str], check: bool = False
) -> subprocess.CompletedProcess[str]:
    """`unsealed ARGS` through `unsealed.cli.main` in this process, with `env` as its environment."""
    argv = ["unsealed", *args]
    code: int = 0
    with _descriptors_to_files() as (fd_out, fd_err):
        with ClickRunner().isolation(env=env) as (out, err, _):
            saved_argv, sys.argv = sys.argv, argv
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:  # noqa: BLE001 - what the interpreter does with an uncaught error
                sys.stderr.write(traceback.format_exc())
                code = 1
            finally:
                sys.argv = saved_argv
                sys.stdout.flush()
                sys.stderr.flush()
            stdout = out.getvalue().decode("utf-8", errors="replace")
            stderr = err.getvalue().decode("utf-8", errors="replace")
        stdout, stderr = stdout + _read(fd_out), stderr + _read(fd_err)
    result = subprocess.CompletedProcess(argv, code, stdout, stderr)
    return _check(result, check)


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
        return _check(result, check)

    return run


@pytest.fixture
def show_json(cli: CliRunner) -> Callable[[str], dict[str, Any]]:
    def show(key: str) -> dict[str, Any]:
        return json.loads(cli("show", key, "--json", check=True).stdout)

    return show


@pytest.fixture
def open_archive(archive_dir: Path) -> Callable[[], Archive]:
    return lambda: Archive.open(archive_dir, create=False)
