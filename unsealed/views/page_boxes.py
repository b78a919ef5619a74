"""Where a document's search hits sit on its page images: boxes from the PDF text layer.

PDFium (one thread at a time in this process: PDFIUM_LOCK) finds each marked word in the page's
text layer (whole word, any case) and gives the rectangles its characters cover, in page points with
the origin at the bottom left. Pages whose text came from OCR have no text layer to ask, and get no
boxes (their text view still marks hits).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pypdfium2 as pdfium

from unsealed.errors import NotFoundError
from unsealed.ingest.formats.pdf import PDFIUM_LOCK
from unsealed.render.page_images import original_path
from unsealed.store.archive import Archive
from unsealed.views.models import Document

log = logging.getLogger(__name__)
MAX_BOXES_PER_PAGE = 500


def hit_boxes(archive: Archive, doc: Document, words: dict[int, set[str]]) -> dict[int, list[list[float]]]:
    """Boxes [x0, y0, x1, y1] (page points, top-left origin, like redactions) of the words per page."""
    wanted = {n: w for n, w in words.items() if w}
    layer_pages = {p.number: p for p in doc.pages if p.text_source == "layer"}
    wanted = {n: w for n, w in wanted.items() if n in layer_pages}
    if not wanted or doc.mime_type != "application/pdf":
        return {}
    try:
        with original_path(archive, doc.sha256, doc.storage_key) as local, PDFIUM_LOCK:
            return _boxes(local, wanted)
    except (pdfium.PdfiumError, NotFoundError) as exc:  # damaged or missing: the text view still marks hits
        log.warning("no hit boxes for %s: %s", doc.id, exc)
        return {}


def _boxes(path: Path, wanted: dict[int, set[str]]) -> dict[int, list[list[float]]]:
    out: dict[int, list[list[float]]] = {}
    pdf = pdfium.PdfDocument(path)
    try:
        for number, page_words in sorted(wanted.items()):
            if not 1 <= number <= len(pdf):
                continue
            page = pdf[number - 1]
            height = page.get_height()
            text = page.get_textpage()
            boxes: list[list[float]] = []
            for word in sorted(page_words):
                searcher = text.search(word, match_case=False, match_whole_word=True)
                while (found := searcher.get_next()) is not None and len(boxes) < MAX_BOXES_PER_PAGE:
                    index, count = found
                    for i in range(text.count_rects(index, count)):
                        left, bottom, right, top = text.get_rect(i)
                        boxes.append(
                            [
                                round(left, 1),
                                round(height - top, 1),
                                round(right, 1),
                                round(height - bottom, 1),
                            ]
                        )
                searcher.close()
            text.close()
            page.close()
            if boxes:
                out[number] = boxes
    finally:
        pdf.close()
    return out
