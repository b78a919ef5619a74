"""The OCR engine interface: one small class per engine, chosen by name (`--ocr-engine`).

An engine turns one page image into text and a confidence. Engines are probed once at start
(`check()`), so a missing program is one clear error with its install command, not a failure per
page. A GPU engine fits the same interface: it may batch internally, but `recognize` stays per page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from PIL import Image

from unsealed.errors import UnsealedError


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float | None  # mean word confidence, 0-1; None when the engine reports none
    word_count: int = 0
    bottom_text: str = ""  # words read near the page bottom, where Bates stamps are printed
    # Each word's (start, end) in `text` and its box (x0, y0, x1, y1) in image pixels, top-left origin.
    words: tuple[tuple[int, int, tuple[int, int, int, int]], ...] = ()


class OcrError(UnsealedError):
    """OCR failed on one page; recorded as the page's `error`, never fails the document."""


class OcrTimeoutError(OcrError):
    """The engine ran past the per-page time limit and was stopped."""


class OcrEngine(Protocol):
    name: str  # stored in pages.text_source as `ocr:<name>`

    def available(self) -> bool:
        """Whether the engine can run on this machine (cheap; no exception)."""
        ...

    def check(self) -> None:
        """Raise MissingDependencyError, naming the command that installs what is missing."""
        ...

    def recognize(self, image: Image.Image, *, dpi: float, timeout_s: float | None) -> OcrResult:
        """Read one page image rendered at `dpi`; raise OcrTimeoutError past `timeout_s`."""
        ...
