"""Bates numbers: find each page's stamp, or infer it from the file name and page order.

A release names each file after its first page's number and stamps every page with the next one
(EFTA01197902.pdf, 6 pages: EFTA01197902 ... EFTA01197907). A page whose stamp is found where it is
expected is `stamped`; a page whose number follows from the others (stamp unreadable) is `inferred`.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from unsealed.domain import BATES_TOKEN, BatesNumber, bates_from_filename, parse_bates

# Lines at the end of a page's text searched for a stamp. A text layer's bottom band is read only
# when these hold none; a page's bottom-band text, where given, is searched first.
TAIL_LINES = 3
# Share of the page height, from the bottom edge, searched for a Bates stamp when the text's last
# lines hold none.
BOTTOM_BAND = 0.12


class PageBates(NamedTuple):  # built for every page: a tuple is the cheapest record
    value: str | None  # canonical (HOUSE_OVERSIGHT_012345, EFTA01197904)
    source: str | None  # stamped | inferred | None (no numbering known)
    controls: tuple[str, ...] = ()  # secondary control numbers printed on the page (EFTA_R1_…)


def _tail(text: str) -> str:
    """The last TAIL_LINES lines of a page's text, found from the end (pages are long, tails short)."""
    end = len(text.rstrip())
    cut = end
    for _ in range(TAIL_LINES):
        cut = text.rfind("\n", 0, cut)
        if cut < 0:
            break
    return text[cut + 1 : end]


def stamp_in_tail(text: str) -> bool:
    """Whether the last lines of a page's text hold a Bates-like number, where a stamp printed last
    on the page usually ends up; only a page without one needs its bottom band read."""
    return BATES_TOKEN.search(_tail(text)) is not None


def _page_candidates(text: str, bottom_text: str) -> list[BatesNumber]:
    """The page's possible Bates numbers: its bottom band's, else its last lines' (control numbers
    such as EFTA_R1_00938289 are never one)."""
    for where in (bottom_text, _tail(text)):
        found = [b for b in parse_bates(where) if not b.is_control]
        if found:
            return found
    return []


def control_numbers(text: str, bottom_text: str) -> tuple[str, ...]:
    """Secondary control numbers printed anywhere on the page, canonical, in order, each once."""
    found = (b for b in parse_bates(f"{text}\n{bottom_text}") if b.is_control)
    return tuple(dict.fromkeys(str(b) for b in found))


def printed_stamps(text: str, bottom_text: str) -> list[str]:
    """The Bates-like numbers printed at the page's foot (its bottom band, else its last lines)."""
    return [str(b) for b in _page_candidates(text, bottom_text)]


def _stamp_anchor(candidates: list[list[BatesNumber]]) -> BatesNumber | None:
    """The first page's number most pages' stamps agree on (each stamp votes for number - index)."""
    votes: Counter[BatesNumber] = Counter()
    for index, page in enumerate(candidates):
        for stamp in set(page):
            votes[stamp.shifted(-index)] += 1
    if not votes:
        return None
    return votes.most_common(1)[0][0]


def _matches(anchor: BatesNumber, candidates: list[list[BatesNumber]]) -> list[bool]:
    """Per page, whether one of its stamps is the anchor's number shifted by the page's index (the
    separator may differ: OCR and typesetting vary it)."""
    prefix, first = anchor.prefix, anchor.number
    key = anchor.key[0]
    return [
        any(c.number == first + i and (c.prefix == prefix or c.key[0] == key) for c in page)
        for i, page in enumerate(candidates)
    ]


def assign_bates(filename: str, pages: list[tuple[str, str]]) -> list[PageBates]:
    """Bates number per page from (text, bottom_text) pairs, consistent with the file name."""
    candidates = [_page_candidates(text, bottom) for text, bottom in pages]
    from_name = bates_from_filename(filename)
    from_stamps = _stamp_anchor(candidates)
    by_name = _matches(from_name, candidates) if from_name else []
    anchor, matched = from_name, by_name
    if from_stamps is not None:
        by_stamps = _matches(from_stamps, candidates)
        stamped_by_stamps = sum(by_stamps)
        # Trust the stamps over the name only when they agree with each other better.
        if stamped_by_stamps > sum(by_name) and (from_name is None or stamped_by_stamps >= 2):
            anchor, matched = from_stamps, by_stamps
    controls = [control_numbers(text, bottom) for text, bottom in pages]
    if anchor is None:
        return [PageBates(None, None, c) for c in controls]
    return [
        PageBates(str(anchor.shifted(i)), "stamped" if ok else "inferred", c)
        for i, (ok, c) in enumerate(zip(matched, controls, strict=True))
    ]
