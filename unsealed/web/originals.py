"""Serve an original file from the blob store as a download (never rendered inline: it is hostile)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from starlette.responses import StreamingResponse

from unsealed.errors import NotFoundError
from unsealed.store.archive import Archive
from unsealed.store.blobs import original_in_store

CHUNK = 256 * 1024


def _chunks(archive: Archive, key: str) -> Iterator[bytes]:
    with archive.blobs.open(key) as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def original_download(archive: Archive, doc: dict[str, Any]) -> StreamingResponse:
    key = original_in_store(archive.blobs, doc["sha256"], doc["storage_key"])
    if key is None:
        raise NotFoundError(f"the original of {doc['filename']} is not in the blob store")
    filename = quote(doc["filename"], safe="")
    return StreamingResponse(
        _chunks(archive, key),
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{filename}",
            "Content-Length": str(doc["size_bytes"]),
            "X-Unsealed-SHA256": doc["sha256"],
        },
    )
