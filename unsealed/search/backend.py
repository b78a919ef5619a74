"""The interface a search engine implements (Tantivy now; PostgreSQL full-text search later).

A backend compiles the query tree itself (`prepare`), so each engine maps the one language onto its
own operators. The service (`service.py`) does everything engine-independent: cursors, grouping,
snippets, facet labels.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple, Protocol

from unsealed.search.tree import Node

# relevance: by score; the rest ascend on an integer key that is unique per page (keyset paging)
EngineOrder = Literal["relevance", "seq", "date", "date-desc"]
FACETS = ("dataset", "type", "year", "sender", "entity")
# what results are grouped by: a page's near-duplicate cluster, the document, the document's cluster
GroupKey = Literal["page_copy", "doc_key", "doc_copy"]


@dataclass(frozen=True)
class EngineHit:
    document_id: str
    page: int
    score: float
    key: int  # the order's key (seq for relevance): what a cursor resumes after
    dataset: str
    filename: str
    bates: str | None
    doc_type: str | None
    date: datetime | None


class Ranked(NamedTuple):
    """A hit before its stored fields are read: enough to order, group and page it (a tuple: a
    window holds up to 100,000 of them)."""

    score: float
    key: int
    group: int  # the value of the group key asked for (0 when none was)
    document: int  # the document's key (pages of one document share it)
    address: object  # the engine's handle to read the stored fields with (`load`) ...
    view: object  # ... in this view of the index (the one the hit was found in)


class SearchBackend(Protocol):
    name: str

    def prepare(self, tree: Node) -> object:
        """Compile the tree; raises QueryError when nothing in it is searchable."""

    def search(
        self, prepared: object, *, limit: int, order: EngineOrder, after: int | None = None
    ) -> tuple[list[EngineHit], int]:
        """Top `limit` pages and the total count. For key orders, only pages with key > `after`."""

    def rank(
        self,
        prepared: object,
        *,
        limit: int,
        order: EngineOrder,
        group: GroupKey | None = None,
        after: int | None = None,
    ) -> tuple[list[Ranked], int]:
        """As `search`, without reading stored fields: top `limit` pages (in the engine's score
        order, or ascending key) with the values of `group`; and the total count."""

    def load(self, ranked: list[Ranked]) -> list[EngineHit]:
        """The stored fields of these hits, in the same order."""

    def count_groups(self, prepared: object, group: GroupKey, cap: int) -> int | None:
        """How many distinct values of `group` the matching pages have; None when more than `cap`."""

    def count_per_document(self, prepared: object, document_ids: list[str]) -> dict[str, int]:
        """Matching pages in each of these documents."""

    def facets(
        self, prepared: object, size: int, groups: tuple[GroupKey, int] | None = None
    ) -> tuple[dict[str, list[tuple[str, int]]], int | None]:
        """Top values with page counts for each name in FACETS; with `groups` (key, cap), also
        `count_groups` of them, in the same pass."""

    def tokens_with_offsets(self, text: str) -> list[tuple[str, int, int]]:
        """The page text as the engine tokenises it: (token, start char, end char)."""

    def find_terms(
        self,
        text: str,
        exact: AbstractSet[str],
        prefixes: tuple[str, ...],
        lengths: tuple[int, int] | None = None,
    ) -> list[tuple[str, int, int]] | None:
        """The tokens of `tokens_with_offsets(text)` equal to a term of `exact`, starting with one
        of `prefixes`, or (fuzzy candidates) `lengths[0]`-`lengths[1]` characters long; None where the
        engine has no quicker way than tokenising the whole text."""
