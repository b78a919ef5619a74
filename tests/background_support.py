"""The stages tests/test_background_stages.py runs in the background worker: a module of its own,
light to import, since the worker (a fresh interpreter) imports the module a stage comes from."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from sqlalchemy import insert

from unsealed.store.archive import Archive
from unsealed.store.schema import load_problems


def write_rows(archive: Archive, ids: Sequence[str]) -> None:
    """Writes one row per id, with the process id that wrote it, one transaction per row."""
    for doc_id in ids:
        with archive.engine.begin() as conn:
            conn.execute(
                insert(load_problems), [{"dataset": "bg", "load_file": doc_id, "problem": str(os.getpid())}]
            )


def write_here(archive: Archive, ids: Sequence[str]) -> None:
    with archive.engine.begin() as conn:
        for doc_id in ids:
            conn.execute(
                insert(load_problems), [{"dataset": "fg", "load_file": doc_id, "problem": str(os.getpid())}]
            )


def fail(archive: Archive, ids: Sequence[str]) -> None:
    raise ValueError("a bug in the stage")


def slow_rows(archive: Archive, ids: Sequence[str]) -> None:
    time.sleep(2.5)  # past the file time limit the test sets (1 s)
    write_rows(archive, ids)


def imported(module: str) -> bool:
    """Whether `module` was imported in this process before this call."""
    import sys

    return module in sys.modules
