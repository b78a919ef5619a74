"""Dataclasses of the search area: what is indexed, and what `search()` returns."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Citation:
    dataset: str
    filename: str
    page: int
    bates: str | None

    def __str__(self) -> str:
        """`dataset_9 · EFTA01197902.pdf · page 3 · EFTA01197904`."""
        parts = [self.dataset, self.filename, f"page {self.page}"]
        return " · ".join(parts + ([self.bates] if self.bates else []))


@dataclass(frozen=True)
class Snippet:
    """A fragment of page text with the query's terms located by character offsets."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()
    truncated_start: bool = False
    truncated_end: bool = False

    def html(self, tag: str = "mark") -> str:
        """The fragment with every character escaped and matched terms wrapped in <mark>."""
        out, last = [], 0
        for start, end in self.highlights:
            out.append(html.escape(self.text[last:start]))
            out.append(f"<{tag}>{html.escape(self.text[start:end])}</{tag}>")
            last = end
        out.append(html.escape(self.text[last:]))
        body = "".join(out)
        return ("… " if self.truncated_start else "") + body + (" …" if self.truncated_end else "")


@dataclass(frozen=True)
class Hit:
    """A page that matched: the unit of every result list."""

    document_id: str
    page: int
    score: float
    citation: Citation
    doc_type: str | None
    date: datetime | None
    snippet: Snippet | None = None


@dataclass(frozen=True)
class DocumentGroup:
    """group=document: a document with its best matching pages."""

    document_id: str
    citation: Citation  # of its best page
    matching_pages: int
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    refine: str  # what to add to the query to keep only these pages, e.g. `dataset:"dataset_9"`


@dataclass
class SearchResults:
    query: str
    total: int  # matching pages
    hits: list[Hit]
    groups: list[DocumentGroup] | None = None  # set when group="document"
    facets: dict[str, list[FacetCount]] | None = None
    next_cursor: str | None = None
    warnings: list[str] = field(default_factory=list)
    took_ms: float = 0.0
    # results over all pages: pages, or groups (documents, copies collapsed) when grouped; a lower
    # bound ("more than") when not exact
    result_count: int = 0
    result_count_exact: bool = True
    copies: str = "all"
    window_cut: bool = False  # grouping stopped at the window's cap: paging ends early


@dataclass(frozen=True)
class IndexStatus:
    engine: str
    path: str
    exists: bool
    pages: int  # pages in the index
    documents_indexed: int
    documents_pending: int  # added or changed in the store since they were indexed
    documents_orphaned: int  # deleted from the store, still in the index
    needs_rebuild: str | None = None  # why `unsealed reindex` is needed, when it is

    @property
    def in_step(self) -> bool:
        return (
            self.exists
            and not self.needs_rebuild
            and not self.documents_pending
            and not self.documents_orphaned
        )
