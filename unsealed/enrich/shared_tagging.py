"""One paragraph cache per machine: the spans of tagged paragraphs in a SQLite file that the
processes of one worker share, so a paragraph one process tagged is not tagged again by another.

Each process keeps its own in-memory cache in front of the file (`tagging.ParagraphCache`), asks
the file only for the paragraphs that cache lacks, one query per document, and adds what it tagged
in one transaction. A cache gives what a fresh tagging gives by construction (the key is a hash of
the model and the paragraph's text), so sharing one changes how often the tagger runs, never its
spans. A SQLite file next to the worker's temporary files costs less per lookup than Redis (no
round trip, no server; docs/scale.md) and needs no broker of a given kind.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from unsealed.enrich import tagging
from unsealed.enrich.tagging import CACHE_ENTRIES, ParagraphCache, Spans

logger = logging.getLogger(__name__)
FILE_ENTRIES = 4 * CACHE_ENTRIES  # paragraphs the file keeps (the oldest go first)
BUSY_MS = 10_000  # how long a writer waits for another's transaction


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_MS / 1000)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")  # a cache: a lost write only costs a tagging
    conn.execute("CREATE TABLE IF NOT EXISTS paragraphs (key BLOB PRIMARY KEY, spans TEXT NOT NULL)")
    return conn


def create(path: Path) -> None:
    """A fresh, empty cache file at `path` (what an earlier run left there is dropped)."""
    remove(path)
    _connect(path).close()


def remove(path: Path) -> None:
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        name.unlink(missing_ok=True)


def _encode(spans: Spans) -> str:
    return json.dumps(spans, separators=(",", ":"))


def _decode(raw: str) -> Spans:
    return tuple((start, end, kind) for start, end, kind in json.loads(raw))


class SharedParagraphCache(ParagraphCache):
    """A process's paragraph cache, backed by the machine's file at `path`."""

    def __init__(self, path: Path, entries: int = CACHE_ENTRIES, file_entries: int = FILE_ENTRIES):
        super().__init__(entries)
        self.path = path
        self._file_entries = file_entries
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self.file_hits = 0  # paragraphs found in the file, tagged by another process
        self._warned = False

    def _db(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():  # a forked child opens its own
            self._conn, self._pid = _connect(self.path), os.getpid()
        return self._conn

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, Spans]:
        keys = list(dict.fromkeys(keys))
        found = super().get_many(keys)
        missing = [key for key in keys if key not in found]
        try:
            for start in range(0, len(missing), 500):  # under SQLite's limit on parameters
                chunk = missing[start : start + 500]
                rows = self._db().execute(
                    f"SELECT key, spans FROM paragraphs WHERE key IN ({','.join('?' * len(chunk))})", chunk
                )
                for key, raw in rows:
                    found[key] = spans = _decode(raw)
                    super().put(key, spans)
                    self.file_hits += 1
        except sqlite3.Error as exc:  # a cache: without the file, this process tags on its own
            self._lost(exc)
        return found

    def put_many(self, spans: Mapping[bytes, Spans]) -> None:
        super().put_many(spans)
        if not spans:
            return
        try:
            db = self._db()
            with db:  # one transaction (committed, or rolled back on an error)
                db.execute("BEGIN IMMEDIATE")
                db.executemany(
                    "INSERT OR IGNORE INTO paragraphs (key, spans) VALUES (?, ?)",
                    [(key, _encode(value)) for key, value in spans.items()],
                )
                db.execute(
                    "DELETE FROM paragraphs WHERE rowid <= (SELECT max(rowid) FROM paragraphs) - ?",
                    (self._file_entries,),
                )
        except sqlite3.Error as exc:
            self._lost(exc)

    def _lost(self, exc: sqlite3.Error) -> None:
        if not self._warned:
            self._warned = True
            logger.warning("paragraph cache %s not usable (%s): tagging without it", self.path, exc)


@contextmanager
def shared_by_processes(folder: Path) -> Iterator[Path]:
    """This process and those forked from it (while the block runs) share one cache file in
    `folder`, removed when the block ends."""
    path = folder / f"unsealed-paragraphs-{os.getpid()}.sqlite"
    create(path)
    tagging.set_process_cache(SharedParagraphCache(path))
    try:
        yield path
    finally:
        tagging.set_process_cache(None)
        remove(path)
