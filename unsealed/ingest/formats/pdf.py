"""PDF: text layer and page rendering through PDFium (pypdfium2, Apache/BSD licensed)."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
from PIL import Image

from unsealed.analysis.bates import BOTTOM_BAND, stamp_in_tail
from unsealed.errors import ExtractionError
from unsealed.ingest.formats.base import PageContent
from unsealed.ingest.formats.pdfium_page import read_raw_page

# PDFium is not thread-safe; a worker process only ever uses it from one thread, but the web
# server renders page images from a thread pool.
PDFIUM_LOCK = threading.Lock()


REPAIRED_NOTE = "repaired by qpdf"


def _reason(exc: Exception) -> str:
    message = str(exc)
    if "password" in message.lower():
        return "encrypted PDF: a password is required to open it"
    if "format" in message.lower() or "file" in message.lower():
        return f"broken PDF: PDFium could not parse it ({message})"
    return f"PDF could not be opened: {message}"


# PDFium marks a hyphen at a line break as U+FFFE and may pass control characters through; its line
# breaks are CRLF. One translate pass (after CRLF -> LF) deletes the controls, turns a lone CR into
# LF and U+FFFE into a hyphen, and drops byte-order marks.
_CLEAN_TABLE: dict[int, int | str | None] = {
    **dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]),
    0x0D: "\n",
    0xFFFE: "-",
    0xFEFF: None,
}


def clean_layer_text(text: str) -> str:
    return text.replace("\r\n", "\n").translate(_CLEAN_TABLE)


def _needs_bottom_band(text: str) -> bool:
    return not stamp_in_tail(text)


# PDFium keeps every page it has loaded (image streams included, ~1 MB per scanned page) until the
# document is closed; reopening it after this many page loads keeps memory flat on long files.
RECYCLE_AFTER_PAGES = 32


def _repaired(path: Path, content: bytes | None) -> bytes | None:
    """The file rewritten by qpdf (pikepdf), which rebuilds broken cross-reference tables."""
    try:
        with pikepdf.open(io.BytesIO(content) if content is not None else path) as pdf:
            out = io.BytesIO()
            pdf.save(out)
            return out.getvalue()
    except (pikepdf.PdfError, pikepdf.PasswordError, OSError, ValueError):
        return None


class PdfDocument:
    def __init__(self, path: Path, content: bytes | None = None):
        self.notes: list[str] = []
        # What PDFium opened: the file's bytes when read already (much faster than its path), the
        # path, or qpdf's repair.
        self._source: str | bytes = content if content is not None else str(path)
        self._loads = 0
        try:
            with PDFIUM_LOCK:
                self._pdf = pdfium.PdfDocument(self._source)
        except pdfium.PdfiumError as exc:
            reason = _reason(exc)
            if reason.startswith("encrypted"):
                raise ExtractionError(reason) from exc
            data = _repaired(path, content)
            if data is None:
                raise ExtractionError(f"{reason}; qpdf could not repair it either") from exc
            try:
                with PDFIUM_LOCK:
                    self._pdf = pdfium.PdfDocument(data)
                    self._source = data
            except pdfium.PdfiumError:
                raise ExtractionError(f"{reason}; repair by qpdf did not help") from exc
            self.notes.append(
                f"{REPAIRED_NOTE}: PDFium could not parse the file as it was; text may be partial"
            )
        with PDFIUM_LOCK:
            self.page_count = len(self._pdf)

    def _document(self) -> pdfium.PdfDocument:
        """The open document for one more page load, reopened first when enough pages were loaded
        (hold the lock)."""
        if self._loads >= RECYCLE_AFTER_PAGES:
            self._pdf.close()
            self._pdf = pdfium.PdfDocument(self._source)
            self._loads = 0
        self._loads += 1
        return self._pdf

    def page(self, index: int) -> PageContent:
        with PDFIUM_LOCK:
            raw = read_raw_page(self._document().raw, index, BOTTOM_BAND, _needs_bottom_band)
        text = clean_layer_text(raw.text)
        return PageContent(
            text=text,
            bottom_text=raw.bottom_text,
            width=raw.width,
            height=raw.height,
            has_text_layer=bool(text.strip()),
            has_graphics=raw.has_graphics,
            has_images=raw.has_images,
        )

    def render(self, index: int, dpi: float) -> Image.Image:
        with PDFIUM_LOCK:
            page = self._document()[index]
            try:
                bitmap = page.render(scale=dpi / 72.0, grayscale=True)
                return bitmap.to_pil()
            finally:
                page.close()

    def close(self) -> None:
        with PDFIUM_LOCK:
            self._pdf.close()


class PdfHandler:
    name = "pdf"
    mime_types: tuple[str, ...] = ("application/pdf",)

    def open(self, path: Path, content: bytes | None = None) -> PdfDocument:
        return PdfDocument(path, content)
