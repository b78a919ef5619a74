"""OCR engines by name. Add an engine by registering a factory here (a GPU engine, for instance)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from unsealed.errors import ConfigError
from unsealed.ingest.page_options import DEFAULT_ENGINE
from unsealed.ocr.base import OcrEngine, OcrError, OcrResult, OcrTimeoutError
from unsealed.ocr.null import NullEngine
from unsealed.ocr.tesseract import TesseractEngine

ENGINES: dict[str, Callable[[], OcrEngine]] = {
    "tesseract": TesseractEngine,
    "null": NullEngine,
}


@cache
def get_engine(name: str) -> OcrEngine:
    """The engine registered as `name` (one instance per process)."""
    try:
        factory = ENGINES[name]
    except KeyError:
        raise ConfigError(
            f"unknown OCR engine {name!r}; choose one of: {', '.join(sorted(ENGINES))}"
        ) from None
    return factory()


__all__ = ["DEFAULT_ENGINE", "ENGINES", "OcrEngine", "OcrError", "OcrResult", "OcrTimeoutError", "get_engine"]
