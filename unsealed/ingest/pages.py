"""Read one page's text: the step where the text layer is kept or replaced by OCR.

Decision per page (`ocr_mode`):
- `never`: the text layer, whatever its quality;
- `always`: OCR, whatever the layer (the layer is kept only if OCR fails on the page);
- `auto`: no layer -> OCR; a layer scoring at least `min_layer_quality` -> kept without OCR;
  otherwise OCR, and the text with the higher quality score is kept (the layer on a tie). A layer
  that is merely sparse (a few words on the page) is OCR'd only when the page image holds more
  ink than that (a Bates stamp printed as text over a scanned body), judged on a 72-dpi render.
Texts are never appended to each other. Each page is rendered once per resolution it needs: at
`ocr_dpi` when it is OCR'd (that image also serves redaction detection), else at 72 dpi for
redaction detection alone.
"""

from __future__ import annotations

import time

import numpy as np
from PIL import Image

from unsealed.analysis import word_boxes
from unsealed.analysis.quality import SPARSE_CHARS_PER_SQIN, QualityReport, assess, quality_score
from unsealed.analysis.redactions import DETECT_DPI, Box, detect_redactions
from unsealed.config import OCR_MODES, OcrMode, PageOptions
from unsealed.ingest.formats.base import OpenDocument, PageContent
from unsealed.ingest.ocr import OcrEngine, OcrError, OcrResult, get_engine
from unsealed.model import ExtractedPage

__all__ = ["OCR_LIMIT_REACHED", "OCR_MODES", "OcrBudget", "OcrMode", "PageOptions", "read_page"]

DEFAULT_OPTIONS = PageOptions()


OCR_LIMIT_REACHED = "document OCR time limit"


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


# auto mode, sparse layer: OCR only when the page image holds clearly more ink than a few words.
MIN_INK_FOR_OCR = 0.01


def _wants_ocr(options: PageOptions, layer_quality: float | None) -> bool:
    if options.ocr_mode == "never":
        return False
    if options.ocr_mode == "always" or layer_quality is None:
        return True
    return layer_quality < options.min_layer_quality


def ink_share(image: Image.Image, boxes: list[Box], dpi: float) -> float:
    """Share of the page image that is dark, redaction boxes left out."""
    dark = np.asarray(image if image.mode == "L" else image.convert("L")) < 128
    scale = dpi / 72.0
    for x0, y0, x1, y1 in boxes:
        dark[round(y0 * scale) : round(y1 * scale), round(x0 * scale) : round(x1 * scale)] = False
    return float(dark.mean()) if dark.size else 0.0


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
    report = assess(layer, content.width, content.height) if layer else None
    page = ExtractedPage(
        number=index + 1,
        text=layer,
        text_source="layer" if layer else "none",
        width=content.width,
        height=content.height,
        bottom_text=content.bottom_text,
        quality=report.score if report else None,
    )
    image: Image.Image | None = None
    image_dpi = DETECT_DPI
    wants_ocr = _wants_ocr(options, page.quality)
    if wants_ocr and options.ocr_mode == "auto" and (layer or not content.has_graphics):
        # OCR reads pixels: only an image under the page holds text the layer may lack. A page
        # whose glyphs are drawn as text (however oddly) or that draws nothing at all is not OCR'd.
        wants_ocr = content.has_images
    if wants_ocr and options.ocr_mode == "auto" and report and _sparse(report):
        # A few words of layer on the page: OCR only if the page draws more than that.
        wants_ocr = content.has_graphics and _more_ink_than_text(document, index, page, options)
    if wants_ocr:
        if budget.exhausted:
            setting = "UNSEALED_OCR_DOCUMENT_TIMEOUT"
            page.error = f"{OCR_LIMIT_REACHED} ({budget.limit:g} s, {setting}) reached; page not OCR'd"
        else:
            engine = engine or get_engine(options.engine)
            image, image_dpi = document.render(index, options.ocr_dpi), options.ocr_dpi
            result, page.error, page.ocr_seconds = _ocr(engine, image, options, budget)
            if result is not None:
                _keep_better(page, content, result, engine.name, options)
    if options.detect_redactions and page.redactions is None:
        if image is not None:
            page.redactions = detect_redactions(image, image_dpi)
        elif content.has_graphics:
            page.redactions = detect_redactions(document.render(index, DETECT_DPI), DETECT_DPI)
        else:
            page.redactions = []  # text only: nothing on the page can draw a filled box
    return page


def _more_ink_than_text(
    document: OpenDocument, index: int, page: ExtractedPage, options: PageOptions
) -> bool:
    """Whether a 72-dpi render is inked beyond a few words (its redactions are recorded on the way)."""
    image = document.render(index, DETECT_DPI)
    if options.detect_redactions:
        page.redactions = detect_redactions(image, DETECT_DPI)
    return ink_share(image, page.redactions or [], DETECT_DPI) >= MIN_INK_FOR_OCR


def _sparse(report: QualityReport) -> bool:
    return report.chars_per_sqin is not None and report.chars_per_sqin < SPARSE_CHARS_PER_SQIN


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
    if page.text:
        page.layer_text = page.text  # kept beside the OCR text: a layer is never thrown away
    page.text = result.text
    page.text_source = f"ocr:{engine_name}"
    page.quality = ocr_quality
    page.ocr_confidence = result.confidence
    page.bottom_text = result.bottom_text
    scale = 72.0 / options.ocr_dpi  # the image was rendered at ocr_dpi: pixels → page points
    page.word_boxes = word_boxes.encode(
        (a, b, (x0 * scale, y0 * scale, x1 * scale, y1 * scale)) for a, b, (x0, y0, x1, y1) in result.words
    )
