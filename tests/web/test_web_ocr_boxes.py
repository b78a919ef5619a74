"""Hit boxes on an OCR'd page: a real release page rendered as a scan by the project's generator,
ingested with the real Tesseract; a searched word's box lies over the word on the page image (where
the same page with a text layer prints it, by PDFium), in the HTML, the API and the browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from web_support import ingest_folder, live_server

from unsealed.sample.real import load_corpus, write_corpus
from unsealed.store.archive import Archive
from unsealed.store.documents import locate_document
from unsealed.web import create_app

DOC = "HOUSE_OVERSIGHT_026266"  # one page: "From: Sultan Bin Sulayem" ... "Sultan Bin Sulayem <MI> wrote:"
WORD = "Sulayem"
# The scan is the text-layer page rotated by up to 0.6 degrees about its centre (sample/layout.py):
# up to ~4 pt away at the page's edges, plus the OCR's own box edges.
TOLERANCE_PT = 6.0
RECT = re.compile(r'<rect class="hitbox" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"')


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Archive, str, list[list[float]]]]:
    """The archive with the scanned page, its document id, and where the word is printed (points,
    top-left origin) on the same page drawn with a text layer."""
    root = tmp_path_factory.mktemp("ocr-boxes")
    document = load_corpus(ids=[DOC])
    write_corpus(document, root / "scans", scanned=True)
    (layered,) = write_corpus(document, root / "layered")
    archive = Archive.open(root / "archive")
    ingest_folder(archive, root / "scans", "scans")
    with archive.engine.connect() as conn:
        located = locate_document(conn, f"scans/{DOC}.pdf")
    assert located is not None
    yield archive, located.document_id, _printed(layered, WORD)
    archive.close()


def _printed(path: Path, word: str) -> list[list[float]]:
    pdf = pdfium.PdfDocument(path)
    page = pdf[0]
    height = page.get_height()
    text = page.get_textpage()
    searcher = text.search(word, match_case=False, match_whole_word=True)
    boxes = []
    while (found := searcher.get_next()) is not None:
        left, bottom, right, top = text.get_rect(text.count_rects(*found) - 1)
        boxes.append([left, height - top, right, height - bottom])
    pdf.close()
    assert boxes, f"{word} is not printed on {path.name}"
    return boxes


def _over_the_word(box: list[float], printed: list[list[float]]) -> bool:
    return any(all(abs(a - b) <= TOLERANCE_PT for a, b in zip(box, p, strict=True)) for p in printed)


def test_an_ocr_pages_hits_are_boxed_over_the_printed_word(
    scanned: tuple[Archive, str, list[list[float]]],
) -> None:
    archive, doc_id, printed = scanned
    client = TestClient(create_app(archive))
    data = client.get(f"/api/v1/documents/{doc_id}", params={"q": WORD}).json()
    page = data["pages"][0]
    assert page["text_source"] == "ocr:tesseract"
    assert page["text"].count(WORD) == len(printed) == 2  # Tesseract read both
    assert page["hits"] == 2
    html = client.get(f"/documents/{doc_id}", params={"q": WORD, "view": "both"}).text
    boxes = [[x, y, x + w, y + h] for x, y, w, h in (map(float, m) for m in RECT.findall(html))]
    assert len(boxes) == 2
    for box in boxes:
        assert _over_the_word(box, printed), (box, printed)
    other = client.get(f"/documents/{doc_id}", params={"q": "Bannon", "view": "both"}).text
    assert len(RECT.findall(other)) == 1  # another word, another box
    assert not RECT.findall(client.get(f"/documents/{doc_id}", params={"q": WORD}).text)  # text view: none


@pytest.mark.browser
def test_the_page_viewer_draws_the_ocr_hit_box_over_the_word(
    scanned: tuple[Archive, str, list[list[float]]], browser: Any
) -> None:
    archive, doc_id, printed = scanned
    with live_server(archive) as server:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        tab = context.new_page()
        tab.goto(f"{server.url}/documents/{doc_id}?q={WORD}&view=both")
        image = tab.locator("#page-1 .zoomed img")
        image.evaluate("img => img.decode()")
        frame = image.bounding_box()
        rects = tab.locator("#page-1 .overlay .hitbox")
        assert rects.count() == 2
        page = tab.request.get(f"{server.url}/api/v1/documents/{doc_id}").json()["pages"][0]
        scale = frame["width"] / page["width"]  # screen pixels per page point
        for i in range(rects.count()):
            drawn = rects.nth(i).bounding_box()
            box = [
                (drawn["x"] - frame["x"]) / scale,
                (drawn["y"] - frame["y"]) / scale,
                (drawn["x"] + drawn["width"] - frame["x"]) / scale,
                (drawn["y"] + drawn["height"] - frame["y"]) / scale,
            ]
            assert _over_the_word(box, printed), (box, printed)
        context.close()
