"""Read one page's text: the step where the text layer is kept or replaced by OCR.

Decision per page (`ocr_mode`):
- `never`: the text layer, whatever its quality;
- `always`: OCR, whatever the layer (the layer is kept only if OCR fails on the page);
- `auto`: no layer -> OCR; a layer scoring at least `min_layer_quality` -> kept without OCR;
  otherwise OCR, and the text with the higher quality score is kept (the layer on a tie).
Texts are never appended to each other. Each page is rendered once per resolution it needs: at
`ocr_dpi` when it is OCR'd (that image also serves redaction detection), else at 72 dpi for
redaction detection alone.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from typing import Literal

from PIL import Image

from unsealed.errors import ConfigError
from unsealed.ingest.formats.base import OpenDocument, PageContent
from unsealed.ingest.quality import quality_score
from unsealed.ingest.redactions import DETECT_DPI, detect_redactions
from unsealed.model import ExtractedPage
from unsealed.ocr import DEFAULT_ENGINE, OcrEngine, OcrError, OcrResult, get_engine

OcrMode = Literal["auto", "always", "never"]
OCR_MODES: tuple[str, ...] = ("auto", "always", "never")


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _env_number(name: str, default: float) -> float:
    raw = _env(name, str(default))
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class PageOptions:
    """How pages are read; plain data, so it travels to worker processes."""

    ocr_mode: OcrMode = "auto"
    engine: str = DEFAULT_ENGINE
    ocr_dpi: float = 300.0
    page_timeout_s: float = 60.0  # one page's OCR; past it the page keeps its layer, with a reason
    document_timeout_s: float = 600.0  # all OCR of one document; later pages are not OCR'd
    min_layer_quality: float = 0.8  # auto mode: a layer scoring this much is kept without OCR
    detect_redactions: bool = True

    def __post_init__(self) -> None:
        if self.ocr_mode not in OCR_MODES:
            raise ConfigError(f"OCR mode must be one of {', '.join(OCR_MODES)}, got {self.ocr_mode!r}")

    @classmethod
    def from_env(cls) -> PageOptions:
        """UNSEALED_OCR, UNSEALED_OCR_ENGINE, UNSEALED_OCR_DPI, UNSEALED_OCR_PAGE_TIMEOUT,
        UNSEALED_OCR_DOCUMENT_TIMEOUT, UNSEALED_OCR_MIN_LAYER_QUALITY, UNSEALED_REDACTIONS (0/1)."""
        return cls(
            ocr_mode=_env("UNSEALED_OCR", cls.ocr_mode),  # type: ignore[arg-type]
            engine=_env("UNSEALED_OCR_ENGINE", cls.engine),
            ocr_dpi=_env_number("UNSEALED_OCR_DPI", cls.ocr_dpi),
            page_timeout_s=_env_number("UNSEALED_OCR_PAGE_TIMEOUT", cls.page_timeout_s),
            document_timeout_s=_env_number("UNSEALED_OCR_DOCUMENT_TIMEOUT", cls.document_timeout_s),
            min_layer_quality=_env_number("UNSEALED_OCR_MIN_LAYER_QUALITY", cls.min_layer_quality),
            detect_redactions=_env("UNSEALED_REDACTIONS", "1") not in ("0", "false", "no"),
        )

    def with_overrides(self, **changes: object) -> PageOptions:
        """A copy with the given fields replaced; None values (flag not given) are ignored."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]

    def check_engine(self) -> None:
        """Probe the OCR engine once, before a run: a missing one is one clear error."""
        if self.ocr_mode != "never":
            get_engine(self.engine).check()


DEFAULT_OPTIONS = PageOptions()


class OcrBudget:
    """OCR seconds left for one document; once spent, its remaining pages are not OCR'd."""

    def __init__(self, seconds: float):
        self.limit = seconds
        self.spent = 0.0

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.limit

    def page_limit(self, page_timeout_s: float) -> float:
        return max(0.001, min(page_timeout_s, self.limit - self.spent))


def _wants_ocr(options: PageOptions, layer_quality: float | None) -> bool:
    if options.ocr_mode == "never":
        return False
    if options.ocr_mode == "always" or layer_quality is None:
        return True
    return layer_quality < options.min_layer_quality


def _ocr(
    engine: OcrEngine, image: Image.Image, options: PageOptions, budget: OcrBudget
) -> tuple[OcrResult | None, str | None, float]:
    """Run the engine within the page's and the document's limits: (result, error, seconds)."""
    started = time.monotonic()
    try:
        result = engine.recognize(
            image, dpi=options.ocr_dpi, timeout_s=budget.page_limit(options.page_timeout_s)
        )
        error = None
    except OcrError as exc:
        result, error = None, str(exc)
    seconds = time.monotonic() - started
    budget.spent += seconds
    return result, error, seconds


def read_page(
    document: OpenDocument,
    index: int,
    options: PageOptions = DEFAULT_OPTIONS,
    budget: OcrBudget | None = None,
    engine: OcrEngine | None = None,
) -> ExtractedPage:
    """The page's text, where it came from, its quality and redactions, and its geometry.

    Pass one `budget` for all pages of a document to bound its OCR time. Pages with neither a text
    layer nor OCR text get text_source `none`.
    """
    content = document.page(index)
    budget = budget or OcrBudget(options.document_timeout_s)
    layer = content.text if content.has_text_layer else ""
    layer_quality = quality_score(layer, content.width, content.height) if layer else None
    page = ExtractedPage(
        number=index + 1,
        text=layer,
        text_source="layer" if layer else "none",
        width=content.width,
        height=content.height,
        bottom_text=content.bottom_text,
        quality=layer_quality,
    )
    image: Image.Image | None = None
    image_dpi = DETECT_DPI
    if _wants_ocr(options, layer_quality):
        if budget.exhausted:
            page.error = f"document OCR time limit ({budget.limit:g} s) reached; page not OCR'd"
        else:
            engine = engine or get_engine(options.engine)
            image, image_dpi = document.render(index, options.ocr_dpi), options.ocr_dpi
            result, page.error, page.ocr_seconds = _ocr(engine, image, options, budget)
            if result is not None:
                _keep_better(page, content, result, engine.name, options)
    if options.detect_redactions:
        if image is None:
            image = document.render(index, DETECT_DPI)
        page.redactions = detect_redactions(image, image_dpi)
    return page


def _keep_better(
    page: ExtractedPage, content: PageContent, result: OcrResult, engine_name: str, options: PageOptions
) -> None:
    """Replace the page's text by the OCR text when that is better (always, in `always` mode).

    An empty OCR result replaces only an empty layer: a blank page OCR'd reads as `ocr:<engine>`.
    """
    found = bool(result.text.strip())
    ocr_quality = quality_score(result.text, content.width, content.height) if found else None
    if page.text and not found:
        return
    if page.text and options.ocr_mode != "always" and (ocr_quality or 0.0) <= (page.quality or 0.0):
        return
    page.text = result.text
    page.text_source = f"ocr:{engine_name}"
    page.quality = ocr_quality
    page.ocr_confidence = result.confidence
    page.bottom_text = result.bottom_text
