"""Printed e-mail headers: find header blocks in page text and parse them.

Two layouts occur in the release: `Label: value` lines, and a run of bare labels (`From:` `Sent:`
`To:` `Subject:`) followed by their values in the same order. Labels survive OCR damage
(`Su bj cct:`, `Fram:`) by fuzzy matching against the known labels. Dates become UTC; a date
printed without a zone is taken to be in UNSEALED_EMAIL_TZ (default UTC) and the printed text is
kept in `sent_raw`. Every header block of a document is one message of its chain, in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateparser
from rapidfuzz.distance import Levenshtein

from unsealed import config
from unsealed.errors import ConfigError

LABELS = ("from", "sent", "date", "to", "cc", "bcc", "subject", "attachments", "importance")
_LABEL_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z .]{0,13}?)\s*[:;]\s?(.*)$")
ADDRESS = re.compile(r"[A-Za-z0-9][\w.+'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_TZ = {
    n: timezone(timedelta(hours=h))
    for n, h in {
        "EST": -5,
        "EDT": -4,
        "CST": -6,
        "CDT": -5,
        "MST": -7,
        "MDT": -6,
        "PST": -8,
        "PDT": -7,
        "GMT": 0,
        "UTC": 0,
        "BST": 1,
        "CET": 1,
        "CEST": 2,
    }.items()
}
MAX_LEAD_LINES = 15  # a document is an e-mail when its first header starts this early on page 1


@dataclass
class Address:
    name: str | None
    address: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "address": self.address}


@dataclass
class ParsedEmail:
    seq: int
    page_number: int
    line: int  # 0-based line of the header's first label on its page
    sender: Address | None = None
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    bcc: list[Address] = field(default_factory=list)
    subject: str | None = None
    sent_at: datetime | None = None
    sent_raw: str | None = None


def match_label(raw: str) -> str | None:
    """The canonical label an OCR-damaged label stands for (`Su bj cct` → `subject`), or None."""
    letters = re.sub(r"[^a-z]", "", raw.lower())
    if not letters or len(letters) > 12:
        return None
    best, best_d = None, 99
    for label in LABELS:
        limit = 0 if len(label) <= 2 else 1 if len(label) <= 5 else 2
        d = Levenshtein.distance(letters, label, score_cutoff=limit)
        if d <= limit and d < best_d:
            best, best_d = label, d
    return best


def default_zone() -> timezone | ZoneInfo:
    name = config.email_timezone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"UNSEALED_EMAIL_TZ: unknown time zone {name!r}") from exc


def parse_date(raw: str) -> datetime | None:
    """A printed date as an aware UTC datetime, or None when it cannot be read."""
    text = re.sub(r"\s+", " ", raw).strip()
    if not re.search(r"\d", text):
        return None
    try:
        parsed = dateparser.parse(text, fuzzy=True, tzinfos=_TZ)
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_zone())
    return parsed.astimezone(UTC)


def _one_address(part: str) -> Address | None:
    match = ADDRESS.search(part)
    address = match.group().lower().rstrip(".") if match else None
    name = ADDRESS.sub("", part) if match else part
    name = re.sub(r"mailto:?|[<>\[\]()\"]", " ", name, flags=re.IGNORECASE)
    name = re.sub(r"\s+", " ", name).strip(" ,;:'")
    if not name and not address:
        return None
    return Address(name or None, address)


def parse_addresses(value: str) -> list[Address]:
    """`Name <a@b>; "Last, First" <c@d>` → addresses with the names printed beside them."""
    if ";" in value:
        parts = value.split(";")
    elif len(ADDRESS.findall(value)) > 1:
        parts = re.split(r"(?<=[>\]\w])\s*,\s*(?=[^,]*@)", value)
        if len(parts) == 1:
            parts = re.findall(r"[^@]*?" + ADDRESS.pattern + r"[>\]]?", value)
    else:
        parts = [value]
    return [a for a in (_one_address(p) for p in parts) if a is not None]


def _label_lines(lines: list[str]) -> list[tuple[int, str, str] | None]:
    out: list[tuple[int, str, str] | None] = []
    for i, line in enumerate(lines):
        m = _LABEL_LINE.match(line)
        label = match_label(m.group(1)) if m else None
        out.append((i, label, m.group(2).strip()) if m and label else None)
    return out


def _fields_from_block(
    lines: list[str], labels: list[tuple[int, str, str] | None], start: int
) -> tuple[dict[str, str], int]:
    """Read one header block starting at line `start`; returns fields and the line after it."""
    fields: dict[str, str] = {}
    i = start
    bare: list[str] = []
    while i < len(lines):
        entry = labels[i]
        if entry is None:
            text = lines[i].strip()
            last = next(reversed(fields), None)
            if bare and text:
                fields[bare.pop(0)] = text  # labels-first layout: values follow in order
            elif (
                last in ("to", "cc", "bcc")
                and text
                and ("@" in text or lines[i - 1].rstrip().endswith((";", ",")))
            ):
                fields[last] += " " + text
            elif not text and not bare:
                break
            else:
                break
        else:
            _, label, value = entry
            if label in fields or label in bare:
                break  # the next message's header
            if value:
                fields[label] = value
            else:
                bare.append(label)
        i += 1
    return fields, i


def parse_page(text: str) -> list[tuple[int, dict[str, str]]]:
    """Header blocks of one page as (first line, label → value)."""
    lines = text.split("\n")
    labels = _label_lines(lines)
    blocks = []
    i = 0
    while i < len(lines):
        if labels[i] is None or labels[i][1] not in ("from", "to", "sent", "date"):  # type: ignore[index]
            i += 1
            continue
        fields, end = _fields_from_block(lines, labels, i)
        if (
            "from" in fields
            and len({"to", "subject", "sent", "date"} & fields.keys()) >= 1
            and len(fields) >= 2
        ):
            blocks.append((i, fields))
            i = max(end, i + 1)
        else:
            i += 1
    return blocks


def parse_document(pages: list[tuple[int, str]]) -> list[ParsedEmail]:
    """Every printed e-mail header of a document, in reading order (seq 0, 1, ...)."""
    found: list[ParsedEmail] = []
    for number, text in pages:
        for line, fields in parse_page(text):
            sent_raw = fields.get("sent") or fields.get("date")
            senders = parse_addresses(fields["from"])
            found.append(
                ParsedEmail(
                    seq=len(found),
                    page_number=number,
                    line=line,
                    sender=senders[0] if senders else None,
                    to=parse_addresses(fields.get("to", "")),
                    cc=parse_addresses(fields.get("cc", "")),
                    bcc=parse_addresses(fields.get("bcc", "")),
                    subject=fields.get("subject"),
                    sent_at=parse_date(sent_raw) if sent_raw else None,
                    sent_raw=sent_raw,
                )
            )
    return found


def is_email_document(parsed: list[ParsedEmail], pages: list[tuple[int, str]]) -> bool:
    """True when the document opens with a header block (printed e-mail), not just quotes one."""
    if not parsed or not pages or parsed[0].page_number != pages[0][0]:
        return False
    lead = pages[0][1].split("\n")[: parsed[0].line]
    return sum(1 for line in lead if line.strip()) <= MAX_LEAD_LINES
