"""OCR engines: the real Tesseract on tiny large-font pages, the null engine, the registry."""

from __future__ import annotations

import sys

import pytest
from PIL import Image

from tests.helpers_ocr import scan
from unsealed.errors import ConfigError, MissingDependencyError
from unsealed.ingest.ocr import get_engine
from unsealed.ingest.ocr.base import OcrTimeoutError
from unsealed.ingest.ocr.null import NullEngine
from unsealed.ingest.ocr.tesseract import INSTALL_HINT, TesseractEngine


def test_tesseract_reads_words_with_confidence_and_bottom_band() -> None:
    image = scan(["QUARTERLY MEMO"], dpi=100, page_pt=(400, 300), top_pt=30)
    image.paste(scan(["EFTA00001234"], dpi=100, page_pt=(400, 50), top_pt=0, font_pt=16), (0, 380))
    result = TesseractEngine().recognize(image, dpi=100, timeout_s=60)
    assert "QUARTERLY MEMO" in result.text
    assert result.confidence is not None and 0.5 < result.confidence <= 1.0
    assert result.word_count == 3
    assert "EFTA00001234" in result.bottom_text
    assert "QUARTERLY" not in result.bottom_text


def test_tesseract_time_limit_stops_the_engine() -> None:
    image = scan(["a page that takes longer than a millisecond"], dpi=100)
    with pytest.raises(OcrTimeoutError, match="time limit"):
        TesseractEngine().recognize(image, dpi=100, timeout_s=0.001)


def test_missing_language_models_name_the_install_command(tmp_path) -> None:
    engine = TesseractEngine(tessdata=str(tmp_path))  # a model folder with no models in it
    assert not engine.available()
    with pytest.raises(MissingDependencyError) as caught:
        engine.check()
    assert "language 'eng'" in str(caught.value)
    assert INSTALL_HINT in str(caught.value)
    assert "apt-get install tesseract-ocr tesseract-ocr-eng" in str(caught.value)


def test_missing_binding_names_the_install_command(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "tesserocr", None)  # as if tesserocr were not installed
    engine = TesseractEngine()
    with pytest.raises(MissingDependencyError, match="tesserocr") as caught:
        engine.check()
    assert "pip install --no-binary tesserocr tesserocr" in str(caught.value)


def test_a_blank_page_reads_as_no_text_not_an_error() -> None:
    result = TesseractEngine().recognize(Image.new("L", (850, 1100), 255), dpi=100, timeout_s=60)
    assert result.text == "" and result.word_count == 0 and result.confidence is None


def test_one_engine_reads_page_after_page_without_mixing_them() -> None:
    engine = TesseractEngine()
    first = engine.recognize(scan(["FIRST PAGE"], dpi=100), dpi=100, timeout_s=60)
    second = engine.recognize(scan(["SECOND LEAF"], dpi=100), dpi=100, timeout_s=60)
    assert "FIRST PAGE" in first.text and "SECOND" not in first.text
    assert "SECOND LEAF" in second.text and "FIRST" not in second.text


def test_missing_language_data_is_reported() -> None:
    engine = TesseractEngine(languages="eng+xyz")
    with pytest.raises(MissingDependencyError, match="language 'xyz'"):
        engine.check()


def test_installed_tesseract_passes_its_check() -> None:
    engine = get_engine("tesseract")
    assert engine.available()
    engine.check()


def test_registry_knows_null_and_rejects_unknown_engines() -> None:
    assert isinstance(get_engine("null"), NullEngine)
    assert get_engine("null").recognize(scan(["x"], dpi=50), dpi=50, timeout_s=1).text == ""
    with pytest.raises(ConfigError, match="unknown OCR engine 'gpu-magic'.*null, tesseract"):
        get_engine("gpu-magic")
