"""Printed e-mails: a document's pages → the list of messages printed in it, top message first.

Each message has its page, its position in the document (0 = top), its kind (`header`: a bare
From/Sent/To block; `original-message`, `forwarded`: a block introduced by such a line; `on-wrote`:
an `On <date>, <who> wrote:` line), the sender as printed with name and normalised address, the
sent date (printed clock, to the minute, and the printed text), To/CC/BCC, subject, and the body
without quoted parts. Headers are found by `email_headers`, dates read by `email_dates`, names and
addresses by `email_addresses`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from unsealed.analysis.email_addresses import Address, clean_addresses, one_address, parse_addresses
from unsealed.analysis.email_dates import parse_date, parse_sent, to_utc
from unsealed.analysis.email_headers import content_end, find_blocks, find_on_wrote, match_label

__all__ = [
    "Address",
    "Message",
    "ParsedEmail",
    "is_email_document",
    "match_label",
    "parse_addresses",
    "parse_date",
    "parse_document",
]

KINDS = ("header", "original-message", "on-wrote", "forwarded")


@dataclass
class Message:
    """One printed message of a document."""

    position: int
    page: int
    line: int  # 0-based line of its first header line on its page
    kind: str = "header"
    from_printed: str | None = None
    sender: Address | None = None  # name, normalised address, printed address
    sent: datetime | None = None  # printed clock, no zone conversion
    sent_has_time: bool = False
    sent_text: str | None = None
    sent_at: datetime | None = None  # UTC (printed zone, else UNSEALED_EMAIL_TZ)
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    bcc: list[Address] = field(default_factory=list)
    subject: str | None = None
    importance: str | None = None
    attachments: str | None = None
    body: str = ""
    quoted: str = ""  # the `>` lines below its header (what it quotes without a printed header)
    end_line: int = 0  # the line after its header, on its page or on `end_page`
    end_page: int = 0  # the next page's number when the header runs onto it
    labels: frozenset[str] = frozenset()  # the header labels printed, with or without values

    @property
    def seq(self) -> int:
        return self.position

    @property
    def page_number(self) -> int:
        return self.page

    @property
    def sent_raw(self) -> str | None:
        return self.sent_text

    @property
    def from_name(self) -> str | None:
        return self.sender.name if self.sender else None

    @property
    def from_address(self) -> str | None:
        return self.sender.address if self.sender else None

    @property
    def body_hash(self) -> str:
        """SHA-256 of the body with whitespace collapsed (the same text printed twice matches)."""
        return hashlib.sha256(" ".join(self.body.split()).encode()).hexdigest()


ParsedEmail = Message  # the name earlier code used


def _set_sent(message: Message, raw: str | None) -> None:
    if not raw:
        return
    message.sent_text = raw
    sent = parse_sent(raw)
    if sent:
        message.sent, message.sent_has_time = sent.clock.replace(second=0, microsecond=0), sent.has_time
        message.sent_at = to_utc(sent)


def _messages_of_page(
    number: int, text: str, known: set[str], following: tuple[int, str] | None, start: int
) -> tuple[list[Message], int]:
    """The page's messages, and how many lines at the top of the next page its last header
    took (a header cut by the end of the page goes on there)."""
    blocks = find_blocks(text, following[1] if following else None, start)
    cut = content_end(text.split("\n"))
    taken = 0
    skip = set(range(start)) | {i for b in blocks for i in range(b.line, b.end)}
    found: list[Message] = []
    for b in blocks:
        f = b.fields
        message = Message(0, number, b.line, b.kind, end_line=b.end, labels=frozenset(b.printed))
        if following and b.end > cut:
            message.end_page, message.end_line = following[0], b.end - cut
            taken = message.end_line
        message.from_printed = f.get("from") or None
        if message.from_printed:
            message.sender = one_address(message.from_printed, known)
        _set_sent(message, f.get("sent") or f.get("date"))
        for key in ("to", "cc", "bcc"):
            setattr(message, key, parse_addresses(f.get(key, ""), known))
        message.subject = f.get("subject") or None
        message.importance = f.get("importance")
        message.attachments = f.get("attachments")
        found.append(message)
    for w in find_on_wrote(text, skip):
        message = Message(0, number, w.line, "on-wrote", end_line=w.end)
        message.from_printed = w.who or None
        message.sender = one_address(w.who, known) if w.who else None
        _set_sent(message, w.date)
        found.append(message)
    return sorted(found, key=lambda m: m.line), taken


def _attach_bodies(messages: list[Message], pages: list[tuple[int, str]]) -> None:
    """Each message's body: the lines after its header up to the next message, `>` quotes apart."""
    lines = [(n, i, t) for n, text in pages for i, t in enumerate(text.split("\n"))]
    order = {(n, i): k for k, (n, i, _) in enumerate(lines)}
    starts = [order.get((m.page, m.line), 0) for m in messages]
    for k, message in enumerate(messages):
        begin = order.get((message.end_page or message.page, message.end_line), len(lines))
        stop = starts[k + 1] if k + 1 < len(messages) else len(lines)
        below = [t for _, _, t in lines[begin:stop]]
        message.body = "\n".join(t for t in below if not t.lstrip().startswith(">")).strip()
        message.quoted = "\n".join(t for t in below if t.lstrip().startswith(">")).strip()


def parse_document(pages: list[tuple[int, str]], known: Iterable[str] = ()) -> list[Message]:
    """Every printed message of a document, in reading order (position 0, 1, ...). `known`:
    addresses printed clean elsewhere in the archive (evidence for undoing OCR misreadings)."""
    known = clean_addresses(text for _, text in pages) | set(known)
    messages: list[Message] = []
    taken = 0  # lines at the top of this page that the header above took
    for k, (number, text) in enumerate(pages):
        following = pages[k + 1] if k + 1 < len(pages) else None
        found, taken = _messages_of_page(number, text, known, following, taken)
        messages += found
    for position, message in enumerate(messages):
        message.position = position
    _attach_bodies(messages, pages)
    return messages


def is_email_document(parsed: list[Message], pages: list[tuple[int, str]]) -> bool:
    """True when the first page holds a header block: From (or a redacted From) with Sent/Date
    and To/Subject, in any layout."""
    if not pages:
        return False
    first = pages[0][0]
    for message in parsed:
        if message.page != first or message.kind == "on-wrote":
            continue
        printed = message.labels
        if "from" in printed and printed & {"sent", "date"} and printed & {"to", "subject"}:
            return True
    return False
