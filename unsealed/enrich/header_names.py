"""People named in printed e-mail headers (From, To, CC, `On … wrote:`): a sender or recipient is
a person mention where the header prints a name, whatever the tagger makes of a header line
(`Weingarten, Reid`, `jeffrey E. [jeevacation@gmail.com]`)."""

from __future__ import annotations

import re

from unsealed.analysis.email_addresses import split_recipients
from unsealed.analysis.email_headers import find_blocks, find_on_wrote
from unsealed.enrich.orgs import HEADS
from unsealed.enrich.spans import Found

_ORG_ENDINGS = frozenset("news inc llc ltd corp co plc lp team desk times post journal daily weekly".split())

_CUT = re.compile(r"[<\[(]|\S+@|\bmailto\b|_{2,}", re.I)
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’.-]+")


def _printed_name(piece: str) -> str | None:
    """The name part of a printed sender/recipient, as printed (`Weingarten, Reid`)."""
    name = _CUT.split(piece.replace("\n", " "), maxsplit=1)[0].strip(" ;,:'\"=|>")
    words = _WORDS.findall(name)
    if not words or re.search(r"\.(com|org|net|edu|gov)\b|\d", name, re.I):
        return None
    if len(name.split()) == 1 and (len(words[0]) < 3 or not words[0][0].isupper()):
        return None
    if words[-1].lower() in HEADS | _ORG_ENDINGS:
        return None  # `JNS News`: an organisation sends it
    return re.sub(r"\s+", " ", name)


def _two_names(piece: str) -> list[str]:
    """`Pierre Omidyar, Larry Page` (`;` read as `,`) and `J.E. Safra/Doumanian` are two people;
    `Weingarten, Reid` stays one (`Last, First`)."""
    for sep in (",", "/"):
        parts = piece.split(sep)
        if len(parts) == 2 and all(p.strip() for p in parts):
            if sep == "/" or all(len(p.split()) >= 2 for p in parts):
                return [p.strip() for p in parts]
    return [piece]


def header_people(text: str) -> list[Found]:
    """PERSON spans of the names printed in the page's e-mail headers."""
    lines = text.split("\n")
    offsets = [0]
    for printed in lines[:-1]:
        offsets.append(offsets[-1] + len(printed) + 1)
    found: list[Found] = []
    pieces: list[tuple[int, str]] = []
    blocks = find_blocks(text)
    for block in blocks:
        for label in ("from", "to", "cc", "bcc"):
            value = block.fields.get(label)
            if value:
                pieces += [(block.line, n) for p in split_recipients(value) for n in _two_names(p)]
    skip = {i for b in blocks for i in range(b.line, b.end)}
    pieces += [(w.line, w.who) for w in find_on_wrote(text, skip) if w.who]
    for line, piece in pieces:
        name = _printed_name(piece)
        if name is None:
            continue
        pattern = re.compile(r"\s+".join(re.escape(w) for w in name.split(" ")))
        m = pattern.search(text, offsets[min(line, len(offsets) - 1)])
        if m and not any(f.start < m.end() and m.start() < f.end for f in found):
            found.append(Found(m.start(), m.end(), m.group(), "PERSON", "rule:email-header"))
    return found
