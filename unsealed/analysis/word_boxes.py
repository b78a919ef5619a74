"""Where each OCR'd word sits on its page, stored compactly beside the page's text.

One blob per page (`pages.word_boxes`): per word 14 bytes, little-endian — the word's start offset
in the page's text (uint32), its length in characters (uint16), and its box x0, y0, x1, y1 in tenths
of a page point, origin at the top left (uint16 each; 6,553 pt is far beyond any page). A 300-word
page takes ~4 KB, against the ~40 bytes per word its text and a JSON list of boxes would take.
The document viewer boxes a search hit by the words its character span overlaps.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points, top-left origin
_WORD = struct.Struct("<IH4H")
_MAX = 0xFFFF


def _tenths(value: float) -> int:
    return min(_MAX, max(0, round(value * 10)))


def encode(words: Iterable[tuple[int, int, Box]]) -> bytes | None:
    """(start, end, box in points) per word → the blob; None when there are no words."""
    out = bytearray()
    for start, end, (x0, y0, x1, y1) in words:
        if end <= start or start < 0:
            continue
        out += _WORD.pack(start, min(end - start, _MAX), _tenths(x0), _tenths(y0), _tenths(x1), _tenths(y1))
    return bytes(out) or None


def decode(blob: bytes | None) -> Iterator[tuple[int, int, Box]]:
    """The blob's words as (start, end, box in points)."""
    if not blob:
        return
    usable = len(blob) - len(blob) % _WORD.size
    for start, length, x0, y0, x1, y1 in _WORD.iter_unpack(memoryview(blob)[:usable]):
        yield start, start + length, (x0 / 10, y0 / 10, x1 / 10, y1 / 10)


def boxes_over(blob: bytes | None, spans: Iterable[tuple[int, int]], limit: int = 500) -> list[list[float]]:
    """Boxes [x0, y0, x1, y1] of the words any of the character spans overlaps, in reading order."""
    wanted = sorted((a, b) for a, b in spans if b > a)
    if not wanted:
        return []
    out: list[list[float]] = []
    for start, end, box in decode(blob):
        if any(a < end and start < b for a, b in wanted):
            out.append(list(box))
            if len(out) >= limit:
                break
    return out
