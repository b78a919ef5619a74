"""Identify a file's type from its content (libmagic), never from its extension."""

from __future__ import annotations

from pathlib import Path

import magic

EMPTY = "application/x-empty"


def sniff_bytes(head: bytes) -> str:
    """The MIME type of a file from its first bytes (hashing.HEAD_BYTES of them suffice)."""
    if not head:
        return EMPTY
    # A PDF header may follow some junk (PDF readers accept it within the first KiB).
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    return str(magic.from_buffer(head, mime=True))


def describe_unsupported(mime_type: str, filename: str) -> str:
    """A failure reason a user can act on, naming what the file really is."""
    if mime_type == EMPTY:
        return "empty file (0 bytes)"
    suffix = Path(filename).suffix.lower()
    claimed = f" although its name ends in {suffix}" if suffix else ""
    if mime_type in ("text/html", "application/xhtml+xml"):
        return f"an HTML page, not a document (a web page saved to a file{claimed})"
    if mime_type == "application/octet-stream":
        return f"unrecognised binary content: not a PDF, an image or another supported format{claimed}"
    return f"unsupported file type {mime_type}{claimed}"
