"""Page images on demand: a page of a stored original as a PNG, in one of a few fixed widths.

The web page view calls `page_png(archive, document_id, page_number, width)`. A width asked for is
served at the nearest fixed width at or above it (WIDTHS), and never above MAX_PIXELS in all, so
no request can make the server render a huge bitmap. PNGs are kept in a bounded in-memory cache
(least recently used out first; UNSEALED_PAGE_IMAGE_CACHE_MB). Rendering runs in a small pool of
worker processes, each with its own PDFium, so one slow page never holds up the pages of other
documents behind a process-wide PDFium lock (UNSEALED_RENDER_WORKERS of them at once).
"""

from __future__ import annotations

import io
import math
import multiprocessing
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from unsealed.config import Settings
from unsealed.errors import ConfigError, NotFoundError
from unsealed.ingest.formats import handler_for
from unsealed.ingest.formats.base import OpenDocument
from unsealed.store.archive import Archive
from unsealed.store.blobs import original_in_store
from unsealed.store.schema import documents, pages

MIN_WIDTH = 64
MAX_WIDTH = 4000
WIDTHS = (300, 600, 900, 1800)  # the widths rendered: a request is served at the next one up
MAX_PIXELS = 12_000_000  # one image at most (a 300 x 14,400 pt page is served narrower)


def served_width(width: int, page_width_pt: float | None, page_height_pt: float | None) -> int:
    """The fixed width a request for `width` is served at, narrowed to stay under MAX_PIXELS."""
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ConfigError(f"page image width must be between {MIN_WIDTH} and {MAX_WIDTH} pixels, got {width}")
    fixed = next((w for w in WIDTHS if w >= width), WIDTHS[-1])
    aspect = (page_height_pt or 792.0) / (page_width_pt or 612.0)
    if fixed * fixed * aspect > MAX_PIXELS:
        fixed = max(1, math.floor(math.sqrt(MAX_PIXELS / aspect)))
    return fixed


class ImageCache:
    """PNG bytes by key, at most `max_bytes` in all; the least recently used go first."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()  # held only to read or change the dict, never while rendering

    def get(self, key: tuple[str, int, int]) -> bytes | None:
        with self._lock:
            png = self._items.get(key)
            if png is not None:
                self._items.move_to_end(key)
            return png

    def put(self, key: tuple[str, int, int], png: bytes) -> None:
        if len(png) > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = png
            self.size += len(png)
            while self.size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.size -= len(dropped)


_state_lock = threading.Lock()
_cache: ImageCache | None = None
_pool: ProcessPoolExecutor | None = None


def image_cache() -> ImageCache:
    global _cache
    with _state_lock:
        if _cache is None:
            _cache = ImageCache(Settings.from_env().page_image_cache_bytes)
        return _cache


def _render_pool() -> ProcessPoolExecutor:
    global _pool
    with _state_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=Settings.from_env().render_workers,
                mp_context=multiprocessing.get_context("spawn"),  # not forked from a threaded server
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )
        return _pool


def _exit_with_parent(parent_pid: int) -> None:
    """In a render process: exit as soon as the server that started it is gone (killed or crashed),
    rather than live on under PID 1."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def _reset_pool() -> None:
    global _pool
    with _state_lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


@contextmanager
def original_path(archive: Archive, sha256: str, storage_key: str) -> Iterator[Path]:
    """A local path of the stored original (copied to a temp file if the store is remote)."""
    found = original_in_store(archive.blobs, sha256, storage_key)
    if found is None:
        raise NotFoundError(f"the original is missing from the blob store: {storage_key}")
    local = archive.blobs.local_path(found)
    with tempfile.TemporaryDirectory(prefix="unsealed-") as tmp:
        if local is None:
            local = Path(tmp) / "original"
            archive.blobs.copy_to(found, local)
        yield local


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


def render_file_page(path: str, mime_type: str, index: int, width: int, page_width_pt: float | None) -> bytes:
    """Runs in a render process: open the original, render one page, close it."""
    handler = handler_for(mime_type)
    assert handler is not None
    document = handler.open(Path(path))
    try:
        return render_png(document, index, width, page_width_pt)
    finally:
        document.close()


def page_png(archive: Archive, document_id: str, page_number: int, width: int) -> bytes:
    """PNG bytes of page `page_number` (1-based) of a document, at the fixed width for `width`.

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
        size = conn.execute(
            select(pages.c.width, pages.c.height).where(
                pages.c.document_id == document_id, pages.c.number == page_number
            )
        ).first()
    page_width, page_height = (size.width, size.height) if size else (None, None)
    served = served_width(width, page_width, page_height)
    key = (document_id, page_number, served)
    cache = image_cache()
    png = cache.get(key)
    if png is not None:
        return png
    if handler_for(doc.mime_type) is None:
        raise NotFoundError(f"no page images for files of type {doc.mime_type}")
    with original_path(archive, doc.sha256, doc.storage_key) as local:
        future = _render_pool().submit(
            render_file_page, str(local), doc.mime_type, page_number - 1, served, page_width
        )
        try:
            png = future.result()
        except BrokenProcessPool:  # a render process died (out of memory, killed): start afresh
            _reset_pool()
            raise
    cache.put(key, png)
    return png
