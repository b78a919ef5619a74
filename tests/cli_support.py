"""`unsealed ARGS` run in the test's process: the same `main()` that `python -m unsealed` runs (its
exit codes, its one-line errors), with the environment a child process would get set for the call,
and its output captured at the file-descriptor level too, so that what the run's worker processes
print is in `stderr` as it would be from a child process."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from click.testing import CliRunner as ClickRunner

from unsealed.cli import main


def check_result(result: subprocess.CompletedProcess[str], check: bool) -> subprocess.CompletedProcess[str]:
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
    return check_result(result, check)
