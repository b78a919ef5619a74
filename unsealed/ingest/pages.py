"""Read one page's text: the step where the text layer is kept or replaced by OCR."""

from __future__ import annotations

from unsealed.ingest.formats.base import OpenDocument
from unsealed.model import ExtractedPage


def read_page(document: OpenDocument, index: int) -> ExtractedPage:
    """The page's text and geometry. Pages without a text layer get text_source `none`."""
    content = document.page(index)
    return ExtractedPage(
        number=index + 1,
        text=content.text,
        text_source="layer" if content.has_text_layer else "none",
        width=content.width,
        height=content.height,
        bottom_text=content.bottom_text,
    )
