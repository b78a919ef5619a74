"""Scanned images (PNG, JPEG, TIFF, ...): one page per frame, no text until OCR reads it."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from unsealed.errors import ExtractionError
from unsealed.ingest.formats.base import PageContent

# Pixels per inch assumed when an image does not say; 300 is what scanners write most often.
DEFAULT_DPI = 300.0


class ImageDocument:
    def __init__(self, path: Path, content: bytes | None = None):
        self.notes: list[str] = []
        try:
            self._image = Image.open(io.BytesIO(content) if content is not None else path)
            self.page_count = getattr(self._image, "n_frames", 1)
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as exc:
            raise ExtractionError(f"broken image: {exc}") from exc
        dpi = self._image.info.get("dpi", (DEFAULT_DPI, DEFAULT_DPI))[0] or DEFAULT_DPI
        self._dpi = float(dpi)

    def _frame(self, index: int) -> Image.Image:
        self._image.seek(index)
        return self._image

    def page(self, index: int) -> PageContent:
        frame = self._frame(index)
        width, height = frame.size
        return PageContent(text="", width=width * 72 / self._dpi, height=height * 72 / self._dpi)

    def render(self, index: int, dpi: float) -> Image.Image:
        frame = self._frame(index).convert("L")
        scale = dpi / self._dpi
        if abs(scale - 1) < 0.01:
            return frame.copy()
        size = (max(1, round(frame.width * scale)), max(1, round(frame.height * scale)))
        return frame.resize(size, Image.Resampling.LANCZOS)

    def close(self) -> None:
        self._image.close()


class ImageHandler:
    name = "image"
    mime_types: tuple[str, ...] = (
        "image/png",
        "image/jpeg",
        "image/tiff",
        "image/gif",
        "image/bmp",
        "image/webp",
    )

    def open(self, path: Path, content: bytes | None = None) -> ImageDocument:
        return ImageDocument(path, content)
