"""A source file read once: its content hashes, its first bytes and, when small enough, its content.

Hashing, sniffing, storing and parsing a file used to open and read it four times. Reading it once
is faster, and it is safer: the hash recorded, the copy stored and the text parsed all come from the
same bytes, even if the file changes on disk during the run. Files above IN_MEMORY_BYTES are hashed
in chunks and read again from disk where needed, so memory stays bounded.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1024 * 1024
HEAD_BYTES = 64 * 1024  # enough to sniff any format
IN_MEMORY_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Original:
    md5: str
    sha256: str
    size: int
    head: bytes  # the first HEAD_BYTES
    content: bytes | None  # the whole file, when it is at most IN_MEMORY_BYTES


def original_of(content: bytes) -> Original:
    """The hashes and head of content already in memory (a zip member, a small file)."""
    return Original(
        hashlib.md5(content, usedforsecurity=False).hexdigest(),
        hashlib.sha256(content).hexdigest(),
        len(content),
        content[:HEAD_BYTES],
        content,
    )


def combined_sha256(parts: list[Original]) -> tuple[str, str]:
    """md5 and sha256 of a document made of several files: the hashes of their bytes in order."""
    md5, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    for part in parts:
        md5.update(bytes.fromhex(part.md5))
        sha256.update(bytes.fromhex(part.sha256))
    return md5.hexdigest(), sha256.hexdigest()


def read_original(path: Path, in_memory_bytes: int = IN_MEMORY_BYTES) -> Original:
    """Hash `path` and keep its first bytes, and its whole content when it is small enough."""
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size <= in_memory_bytes:
            return original_of(fh.read())
        md5, sha256, size, head = hashlib.md5(usedforsecurity=False), hashlib.sha256(), 0, b""
        while chunk := fh.read(CHUNK):
            md5.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
            head = head or chunk[:HEAD_BYTES]
    return Original(md5.hexdigest(), sha256.hexdigest(), size, head, None)
