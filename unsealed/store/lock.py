"""One writer at a time per archive: an advisory file lock that names the process holding it.

The kernel drops an flock when its process ends, however it ends (kill -9 included), so a lock is
never left behind by a crash.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text

from unsealed.errors import ArchiveBusyError

WRITER_LOCK = "writer.lock"
SCHEMA_LOCK = ".schema.lock"
CURATION_LOCK = ".curation.lock"


@contextlib.contextmanager
def archive_writer(root: Path, what: str) -> Iterator[None]:
    """Hold the archive's writer lock for an ingest or reprocess; ArchiveBusyError when another has it."""
    path = Path(root) / WRITER_LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ArchiveBusyError(_busy_message(path, what)) from None
        holder = {
            "pid": os.getpid(),
            "command": " ".join(sys.argv) or what,
            "what": what,
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _busy_message(path: Path, what: str) -> str:
    try:
        holder = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        holder = {}
    who = f"process {holder.get('pid', '?')} ({holder.get('what', 'a writer')}: {holder.get('command', '?')})"
    since = f", running since {holder['started']}" if holder.get("started") else ""
    return (
        f"cannot {what}: {who} is writing to the archive at {path.parent}{since}. "
        "One ingest or reprocess at a time per archive: wait for it to finish, or stop it first."
    )


@contextlib.contextmanager
def _blocking_lock(path: Path) -> Iterator[None]:
    """An exclusive flock on `path`, waited for; one per open, so threads take turns as well."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def schema_lock(root: Path) -> contextlib.AbstractContextManager[None]:
    """Held (blocking) while an opener checks and upgrades the schema, so two never create it at once."""
    return _blocking_lock(Path(root) / SCHEMA_LOCK)


def curation_lock(root: Path) -> contextlib.AbstractContextManager[None]:
    """Held (blocking) while a curator decision is recorded and re-indexed: decisions from several
    server processes, threads or the CLI take turns (one SQLite writer, one search index writer)."""
    return _blocking_lock(Path(root) / CURATION_LOCK)


# Any fixed number: the key of the PostgreSQL advisory lock held while the schema is upgraded.
_SCHEMA_LOCK_KEY = 7_270_115


@contextlib.contextmanager
def database_schema_lock(engine: Engine) -> Iterator[None]:
    """The same, for a shared PostgreSQL database: an advisory lock, so that openers on any machine
    take turns and nothing is written into the local folder."""
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _SCHEMA_LOCK_KEY})
            conn.commit()
