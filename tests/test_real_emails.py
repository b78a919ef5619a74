"""Printed e-mails of the real release (`../shared/corpus`) against the hand-read key: one
document per layout, on the corpus text and on the text layer of the PDF we render from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from unsealed.analysis.emails import Message, is_email_document, parse_document
from unsealed.config import PageOptions
from unsealed.ingest.formats.pdf import PdfDocument
from unsealed.ingest.pages import read_page
from unsealed.sample.real import RealDocument, default_root, load_corpus, render

KEY = Path(__file__).parent / "fixtures" / "real" / "email_headers_key.json"
# column block with a redacted From; label-next-line; a CC list wrapped past the Subject label;
# To/From/Sent column with one value; long To list over `;` lines; not an e-mail
CASES = [
    "HOUSE_OVERSIGHT_017581",
    "EFTA01748674",
    "EFTA01370460",
    "EFTA01861784",
    "EFTA02548313",
    "HOUSE_OVERSIGHT_030218",
]

pytestmark = pytest.mark.skipif(not default_root().exists(), reason="../shared/corpus is not here")


def _key() -> dict[str, dict[str, Any]]:
    entries = json.loads(KEY.read_text(encoding="utf-8"))["documents"]
    return {Path(e["file"]).stem: e for e in entries}


def _words(value: str | None) -> str:
    return " ".join(sorted((value or "").lower().replace(",", " ").replace(".", " ").split()))


def _check(top: Message, want: dict[str, Any]) -> None:
    assert (top.subject or None) == want["subject"]
    clock = top.sent.strftime("%Y-%m-%dT%H:%M") if top.sent else None
    assert clock == want["sent"]
    assert (top.from_address, _words(top.from_name)) == (want["from_address"], _words(want["from_name"]))
    got = {_words(a.label) for a in top.to + top.cc}
    expected = {_words(x) for x in want["to"] + want["cc"]}
    # a list can run two names together where the print lost the `;` (`Nick Pritzker Muccia Prada`)
    assert len(got & expected) >= 0.9 * len(expected) and len(got - expected) <= 0.1 * len(expected) + 0.5


def _layer_pages(document: RealDocument) -> list[tuple[int, str]]:
    pdf = PdfDocument(Path(f"{document.id}.pdf"), render(document))
    options = PageOptions(ocr_mode="never", detect_redactions=False)
    try:
        return [(i + 1, read_page(pdf, i, options).text) for i in range(pdf.page_count)]
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def documents() -> dict[str, RealDocument]:
    return {d.id: d for d in load_corpus(ids=CASES)}


@pytest.mark.parametrize("doc_id", CASES)
@pytest.mark.parametrize("source", ["corpus", "layer"])
def test_top_message_as_the_key_reads_it(
    documents: dict[str, RealDocument], doc_id: str, source: str
) -> None:
    document, want = documents[doc_id], _key()[doc_id]
    pages = list(enumerate(document.pages, 1)) if source == "corpus" else _layer_pages(document)
    parsed = parse_document(pages)
    assert is_email_document(parsed, pages) == want["is_email"]
    if want["is_email"]:
        _check([m for m in parsed if m.kind != "on-wrote"][0], want["messages"][0])


def test_a_chain_keeps_every_message_with_its_kind(documents: dict[str, RealDocument]) -> None:
    parsed = parse_document(list(enumerate(documents["HOUSE_OVERSIGHT_017581"].pages, 1)))
    assert [m.kind for m in parsed] == ["header", "header", "on-wrote", "original-message"]
    assert [m.position for m in parsed] == [0, 1, 2, 3]
    on_wrote = parsed[2]
    assert (on_wrote.from_name, on_wrote.sent_text) == ("Lisa Randall", "Wed, Nov 28, 2012 at 11:17 AM")
    assert parsed[0].body.startswith("So let me understand.")
    assert "sundance" not in parsed[0].body  # the next message's body is its own
    assert parsed[1].from_address == "jeevacation@gmail.com"


def test_stored_one_row_per_message(tmp_path: Path, documents: dict[str, RealDocument]) -> None:
    from sqlalchemy import select

    from tests.entities_support import add_document
    from unsealed.pipeline.enrich_stages import run_emails
    from unsealed.store.archive import Archive
    from unsealed.store.schema import documents as documents_table
    from unsealed.store.schema import emails

    archive = Archive.open(tmp_path)
    doc_id = add_document(
        archive, "HOUSE_OVERSIGHT_017581.pdf", list(documents["HOUSE_OVERSIGHT_017581"].pages)
    )
    run_emails(archive, [doc_id])
    run_emails(archive, [doc_id])  # idempotent
    with archive.engine.connect() as conn:
        rows = conn.execute(select(emails).where(emails.c.document_id == doc_id).order_by(emails.c.seq)).all()
        doc_type = conn.execute(
            select(documents_table.c.doc_type).where(documents_table.c.id == doc_id)
        ).scalar_one()
    assert doc_type == "email"
    assert [(r.seq, r.kind) for r in rows] == [
        (0, "header"),
        (1, "header"),
        (2, "on-wrote"),
        (3, "original-message"),
    ]
    assert rows[1].sender == "Jeffrey Epstein <jeevacation@gmail.com>"
    assert rows[0].sent_clock.isoformat() == "2012-11-28T17:28:00"
    assert len({r.body_hash for r in rows}) == 4


def test_top_message_on_a_scan(documents: dict[str, RealDocument]) -> None:
    """The same document scanned at 200 dpi and read by Tesseract (labels and values on separate
    lines, values in another order than the key's)."""
    document = documents["EFTA01748674"]
    pdf = PdfDocument(Path(f"{document.id}.pdf"), render(document, scanned=True, dpi=200))
    try:
        page = read_page(pdf, 0, PageOptions(ocr_mode="always", ocr_dpi=200, detect_redactions=False))
    finally:
        pdf.close()
    parsed = parse_document([(1, page.text)])
    assert is_email_document(parsed, [(1, page.text)])
    _check(parsed[0], _key()["EFTA01748674"]["messages"][0])


def _parse(doc_id: str) -> list[Message]:
    (document,) = load_corpus(ids=[doc_id])
    return parse_document(list(enumerate(document.pages, 1)))


@pytest.mark.parametrize("source", ["corpus", "layer"])
def test_every_message_of_the_key_meets_the_goals(source: str) -> None:
    """Over all 268 messages of the key (quoted and forwarded ones too), not only the top one,
    on the corpus text and on the text layer of the PDFs we render from it."""
    from bench.real import pdf_pages
    from bench.real_emails import archive_senders, load_key, raw_pages, score

    get = raw_pages if source == "corpus" else lambda entry: pdf_pages(entry["file"])
    got = score(get, load_key(), known=archive_senders())
    every = got["all_messages"]
    assert got["classification_precision"] >= 0.95 and got["classification_recall"] >= 0.95
    assert every["subject"] >= 0.95 and every["sent"] >= 0.95, every
    assert every["sender"] >= 0.90 and every["recipients_f1"] >= 0.85, every


SYNTHETIC_EMPTY = """From: Jane Roe <jane@example.org>
Sent: Monday, May 4, 2015 10:02 AM
To:
CC:
The meeting moved to Thursday at noon, see you there.
Jane Roe
"""


def test_empty_to_and_cc_lines_take_no_recipients() -> None:
    """An empty `To:` / `CC:` never takes the lines after it: the body, an intro line
    (`---Forwarded message---`) or another header line (`Reply-To:`)."""
    (message,) = parse_document([(1, SYNTHETIC_EMPTY)])
    assert (message.to, message.cc, message.subject) == ([], [], None)
    assert message.body.startswith("The meeting moved")
    forwarded = [m for m in _parse("HOUSE_OVERSIGHT_031011") if m.page == 2 and m.kind == "forwarded"]
    assert forwarded[0].sent_text == "Thu, Jun 10, 2010 at 10:07 PM"
    assert (forwarded[0].to, forwarded[0].cc) == ([], [])  # `To:` `Cc:` `>` `---Forwarded message---`
    reply_to = [m for m in _parse("HOUSE_OVERSIGHT_029433") if m.kind == "forwarded"]
    assert reply_to[0].to == []  # `To:` then `Reply-To: info…`
    # but a value printed on the next line, with the next label after it, is the label's value
    # (OCR of a scan puts a blank line between printed lines)
    spaced = "From: Jane Roe\n\nSent: Monday, May 4, 2015 10:02 AM\n\nTo:\n\nJohn Smith\n\nSubject: Lunch\n"
    (message,) = parse_document([(1, spaced)])
    assert ([a.name for a in message.to], message.subject) == (["John Smith"], "Lunch")


def test_a_one_line_block_with_an_empty_subject_keeps_the_body_out() -> None:
    """`Subject:` printed empty under one-line From/Sent/To: the next line is the body."""
    last = [m for m in _parse("HOUSE_OVERSIGHT_032415") if m.kind == "header"][-1]
    assert (last.subject, last.body.split("\n")[0].strip()) == (None, "you well?")


def test_on_lines_whose_wrote_is_lost_or_further_down() -> None:
    """`On Sun, May 10, 2015 at 9:48 PM, Brandon Thompson` with `wrote:` eight lines below."""
    parsed = [m for m in _parse("HOUSE_OVERSIGHT_030218") if m.kind == "on-wrote"]
    clocks = [m.sent.strftime("%m-%d %H:%M") for m in parsed if m.sent]
    assert clocks == [
        "05-12 21:42",
        "05-11 18:45",
        "05-10 21:48",
        "05-10 21:35",
        "05-10 19:49",
        "05-10 18:07",
    ]
    assert [m.from_name for m in parsed][-2:] == ["Richard Kahn", "Brandon Thompson"]


def test_a_header_cut_by_the_end_of_the_page_goes_on_at_the_top_of_the_next() -> None:
    """From and Sent at the foot of page 3, To/Cc/Subject at the top of page 4: one message."""
    parsed = _parse("HOUSE_OVERSIGHT_031480")
    cut = next(m for m in parsed if m.sent_text == "Friday, August 05, 2016 1:27 PM")
    assert (cut.page, cut.from_name, cut.subject) == (3, "Will Bohlen", "RE: Audio recording")
    assert len(cut.to) == 12 and cut.body.startswith("BBC story:")
    assert not any(m.page == 4 and m.line == 0 for m in parsed)  # not read twice
