"""Printed e-mail headers: both layouts, OCR-damaged labels, names + addresses, UTC dates, chains."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.entities_support import add_document, seed_pages
from unsealed.analysis.email_dates import parse_sent
from unsealed.analysis.emails import match_label, parse_addresses, parse_date, parse_document
from unsealed.pipeline.enrich_stages import run_emails
from unsealed.store.archive import Archive
from unsealed.store.schema import documents, emails
from unsealed.views.queries import document_emails

LABELS_FIRST = """From:
Sent:
To:
Su bj cct:
Jeffrey E. <jeeyacation@grnail.corn>
Monday, April 16, 2018 10:01 AM
"Smith, John" <john.smith@example.com>; Jane Doe <jane@doe.org>
Re: dinner

See you there.

Fram: Jane Doe [mailto:jane@doe.org]
Sent: 1/15/2019 4:44:33 PM EST
To: jeevacation@gmail.com
Cc: a@b.com, Bob Roe <bob@roe.net>
Subject: hello
"""


@pytest.mark.parametrize(
    ("raw", "label"),
    [("Su bj cct", "subject"), ("Fram", "from"), ("Sen t", "sent"), ("Cc", "cc"), ("Note", None)],
)
def test_damaged_labels_are_recognised(raw: str, label: str | None) -> None:
    assert match_label(raw) == label


def test_both_layouts_and_a_chain() -> None:
    first, second = parse_document([(1, LABELS_FIRST)])
    assert (first.seq, second.seq) == (0, 1)
    assert first.sender is not None and first.sender.name == "Jeffrey E."
    # normalised where unambiguous (the same document prints jeevacation@gmail.com clean)
    assert (first.sender.address, first.sender.printed) == (
        "jeevacation@gmail.com",
        "jeeyacation@grnail.corn",
    )
    assert (first.kind, second.kind, first.from_printed) == (
        "header",
        "header",
        "Jeffrey E. <jeeyacation@grnail.corn>",
    )
    assert [(a.name, a.address) for a in first.to] == [
        ("Smith, John", "john.smith@example.com"),
        ("Jane Doe", "jane@doe.org"),
    ]
    assert first.subject == "Re: dinner"
    assert first.sent_at == datetime(2018, 4, 16, 10, 1, tzinfo=UTC)
    assert second.sender is not None and (second.sender.name, second.sender.address) == (
        "Jane Doe",
        "jane@doe.org",
    )
    assert [a.address for a in second.cc] == ["a@b.com", "bob@roe.net"]
    assert second.sent_at == datetime(2019, 1, 15, 21, 44, 33, tzinfo=UTC)  # EST is UTC-5


def test_dates_to_utc() -> None:
    assert parse_date("Wed, 24 Dec 2014 20:52:29 +0000") == datetime(2014, 12, 24, 20, 52, 29, tzinfo=UTC)
    assert parse_date("Monday, April 16, 2018 10:01 AM") == datetime(2018, 4, 16, 10, 1, tzinfo=UTC)
    assert parse_date("no date here") is None


@pytest.mark.parametrize(
    ("raw", "clock"),
    [
        ("Wednesda Ma 09, 2018 9:30 PM", "2018-05-09 21:30"),  # Ma: May, as 9 May 2018 is a Wednesday
        ("Friday Ma 09, 2018 9:30 PM", "2018-03-09 21:30"),  # and 9 March a Friday
        ("29 nov. 2016 a 00:16", "2016-11-29 00:16"),  # French `Le … à 00:16`
        ("Tue, Feb 24, 2015 at 2:20 PMSub'ect:", "2015-02-24 14:20"),  # the next label run on
        ("Ma 09, 2018 9:30 PM", None),  # no weekday: March or May, not read
    ],
)
def test_damaged_dates(raw: str, clock: str | None) -> None:
    got = parse_sent(raw)
    assert (got.clock.strftime("%Y-%m-%d %H:%M") if got else None) == clock


def test_recipients_lists_as_printed() -> None:
    """A `mailto:` link repeats its address (one person, the link's clean address); a short
    line that ends with a whole name ends that person where OCR lost the `;`; initials are names."""
    linked = parse_addresses("Jeffrey Epstein <jeevacation@gm=il.com <mailto:jeevacation@gmail.com>>")
    assert [(a.name, a.address) for a in linked] == [("Jeffrey Epstein", "jeevacation@gmail.com")]
    listed = parse_addresses("Ian Salters\nZbynek Kozelsky <\nMary C\nKeaveney")
    assert [a.name for a in listed] == ["Ian Salters", "Zbynek Kozelsky", "Mary C Keaveney"]
    flowed = "Paul Allen; Jeff Bezos; Sergey Brin; Hubert Burda; Steve Case; John Doerr, Jeffrey\nEpstein"
    assert [a.name for a in parse_addresses(flowed)][-2:] == ["John Doerr", "Jeffrey Epstein"]
    assert [a.name for a in parse_addresses("J E")] == ["J E"]
    sender = parse_document([(1, "From: J\nSent: Monday, January 21, 2019 5:39 PM\nTo: Weingarten, Reid\n")])
    assert sender[0].from_name == "J"


def test_default_zone_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNSEALED_EMAIL_TZ", "America/New_York")
    assert parse_date("1/15/2019 4:44:33 PM") == datetime(2019, 1, 15, 21, 44, 33, tzinfo=UTC)


def test_names_without_addresses_and_prose_is_not_a_header() -> None:
    assert [(a.name, a.address) for a in parse_addresses("Martin Kessler; Dana Whitfield")] == [
        ("Martin Kessler", None),
        ("Dana Whitfield", None),
    ]
    prose = "He wrote from: the office.\nThe subject: nothing at all.\n"
    assert parse_document([(1, prose)]) == []


def test_seed_document_becomes_an_email(tmp_path) -> None:
    archive = Archive.open(tmp_path)
    doc_id = add_document(archive, "EFTA01197902.pdf", [t for _, t in seed_pages()])
    run_emails(archive, [doc_id])
    run_emails(archive, [doc_id])  # idempotent
    with archive.engine.connect() as conn:
        chain = document_emails(conn, doc_id)
        doc_type = conn.execute(select(documents.c.doc_type).where(documents.c.id == doc_id)).scalar_one()
    assert doc_type == "email"
    assert len(chain) == 1
    assert chain[0]["from"] == {"name": "JNS News", "address": None}
    assert chain[0]["to"] == [{"name": None, "address": "jeevacation@gmail.com"}]
    assert chain[0]["subject"] == "JNS: The improbable romance between Israel and Azerbaijan"
    assert chain[0]["sent_at"] == "2014-12-24T20:52:29+00:00"


def test_the_email_stage_records_its_own_progress(tmp_path) -> None:
    """A document whose headers were not committed (a run interrupted while the background worker
    parsed them, after the mentions stage marked it enriched) stays pending for the e-mail stage."""
    from unsealed.pipeline.email_stage import emails_pending

    archive = Archive.open(tmp_path)
    doc_id = add_document(archive, "EFTA01197902.pdf", [t for _, t in seed_pages()])
    assert emails_pending(archive) == [doc_id]
    run_emails(archive, [doc_id])
    assert emails_pending(archive) == []
    with archive.engine.begin() as conn:
        conn.execute(documents.update().values(enriched_at=datetime.now(UTC), emails_at=None))
        conn.execute(emails.delete())
    assert emails_pending(archive) == [doc_id]
    run_emails(archive, emails_pending(archive))
    with archive.engine.connect() as conn:
        assert len(document_emails(conn, doc_id)) == 1
