"""Registry of format handlers, keyed by the MIME type sniffed from a file's content."""

from __future__ import annotations

from unsealed.ingest.formats.base import FormatHandler
from unsealed.ingest.formats.image import ImageHandler
from unsealed.ingest.formats.pdf import PdfHandler

HANDLERS: tuple[FormatHandler, ...] = (PdfHandler(), ImageHandler())


def handler_for(mime_type: str) -> FormatHandler | None:
    for handler in HANDLERS:
        if mime_type in handler.mime_types:
            return handler
    return None
