"""The null engine: recognises nothing, instantly. Serves tests of the pipeline around OCR."""

from __future__ import annotations

from PIL import Image

from unsealed.ingest.ocr.base import OcrResult


class NullEngine:
    name = "null"

    def available(self) -> bool:
        return True

    def check(self) -> None:
        return None

    def recognize(self, image: Image.Image, *, dpi: float, timeout_s: float | None) -> OcrResult:
        return OcrResult(text="", confidence=None, word_count=0)
