"""Bates numbers on the real release: one grammar for every scheme, the page's number taken from
its stamp (never from a control number printed beside it), and every form a reader types found."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from unsealed.analysis.bates import assign_bates
from unsealed.config import PageOptions
from unsealed.domain import parse_bates, read_bates, split_bates
from unsealed.ingest.formats.pdf import PdfDocument
from unsealed.ingest.pages import read_page
from unsealed.sample.real import RealDocument, default_root, load_corpus, render, write_corpus
from unsealed.search.query import parse
from unsealed.search.tree import BatesRange, Or
from unsealed.store.archive import Archive
from unsealed.store.schema import documents
from unsealed.web import create_app

corpus = pytest.mark.skipif(not default_root().exists(), reason="../shared/corpus is not here")


@pytest.mark.parametrize(
    ("printed", "canonical", "control"),
    [
        ("EFTA00000001", "EFTA00000001", False),
        ("HOUSE_OVERSIGHT_012345", "HOUSE_OVERSIGHT_012345", False),
        ("HOUSE OVERSIGHT 012345", "HOUSE_OVERSIGHT_012345", False),
        ("HOUSE OVERSIGHT_012345", "HOUSE_OVERSIGHT_012345", False),
        ("DOJ-OGR-00012345", "DOJ_OGR_00012345", False),
        ("EFTA_R1_00938289", "EFTA_R1_00938289", True),
        ("SDNY_GM_00212660", "SDNY_GM_00212660", True),
        ("SONY GM_00212660", "SONY_GM_00212660", True),
        ("DB-SDNY-0012345", "DB_SDNY_0012345", True),
        ("JPM-SDNY-0001234", "JPM_SDNY_0001234", True),
    ],
)
def test_one_grammar_for_every_scheme(printed: str, canonical: str, control: bool) -> None:
    (number,) = parse_bates(f"page text {printed}\n")
    assert (str(number), number.is_control) == (canonical, control)


@pytest.mark.parametrize(
    "typed",
    ["HOUSE_OVERSIGHT_026621", "house oversight 26621", "House-Oversight-026621", "houseoversight026621"],
)
def test_every_typed_form_reads_the_same(typed: str) -> None:
    assert split_bates(typed) == ("HOUSEOVERSIGHT", 26621)
    assert read_bates("efta1197904") == read_bates("EFTA01197904") or split_bates("efta1197904") == (
        "EFTA",
        1197904,
    )


def test_the_search_box_and_bates_field_accept_spaces() -> None:
    box = parse("HOUSE OVERSIGHT 026621").tree
    assert isinstance(box, Or) and BatesRange("HOUSEOVERSIGHT", 26621, 26621) in box.items
    assert parse("bates:house oversight 26621").tree == BatesRange("HOUSEOVERSIGHT", 26621, 26621)
    assert "BatesRange" not in repr(parse("in March 2014").tree)  # a date is not a Bates number


def _layer(document: RealDocument, scanned: bool = False) -> list[tuple[str, str]]:
    pdf = PdfDocument(Path(f"{document.id}.pdf"), render(document, scanned=scanned, dpi=200))
    options = PageOptions(ocr_mode="always" if scanned else "never", ocr_dpi=200, detect_redactions=False)
    try:
        pages = [read_page(pdf, i, options) for i in range(pdf.page_count)]
    finally:
        pdf.close()
    return [(p.text, p.bottom_text) for p in pages]


@corpus
@pytest.mark.parametrize(
    ("doc_id", "scanned"),
    [
        ("HOUSE_OVERSIGHT_015672", False),  # `HOUSE OVERSIGHT 015672` stamps, 3 pages
        ("HOUSE_OVERSIGHT_026985", False),  # stamps printed with `_` and with spaces
        ("EFTA01732454", False),  # EFTA_R1_ control numbers beside the stamps
        ("EFTA01280146", False),  # SDNY_GM_ numbers and a garbled stamp above the real one
        ("EFTA01295161", True),  # a scan
    ],
)
def test_page_numbers_are_the_printed_stamps(doc_id: str, scanned: bool) -> None:
    (document,) = load_corpus(ids=[doc_id])
    assigned = assign_bates(f"{doc_id}.pdf", _layer(document, scanned))
    expected = [str(parse_bates(s or "")[0]) for s in document.stamps]
    assert [a.value for a in assigned] == expected
    assert not any(parse_bates(a.value or "")[0].is_control for a in assigned)
    if "EFTA_R1_" in document.text:
        assert any(c.startswith("EFTA_R1_") for a in assigned for c in a.controls)


@corpus
def test_show_and_bates_route_take_every_form(cli, show_json, archive_dir: Path, tmp_path: Path) -> None:
    write_corpus(load_corpus(ids=["HOUSE_OVERSIGHT_015672"]), tmp_path / "in")
    cli("ingest", tmp_path / "in", "--dataset", "house", check=True)
    for typed in ("HOUSE_OVERSIGHT_015673", "house oversight 15673", "House-Oversight-015673"):
        assert show_json(typed)["page"] == 2
    archive = Archive.open(archive_dir)
    try:
        client = TestClient(create_app(archive))
        for typed in ("HOUSE_OVERSIGHT_015674", "house oversight 15674", "HOUSE OVERSIGHT 015674"):
            found = client.get(f"/api/v1/bates/{typed}")
            assert found.status_code == 200 and found.json()["page"] == 3
    finally:
        archive.close()


_BARE = re.compile(r"(?<!HOUSE[ _])(?<!HOUSE)OVERSIGHT[ _]?\d{6}")


@corpus
def test_every_display_shows_the_full_house_oversight_number(
    cli, show_json, archive_dir: Path, tmp_path: Path
) -> None:
    """A House Oversight range is never shown as `OVERSIGHT 013482`: the CLI, the document page,
    the API and /bates/ all show HOUSE_OVERSIGHT_013482, from the text layer and from a scan."""
    document = load_corpus(ids=["HOUSE_OVERSIGHT_013482"])
    write_corpus(document, tmp_path / "in" / "layer")
    write_corpus(document, tmp_path / "in" / "scan", scanned=True, dpi=200)
    cli("ingest", tmp_path / "in", "--dataset", "house", check=True)
    shown = cli("show", "HOUSE_OVERSIGHT_013483", check=True).stdout
    assert "HOUSE_OVERSIGHT_013482–HOUSE_OVERSIGHT_013483" in shown and not _BARE.search(shown)
    archive = Archive.open(archive_dir)
    try:
        client = TestClient(create_app(archive))
        found = client.get("/api/v1/bates/house oversight 13483").json()
        assert found["page"] == 2
        with archive.engine.connect() as conn:
            ids = [r.id for r in conn.execute(select(documents.c.id))]
        assert len(ids) == 2
        for doc_id in ids:
            api = client.get(f"/api/v1/documents/{doc_id}").json()
            assert (api["bates_first"], api["bates_last"]) == (
                "HOUSE_OVERSIGHT_013482",
                "HOUSE_OVERSIGHT_013483",
            )
            assert [p["bates"] for p in show_json(doc_id)["pages"]] == [
                "HOUSE_OVERSIGHT_013482",
                "HOUSE_OVERSIGHT_013483",
            ]
            page = client.get(f"/documents/{doc_id}").text
            assert "HOUSE_OVERSIGHT_013482 – HOUSE_OVERSIGHT_013483" in page
            assert not _BARE.search(page) and not _BARE.search(json.dumps(api))
    finally:
        archive.close()
