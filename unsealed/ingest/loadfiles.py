"""Concordance load files: the `.DAT` (document fields) and the Opticon `.OPT` (page images).

DAT: UTF-8 (with a BOM), CRLF lines, each field quoted with `þ` (U+00FE) and separated by `\\x14`; the
first line names the fields. A quoted field may hold a line break. OPT: one line per page image,
`Bates,Volume,ImagePath,DocBreak,Box,Folder,PageCount`, `Y` in DocBreak where a document starts.
Parsing never raises: a line it cannot read becomes a problem `(line number, reason)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

QUOTE = "\u00fe"
SEPARATOR = "\x14"
LOAD_SUFFIXES = {".dat": "dat", ".opt": "opt", ".lfp": "opt"}
_RECORD_START = re.compile(f"^{QUOTE}[^{QUOTE}]*{QUOTE}(?:{SEPARATOR}|$)")

# Field names as releases spell them, reduced to letters: which one holds what.
BEGIN_NAMES = {"begbates", "beginbates", "begdoc", "prodbeg", "batesbegin", "begno", "bates"}
END_NAMES = {"endbates", "enddoc", "prodend", "batesend", "endno"}
BEGIN_ATTACH_NAMES = {"begattach", "beginattach", "attachbeg", "begfamily", "prodbegattach"}
END_ATTACH_NAMES = {"endattach", "attachend", "endfamily", "prodendattach"}


def load_kind(filename: str) -> str | None:
    """'dat' or 'opt' for a load file's name (any case), else None."""
    dot = filename.rfind(".")
    return LOAD_SUFFIXES.get(filename[dot:].lower()) if dot >= 0 else None


def field_key(name: str) -> str:
    """A field name reduced to lower-case letters and digits: `Begin Bates` -> `beginbates`."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


@dataclass
class DatFile:
    names: list[str] = field(default_factory=list)
    records: list[dict[str, str]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)

    def value(self, record: dict[str, str], keys: set[str]) -> str | None:
        for name in self.names:
            if field_key(name) in keys and record.get(name):
                return record[name]
        return None


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Physical lines joined where a quoted field holds a line break: (first line number, text)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[tuple[int, str]] = []
    number, current, open_quote = 0, "", False
    for index, line in enumerate(lines, start=1):
        if open_quote and not _RECORD_START.match(line):
            current += "\n" + line
        else:
            if current or open_quote:
                out.append((number, current))
            number, current = index, line
        open_quote = current.count(QUOTE) % 2 == 1
    if current:
        out.append((number, current))
    return out


def _fields(line: str) -> list[str] | None:
    values = []
    for raw in line.split(SEPARATOR):
        raw = raw.strip(" ")
        if len(raw) < 2 or raw[0] != QUOTE or raw[-1] != QUOTE or QUOTE in raw[1:-1]:
            return None
        values.append(raw[1:-1])
    return values


def parse_dat(data: bytes) -> DatFile:
    dat = DatFile()
    lines = [(n, line) for n, line in _logical_lines(_decode(data)) if line.strip()]
    if not lines:
        dat.problems.append((1, "empty DAT file"))
        return dat
    header = _fields(lines[0][1])
    if header is None:
        dat.problems.append((lines[0][0], "the header line is not þ-quoted fields separated by \\x14"))
        return dat
    dat.names = header
    for number, line in lines[1:]:
        values = _fields(line)
        if values is None:
            dat.problems.append((number, "malformed line: fields are not þ-quoted and \\x14-separated"))
        elif len(values) != len(header):
            dat.problems.append(
                (number, f"malformed line: {len(values)} fields, the header has {len(header)}")
            )
        else:
            dat.records.append(dict(zip(header, values, strict=True)))
    return dat


class OptLine(NamedTuple):  # a tuple: one per page of a release, built fast
    line: int
    bates: str
    volume: str
    image: str  # the image path as written (backslashes and all)
    document_break: bool
    page_count: int | None


def parse_opt(data: bytes) -> tuple[list[OptLine], list[tuple[int, str]]]:
    pages: list[OptLine] = []
    problems: list[tuple[int, str]] = []
    for number, raw in enumerate(_decode(data).replace("\r\n", "\n").split("\n"), start=1):
        if not raw.strip():
            continue
        parts = raw.split(",")  # each field stripped where it is used (a page per line: kept cheap)
        bates, image = parts[0].strip(), parts[2].strip() if len(parts) > 2 else ""
        if len(parts) < 4 or not bates or not image:
            problems.append((number, "malformed OPT line: expected Bates,Volume,ImagePath,Break,..."))
            continue
        count = parts[6].strip() if len(parts) > 6 else ""
        pages.append(  # line, bates, volume, image, document_break, page_count (positional: faster)
            OptLine(
                number,
                bates,
                parts[1].strip(),
                image,
                parts[3].strip().upper() == "Y" or not pages,
                int(count) if count.isdigit() else None,
            )
        )
    return pages, problems


def opt_documents(pages: list[OptLine]) -> list[list[OptLine]]:
    """The OPT's pages grouped into documents at each `Y` break."""
    documents: list[list[OptLine]] = []
    for page in pages:
        if page.document_break or not documents:
            documents.append([])
        documents[-1].append(page)
    return documents
