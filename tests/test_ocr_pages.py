"""The layer-vs-OCR decision in read_page, on real PDFs with the real Tesseract."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers_ocr import image_pdf, layered_pdf, scan
from unsealed.analysis.quality import quality_score
from unsealed.errors import ConfigError
from unsealed.ingest.formats.pdf import PdfHandler
from unsealed.ingest.ocr.tesseract import TesseractEngine
from unsealed.ingest.pages import OcrBudget, PageOptions, read_page

BODY = ["Subject: Flight schedule", "Passengers confirmed", "Palm Beach to Teterboro"]
GOOD_LAYER = "\n".join(
    ["Subject: Flight schedule for the weekend of the board meeting in New York."] * 3
    + ["Passengers confirmed by the office; the car will wait at the terminal."] * 12
)
GARBAGE_LAYER = "\n".join(["Su bj cct: |l~ ^^ ¦¦ l1l| ,,;' rn~n ■■ \\{ Pa55en9 ~~ ¬¬ i1|l ▒▒"] * 12)


def _first_page(path: Path, options: PageOptions, **kwargs: object):
    document = PdfHandler().open(path)
    try:
        return read_page(document, 0, options, **kwargs)  # type: ignore[arg-type]
    finally:
        document.close()


def test_scanned_page_without_layer_is_ocrd_in_auto_mode(tmp_path: Path) -> None:
    pdf = image_pdf(tmp_path / "scan.pdf", [scan(BODY, dpi=150)])
    page = _first_page(pdf, PageOptions(ocr_dpi=150))
    assert page.text_source == "ocr:tesseract"
    assert "Flight schedule" in page.text and "Teterboro" in page.text
    assert page.ocr_confidence is not None and 0.5 < page.ocr_confidence <= 1
    assert page.quality == quality_score(page.text, page.width, page.height)
    assert page.ocr_seconds is not None and page.error is None


def test_never_mode_leaves_a_scanned_page_without_text(tmp_path: Path) -> None:
    pdf = image_pdf(tmp_path / "scan.pdf", [scan(BODY, dpi=150)])
    page = _first_page(pdf, PageOptions(ocr_mode="never"))
    assert (page.text, page.text_source, page.ocr_confidence, page.ocr_seconds) == ("", "none", None, None)


def test_a_good_layer_is_kept_without_running_ocr(tmp_path: Path) -> None:
    pdf = layered_pdf(tmp_path / "text.pdf", [(None, GOOD_LAYER)], visible=True)
    page = _first_page(pdf, PageOptions())
    assert page.text_source == "layer"
    assert page.ocr_seconds is None  # OCR never ran
    assert page.quality is not None and page.quality >= 0.8
    assert "Teterboro" not in page.text


def test_a_garbage_layer_is_replaced_by_ocr_not_appended_to(tmp_path: Path) -> None:
    pdf = layered_pdf(tmp_path / "noisy.pdf", [(scan(BODY, dpi=150), GARBAGE_LAYER)])
    page = _first_page(pdf, PageOptions(ocr_dpi=150))
    assert page.text_source == "ocr:tesseract"
    assert "Teterboro" in page.text
    assert "cct" not in page.text and "▒" not in page.text
    assert page.text.count("Flight schedule") == 1


def test_a_stamp_only_layer_over_a_scanned_body_is_ocrd(tmp_path: Path) -> None:
    pdf = layered_pdf(tmp_path / "stamped.pdf", [(scan(BODY * 3, dpi=150), "EFTA00001234")], visible=True)
    page = _first_page(pdf, PageOptions(ocr_dpi=150))
    assert page.text_source == "ocr:tesseract"
    assert "Teterboro" in page.text


def test_a_sparse_layer_on_an_otherwise_blank_page_is_kept_without_ocr(tmp_path: Path) -> None:
    pdf = layered_pdf(tmp_path / "sparse.pdf", [(None, "page 7 of a long production")], visible=True)
    page = _first_page(pdf, PageOptions())
    assert page.text_source == "layer" and page.ocr_seconds is None
    assert page.quality is not None and page.quality < 0.8
    assert page.redactions == []


def test_always_mode_ocrs_over_a_good_layer_and_keeps_one_text(tmp_path: Path) -> None:
    pdf = layered_pdf(tmp_path / "both.pdf", [(scan(BODY, dpi=150), GOOD_LAYER)])
    page = _first_page(pdf, PageOptions(ocr_mode="always", ocr_dpi=150))
    assert page.text_source == "ocr:tesseract"
    assert "Teterboro" in page.text
    assert "board meeting" not in page.text  # the layer is not appended


def test_a_page_past_its_time_limit_keeps_its_layer_with_a_reason(tmp_path: Path) -> None:
    pdf = layered_pdf(tmp_path / "noisy.pdf", [(scan(BODY, dpi=150), GARBAGE_LAYER)])
    page = _first_page(pdf, PageOptions(page_timeout_s=0.001, ocr_dpi=150), budget=OcrBudget(0.001))
    assert page.text_source == "layer"
    assert page.text.startswith("Su bj cct")
    assert page.error is not None and "time limit" in page.error


def test_a_spent_document_budget_marks_later_pages(tmp_path: Path) -> None:
    pdf = image_pdf(tmp_path / "two.pdf", [scan(BODY, dpi=100), scan(["Second page"], dpi=100)], dpi=100)
    document = PdfHandler().open(pdf)
    budget = OcrBudget(0.0)
    try:
        pages = [read_page(document, i, PageOptions(ocr_dpi=100), budget) for i in range(2)]
    finally:
        document.close()
    assert [p.text_source for p in pages] == ["none", "none"]
    reason = "document OCR time limit (0 s, UNSEALED_OCR_DOCUMENT_TIMEOUT) reached; page not OCR'd"
    assert [p.error for p in pages] == [reason] * 2


def test_redactions_come_from_the_ocr_image_and_from_a_layer_page(tmp_path: Path) -> None:
    box = (100.0, 300.0, 300.0, 320.0)
    scanned = image_pdf(tmp_path / "r.pdf", [scan(BODY, dpi=150, boxes=[box])])
    layered = layered_pdf(tmp_path / "l.pdf", [(scan([], dpi=150, boxes=[box]), GOOD_LAYER)])
    for path in (scanned, layered):
        page = _first_page(path, PageOptions(ocr_dpi=150))
        assert len(page.redactions) == 1
        assert all(abs(a - b) < 3 for a, b in zip(page.redactions[0], box, strict=True))
    assert _first_page(layered, PageOptions(detect_redactions=False)).redactions is None


def test_an_explicit_engine_is_used(tmp_path: Path) -> None:
    pdf = image_pdf(tmp_path / "scan.pdf", [scan(BODY, dpi=150)])
    page = _first_page(pdf, PageOptions(engine="null"))
    assert page.text_source == "ocr:null" and page.text == ""
    page = _first_page(pdf, PageOptions(engine="null", ocr_dpi=150), engine=TesseractEngine())
    assert page.text_source == "ocr:tesseract"


def test_bad_options_are_refused() -> None:
    with pytest.raises(ConfigError, match="auto, always, never"):
        PageOptions(ocr_mode="sometimes")  # type: ignore[arg-type]


def test_options_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNSEALED_OCR", "never")
    monkeypatch.setenv("UNSEALED_OCR_PAGE_TIMEOUT", "5")
    monkeypatch.setenv("UNSEALED_REDACTIONS", "0")
    options = PageOptions.from_env()
    assert (options.ocr_mode, options.page_timeout_s, options.detect_redactions) == ("never", 5.0, False)
    assert options.with_overrides(ocr_mode="always", engine=None).ocr_mode == "always"
    monkeypatch.setenv("UNSEALED_OCR_DPI", "high")
    with pytest.raises(ConfigError, match="UNSEALED_OCR_DPI"):
        PageOptions.from_env()


def test_long_pdfs_are_read_correctly_across_document_recycling(tmp_path: Path) -> None:
    """PDFium is reopened every RECYCLE_AFTER_PAGES page loads to keep memory flat."""
    from tests.builders import write_many_pages
    from unsealed.ingest.formats.pdf import RECYCLE_AFTER_PAGES

    count = RECYCLE_AFTER_PAGES * 2 + 3
    document = PdfHandler().open(write_many_pages(tmp_path / "long.pdf", count))
    try:
        numbers = [count - 1, 0, *range(1, count - 1, 7)]
        texts = {i: read_page(document, i, PageOptions(ocr_mode="never")).text for i in numbers}
    finally:
        document.close()
    assert all(texts[i].startswith(f"page {i + 1} ") for i in numbers)


def test_text_only_pages_skip_redaction_rendering(tmp_path: Path) -> None:
    typed = PdfHandler().open(layered_pdf(tmp_path / "typed.pdf", [(None, GOOD_LAYER)], visible=True))
    scanned = PdfHandler().open(image_pdf(tmp_path / "scan.pdf", [scan(BODY, dpi=72)], dpi=72))
    try:
        assert typed.page(0).has_graphics is False
        assert scanned.page(0).has_graphics is True
        assert read_page(typed, 0, PageOptions()).redactions == []
    finally:
        typed.close()
        scanned.close()


def test_the_layer_is_kept_beside_the_ocr_text_that_replaced_it(tmp_path: Path) -> None:
    pdf = layered_pdf(tmp_path / "noisy.pdf", [(scan(BODY, dpi=150), GARBAGE_LAYER)])
    page = _first_page(pdf, PageOptions(ocr_dpi=150))
    assert page.text_source == "ocr:tesseract"
    assert page.layer_text is not None and "Pa55en9" in page.layer_text


def test_visible_glyphs_without_an_image_are_not_ocrd_however_poor(tmp_path: Path) -> None:
    pdf = layered_pdf(tmp_path / "drawn.pdf", [(None, GARBAGE_LAYER)], visible=True)
    page = _first_page(pdf, PageOptions(ocr_dpi=150))
    assert page.text_source == "layer" and page.ocr_seconds is None
    assert page.quality is not None and page.quality < 0.8  # a poor layer, but nothing else to read


def test_a_blank_page_is_not_ocrd(tmp_path: Path) -> None:
    pdf = layered_pdf(tmp_path / "blank.pdf", [(None, "")])
    page = _first_page(pdf, PageOptions(ocr_dpi=150))
    assert page.text_source == "none" and page.ocr_seconds is None
