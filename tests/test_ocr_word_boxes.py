"""OCR word boxes: the real Tesseract places each word in the page text and on the image; the
compact blob stored per page keeps them; a hit's character span finds its box."""

from __future__ import annotations

from pathlib import Path

from PIL import ImageFont

from tests.helpers_ocr import FONT, image_pdf, scan
from unsealed.analysis import word_boxes
from unsealed.ingest.formats.pdf import PdfHandler
from unsealed.ingest.ocr.tesseract import TesseractEngine
from unsealed.ingest.pages import PageOptions, read_page

LINES = ["Passenger manifest for Teterboro", "Palm Beach flight schedule"]
DPI = 150
FONT_PT = 28
TOLERANCE_PT = 4.0


def _drawn_box(line: int, word: str) -> tuple[float, float, float, float]:
    """Where tests/helpers_ocr.scan drew `word` of line `line`, in points (top-left origin): the
    font's own ink box of the word, offset by the advance of the text before it."""
    scale = DPI / 72
    font = ImageFont.truetype(FONT, round(FONT_PT * scale))
    text = LINES[line]
    before = text[: text.index(word)]
    x = 72 * scale + font.getlength(before)
    y = (72 + line * FONT_PT * 1.6) * scale
    left, top, right, bottom = font.getbbox(word)
    return ((x + left) / scale, (y + top) / scale, (x + right) / scale, (y + bottom) / scale)


def _close(box: tuple[float, ...] | list[float], expected: tuple[float, ...]) -> bool:
    return all(abs(a - b) <= TOLERANCE_PT for a, b in zip(box, expected, strict=True))


def test_tesseract_gives_each_word_its_span_in_the_text_and_its_box_on_the_image() -> None:
    result = TesseractEngine().recognize(scan(LINES, dpi=DPI, font_pt=FONT_PT), dpi=DPI, timeout_s=60)
    assert result.text.split("\n") == LINES
    assert len(result.words) == sum(len(line.split()) for line in LINES)
    spans = [result.text[a:b] for a, b, _ in result.words]
    assert spans == " ".join(LINES).split()
    by_word = {result.text[a:b]: box for a, b, box in result.words}
    for line, word in [(0, "Teterboro"), (1, "Palm"), (1, "schedule")]:
        pixels = by_word[word]
        points = tuple(v * 72 / DPI for v in pixels)
        assert _close(points, _drawn_box(line, word)), (word, points, _drawn_box(line, word))


def test_an_ocr_page_stores_its_word_boxes_and_a_hit_span_finds_the_words_box(tmp_path: Path) -> None:
    path = image_pdf(tmp_path / "scan.pdf", [scan(LINES, dpi=DPI, font_pt=FONT_PT)], dpi=DPI)
    document = PdfHandler().open(path)
    try:
        page = read_page(document, 0, PageOptions(ocr_mode="auto", ocr_dpi=300))
    finally:
        document.close()
    assert page.text_source == "ocr:tesseract"
    assert page.word_boxes is not None
    words = list(word_boxes.decode(page.word_boxes))
    assert len(page.word_boxes) == 14 * len(words)  # 14 bytes a word
    assert [page.text[a:b] for a, b, _ in words] == page.text.split()
    start = page.text.index("Beach")
    (box,) = word_boxes.boxes_over(page.word_boxes, [(start, start + len("Beach"))])
    assert _close(box, _drawn_box(1, "Beach")), (box, _drawn_box(1, "Beach"))  # rendered at 300 dpi
    phrase = page.text.index("Palm Beach")
    assert len(word_boxes.boxes_over(page.word_boxes, [(phrase, phrase + len("Palm Beach"))])) == 2
    assert word_boxes.boxes_over(page.word_boxes, []) == []


def test_the_blob_round_trips_and_clamps_what_it_cannot_hold() -> None:
    blob = word_boxes.encode(
        [(0, 5, (10.04, 20.0, 45.5, 31.26)), (6, 6, (0, 0, 1, 1)), (7, 9, (-3, 0, 7000, 2))]
    )
    assert blob is not None and len(blob) == 28  # the empty span is dropped
    assert list(word_boxes.decode(blob)) == [
        (0, 5, (10.0, 20.0, 45.5, 31.3)),
        (7, 9, (0.0, 0.0, 6553.5, 2.0)),
    ]
    assert word_boxes.encode([]) is None
    assert list(word_boxes.decode(None)) == []
    assert list(word_boxes.decode(blob + b"\x01\x02")) == list(word_boxes.decode(blob))  # torn tail ignored
