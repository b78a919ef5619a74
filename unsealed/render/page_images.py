"""Page images on demand: a page of a stored original as a PNG of a given width, cached as a blob.

The web page view calls `page_png(archive, document_id, page_number, width)`. The first call
renders the page from the original in the blob store (PDFium for PDFs) and stores the PNG under
`_derived/page-images/<document_id>/<page>-w<width>.png`; later calls read that blob.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from unsealed.errors import ConfigError, NotFoundError
from unsealed.ingest.formats import handler_for
from unsealed.ingest.formats.base import OpenDocument
from unsealed.store.archive import Archive
from unsealed.store.blobs import original_in_store
from unsealed.store.schema import documents, pages

MIN_WIDTH = 64
MAX_WIDTH = 4000
DERIVED_PREFIX = "_derived/page-images"


def page_image_key(document_id: str, page_number: int, width: int) -> str:
    return f"{DERIVED_PREFIX}/{document_id}/{page_number}-w{width}.png"


@contextmanager
def open_original(archive: Archive, sha256: str, storage_key: str, mime_type: str) -> Iterator[OpenDocument]:
    """The stored original opened by its format handler (copied to a temp file if the store is remote)."""
    handler = handler_for(mime_type)
    if handler is None:
        raise NotFoundError(f"no page images for files of type {mime_type}")
    found = original_in_store(archive.blobs, sha256, storage_key)
    if found is None:
        raise NotFoundError(f"the original is missing from the blob store: {storage_key}")
    storage_key = found
    local = archive.blobs.local_path(storage_key)
    with tempfile.TemporaryDirectory(prefix="unsealed-") as tmp:
        if local is None:
            local = Path(tmp) / "original"
            archive.blobs.copy_to(storage_key, local)
        document = handler.open(local)
        try:
            yield document
        finally:
            document.close()


def render_png(document: OpenDocument, index: int, width: int, page_width_pt: float | None) -> bytes:
    """One page as a grayscale PNG exactly `width` pixels wide, rendered once at the matching dpi."""
    if not page_width_pt:
        page_width_pt = document.page(index).width or 612.0
    image = document.render(index, dpi=width * 72.0 / page_width_pt)
    if image.width != width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def page_png(archive: Archive, document_id: str, page_number: int, width: int) -> bytes:
    """PNG bytes of page `page_number` (1-based) of a document, `width` pixels wide (64-4000).

    Raises NotFoundError (no such document, page or original) or ConfigError (width out of range).
    """
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ConfigError(f"page image width must be between {MIN_WIDTH} and {MAX_WIDTH} pixels, got {width}")
    with archive.engine.connect() as conn:
        doc = conn.execute(
            select(
                documents.c.storage_key, documents.c.sha256, documents.c.mime_type, documents.c.page_count
            ).where(documents.c.id == document_id)
        ).first()
        if doc is None:
            raise NotFoundError(f"no document {document_id}")
        if not 1 <= page_number <= doc.page_count:
            raise NotFoundError(f"document {document_id} has no page {page_number} (it has {doc.page_count})")
        page_width = conn.execute(
            select(pages.c.width).where(pages.c.document_id == document_id, pages.c.number == page_number)
        ).scalar()
    key = page_image_key(document_id, page_number, width)
    if archive.blobs.exists(key):
        return archive.blobs.read_bytes(key)
    with open_original(archive, doc.sha256, doc.storage_key, doc.mime_type) as document:
        png = render_png(document, page_number - 1, width, page_width)
    archive.blobs.put_bytes(key, png)
    return png
