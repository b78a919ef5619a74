"""The format-handler interface: one small class per file format, chosen by sniffed MIME type."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image


@dataclass
class PageContent:
    """What a format handler can say about one page before any OCR."""

    text: str  # the file's own text for the page ("" when it has none)
    bottom_text: str = ""  # text near the page bottom, where Bates stamps are printed
    width: float | None = None  # page size in points (1/72 inch)
    height: float | None = None
    has_text_layer: bool = False
    # Whether the page draws anything but text (images, paths): only then can it carry a redaction
    # box. True when a handler cannot tell.
    has_graphics: bool = True
    # Whether an image lies on the page (a scan, a photo): only then can OCR find text the layer
    # lacks. True when a handler cannot tell.
    has_images: bool = True


class OpenDocument(Protocol):
    """A file opened by its handler; pages are read one at a time so memory stays flat."""

    page_count: int
    notes: list[str]  # what opening the file took, e.g. a repair

    def page(self, index: int) -> PageContent: ...

    def render(self, index: int, dpi: float) -> Image.Image:
        """The page as an image at `dpi` (for OCR, page views and redaction detection)."""
        ...

    def close(self) -> None: ...


class FormatHandler(Protocol):
    name: str
    mime_types: tuple[str, ...]

    def open(self, path: Path, content: bytes | None = None) -> OpenDocument:
        """Open the file or raise ExtractionError with a reason a user understands. `content`, when
        given, is the file's bytes, already read: it is parsed instead of reading `path` again."""
        ...
