"""Where a document's search hits sit on its page images: boxes from the PDF text layer or the OCR.

Text-layer pages: PDFium (one thread at a time in this process: PDFIUM_LOCK) finds each marked word
in the page's text layer (whole word, any case) and gives the rectangles its characters cover, in
page points with the origin at the bottom left. OCR'd pages: the boxes of the words the hits'
character spans overlap, as the OCR engine placed them (`pages.word_boxes`, stored at ingest).
Pages OCR'd before word boxes were stored get none (their text view still marks hits).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pypdfium2 as pdfium
from sqlalchemy import Connection

from unsealed.analysis import word_boxes
from unsealed.errors import NotFoundError
from unsealed.ingest.formats.pdf import PDFIUM_LOCK
from unsealed.render.page_images import original_path
from unsealed.store.archive import Archive
from unsealed.store.documents import page_word_boxes
from unsealed.views.models import Document

log = logging.getLogger(__name__)
MAX_BOXES_PER_PAGE = 500


def hit_boxes(
    archive: Archive, conn: Connection, doc: Document, spans: dict[int, list[tuple[int, int]]]
) -> dict[int, list[list[float]]]:
    """Boxes [x0, y0, x1, y1] (page points, top-left origin, like redactions) of the hits per page,
    given as character spans in each page's text."""
    spans = {n: s for n, s in spans.items() if s}
    ocr = [p.number for p in doc.pages if p.number in spans and p.text_source.startswith("ocr:")]
    boxes = _ocr_boxes(conn, doc.id, {n: spans[n] for n in ocr}) if ocr else {}
    words = {
        p.number: {p.text[a:b] for a, b in spans[p.number] if b > a}
        for p in doc.pages
        if p.number in spans and p.text_source == "layer" and p.text
    }
    return {**boxes, **_layer_boxes(archive, doc, words)}


def _ocr_boxes(
    conn: Connection, document_id: str, spans: dict[int, list[tuple[int, int]]]
) -> dict[int, list[list[float]]]:
    blobs = page_word_boxes(conn, document_id, list(spans))
    found = {n: word_boxes.boxes_over(blobs.get(n), s, MAX_BOXES_PER_PAGE) for n, s in spans.items()}
    return {n: b for n, b in found.items() if b}


def _layer_boxes(archive: Archive, doc: Document, words: dict[int, set[str]]) -> dict[int, list[list[float]]]:
    wanted = {n: w for n, w in words.items() if w}
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
