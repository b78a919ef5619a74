"""A raw mention found on one page, before resolution."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Found:
    """A span of one page's text: `text == page_text[start:end]`; `value` is a normalised value
    (E.164 for phones) when the extractor made one."""

    start: int
    end: int
    text: str
    type: str
    extractor: str
    value: str | None = None

    def overlaps(self, other: Found) -> bool:
        return self.start < other.end and other.start < self.end
