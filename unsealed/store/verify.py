"""`unsealed verify`: every stored original re-hashed and compared with the sha256 recorded for it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from unsealed.domain import original_key
from unsealed.store.archive import Archive
from unsealed.store.blobs import original_in_store
from unsealed.store.schema import documents

CHUNK = 1 << 20


@dataclass
class Problem:
    sha256: str
    storage_key: str
    reason: str


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "checked": self.checked,
            "ok": self.checked - len(self.problems),
            "problems": [vars(p) for p in self.problems],
        }


def verify_originals(archive: Archive, progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Re-hash each distinct stored original (one blob per content); missing blobs, wrong sizes and
    wrong hashes are problems. Documents of the same content share the one check."""
    report = VerifyReport()
    with archive.engine.connect() as conn:
        rows = conn.execute(
            select(
                documents.c.sha256, documents.c.storage_key, documents.c.size_bytes, documents.c.status
            ).order_by(documents.c.sha256)
        ).all()
    seen: set[str] = set()
    for row in rows:
        if row.sha256 in seen:
            continue
        seen.add(row.sha256)
        key = original_in_store(archive.blobs, row.sha256, row.storage_key)
        if key is None and row.status == "failed":
            continue  # a file that could not be read (gone, a refused link) was never stored
        report.checked += 1
        if key is None:
            report.problems.append(Problem(row.sha256, row.storage_key, "missing from the blob store"))
            continue
        digest, size = hashlib.sha256(), 0
        with archive.blobs.open(key) as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
        if key != original_key(row.sha256) and size != row.size_bytes:
            continue  # a multi-file document (an OPT group) keeps its files under their names
        if digest.hexdigest() != row.sha256:
            reason = f"content changed: sha256 {digest.hexdigest()}, {size} bytes (recorded {row.size_bytes})"
            report.problems.append(Problem(row.sha256, row.storage_key, reason))
        if progress:
            progress(report.checked)
    return report
