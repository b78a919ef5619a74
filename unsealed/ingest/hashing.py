"""Content hashes of a file, read once in chunks."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1024 * 1024


def file_hashes(path: Path) -> tuple[str, str, int]:
    """(md5, sha256, size in bytes) of the file's content."""
    md5, sha256, size = hashlib.md5(usedforsecurity=False), hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            md5.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
    return md5.hexdigest(), sha256.hexdigest(), size
