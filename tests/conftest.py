"""Shared fixtures: run the real CLI in a subprocess against an archive in a temporary folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from unsealed.store.archive import Archive

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    return tmp_path / "archive"


@pytest.fixture
def cli(archive_dir: Path) -> CliRunner:
    """Run `python -m unsealed ARGS` with UNSEALED_ARCHIVE pointing at this test's archive."""

    def run(
        *args: str | Path, env: dict[str, str] | None = None, check: bool = False
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "UNSEALED_ARCHIVE": str(archive_dir), "COLUMNS": "200", **(env or {})}
        result = subprocess.run(
            [sys.executable, "-m", "unsealed", *map(str, args)],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    return run


@pytest.fixture
def show_json(cli: CliRunner) -> Callable[[str], dict[str, Any]]:
    def show(key: str) -> dict[str, Any]:
        return json.loads(cli("show", key, "--json", check=True).stdout)

    return show


@pytest.fixture
def open_archive(archive_dir: Path) -> Callable[[], Archive]:
    return lambda: Archive.open(archive_dir, create=False)
