"""OCR engines by name. Add an engine by registering a factory here (a GPU engine, for instance)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from unsealed.config import DEFAULT_ENGINE, PageOptions
from unsealed.errors import ConfigError
from unsealed.ingest.ocr.base import OcrEngine, OcrError, OcrResult, OcrTimeoutError
from unsealed.ingest.ocr.null import NullEngine
from unsealed.ingest.ocr.tesseract import TesseractEngine

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


def check_engine(options: PageOptions) -> None:
    """Probe the OCR engine once, before a run: a missing one is one clear error, not one per page."""
    if options.ocr_mode != "never":
        get_engine(options.engine).check()


__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "OcrEngine",
    "OcrError",
    "OcrResult",
    "OcrTimeoutError",
    "check_engine",
    "get_engine",
]
