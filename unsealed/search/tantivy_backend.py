"""Search with Tantivy: the embedded engine (an index folder beside the archive's SQLite file)."""

from __future__ import annotations

import functools
import hashlib
import operator
import re
import threading
from collections import OrderedDict
from collections.abc import Set as AbstractSet

import tantivy
from tantivy import Occur, Query

from unsealed.search.backend import EngineHit, EngineOrder, GroupKey, Ranked
from unsealed.search.tantivy_compile import Compiler
from unsealed.search.tantivy_index import LONG_TOKEN_BYTES, TantivyIndex, document_key
from unsealed.search.tree import Node

_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
_TOKEN_FIELDS = operator.attrgetter("text", "char_offset_from", "char_offset_to")
_ORDER_FIELD = {"seq": "seq", "date": "date_asc", "date-desc": "date_desc"}
_FACET_FIELDS = {
    "dataset": ("dataset", 25),
    "type": ("doc_type", 25),
    "year": ("year", 60),
    "sender": ("sender_facet", None),
    "entity": ("entity_facet", None),
}


_GROUPS = "__groups"
# A group count is first estimated (HyperLogLog, about 1 % off at these sizes); only an estimate
# below this many times the cap is counted exactly. Returning the cap + 1 buckets of an exact count
# is most of a broad query's aggregation cost (9 of 12.6 ms for 55,000 pages in ~46,000 documents;
# the estimate: 1.5 ms).
ESTIMATE_MARGIN = 1.5


def _group_terms(group: GroupKey, cap: int) -> dict[str, object]:
    """A terms aggregation that counts each value's pages in the engine; only `cap` + 1 buckets
    come back (more than `cap`: the count is a lower bound). Below that it is exact: no segment
    has more values than it keeps."""
    return {"terms": {"field": group, "size": cap + 1, "segment_size": cap + 1}}


def _group_estimate(group: GroupKey) -> dict[str, object]:
    return {"cardinality": {"field": group}}


def _group_count(result: dict, cap: int) -> int | None:
    buckets = result.get(_GROUPS, {}).get("buckets", [])
    return len(buckets) if len(buckets) <= cap else None


def _surely_above(result: dict, cap: int) -> bool:
    """Whether the estimated group count leaves no doubt that there are more than `cap` groups."""
    estimate = result.get(_GROUPS, {}).get("value")
    return estimate is not None and float(estimate) > cap * ESTIMATE_MARGIN


def _label(key: object) -> str:
    """Bucket keys of numeric fields may arrive as floats (2014.0)."""
    return str(int(key)) if isinstance(key, float) and key.is_integer() else str(key)


def _count(result: tantivy.SearchResult, default: int) -> int:
    """SearchResult.count (asked for with count=True; missing from tantivy's type stubs)."""
    count = getattr(result, "count", None)
    return int(count) if count is not None else default


AGGREGATES_KEPT = 256  # facet counts of this many (query, reader state) kept per backend
Aggregates = tuple[dict[str, list[tuple[str, int]]], int | None]


class TantivyBackend:
    """Searches one opened index. Its reader moves to a new commit only in `refresh` (the searcher
    calls it before each search), so that facet counts can be kept per query for one state of the
    reader and never served for another: a results page's next pages, or the same query again,
    skip the aggregation pass (2.5-4.5 ms for a query matching 55,000 pages)."""

    name = "tantivy"

    def __init__(self, index: TantivyIndex) -> None:
        self.index = index
        self.compiler = Compiler(index)
        self._commit = self._commit_seen()  # before the reader is made: a commit between is reloaded
        index.index.config_reader(reload_policy="Manual")
        self._state = 0  # how many times the reader moved
        self._aggregates: OrderedDict[tuple[object, ...], Aggregates] = OrderedDict()
        self._lock = threading.Lock()

    def _commit_seen(self) -> bytes | None:
        """Tantivy's meta.json as it is now: each commit rewrites it (a new opstamp at least)."""
        try:
            return (self.index.path / "meta.json").read_bytes()
        except OSError:
            return None

    def refresh(self) -> None:
        """Move the reader to the latest commit, if there is a newer one than it reads."""
        seen = self._commit_seen()
        if seen == self._commit:
            return
        self.index.index.reload()
        with self._lock:
            self._commit = seen
            self._state += 1  # after the reload: counts kept under the new state are of the new reader
            self._aggregates.clear()

    def prepare(self, tree: Node) -> Query:
        return self.compiler.compile(tree)

    def search(
        self, prepared: object, *, limit: int, order: EngineOrder, after: int | None = None
    ) -> tuple[list[EngineHit], int]:
        ranked, total = self.rank(prepared, limit=limit, order=order, after=after)
        # with `after`, the count is of the pages after it; the service keeps the first page's total
        return self.load(ranked), total

    def rank(
        self,
        prepared: object,
        *,
        limit: int,
        order: EngineOrder,
        group: GroupKey | None = None,
        after: int | None = None,
    ) -> tuple[list[Ranked], int]:
        assert isinstance(prepared, Query)
        searcher = self.index.index.searcher()
        if order == "relevance":
            result = searcher.search(prepared, limit=limit, count=True)
            key_field = "seq"
        else:
            key_field = _ORDER_FIELD[order]
            query = prepared
            if after is not None:
                after_q = Query.range_query(
                    self.index.schema, key_field, tantivy.FieldType.Unsigned, after, None, include_lower=False
                )
                query = Query.boolean_query([(Occur.Must, prepared), (Occur.Must, after_q)])
            result = searcher.search(
                query, limit=limit, count=True, order_by_field=key_field, order=tantivy.Order.Asc
            )
        hits = result.hits
        total = _count(result, len(hits))
        if not hits:
            return [], total
        addresses = [address for _, address in hits]
        keys = searcher.fast_field_values(key_field, addresses)
        docs = searcher.fast_field_values("doc_key", addresses)
        groups = searcher.fast_field_values(group, addresses) if group else [0] * len(hits)
        scored = order == "relevance"
        return [
            Ranked(float(score) if scored else 0.0, int(k or 0), int(g or 0), int(d or 0), address, searcher)
            for (score, address), k, g, d in zip(hits, keys, groups, docs, strict=True)
        ], total

    def load(self, ranked: list[Ranked]) -> list[EngineHit]:
        out = []
        for r in ranked:
            assert isinstance(r.view, tantivy.Searcher)
            doc = r.view.doc(r.address)  # type: ignore[arg-type]
            out.append(
                EngineHit(
                    document_id=str(doc.get_first("document_id")),
                    page=int(doc.get_first("page") or 0),
                    score=r.score,
                    key=r.key,
                    dataset=str(doc.get_first("dataset")),
                    filename=str(doc.get_first("filename")),
                    bates=doc.get_first("bates"),
                    doc_type=doc.get_first("doc_type"),
                    date=doc.get_first("date"),
                )
            )
        return out

    def count_groups(self, prepared: object, group: GroupKey, cap: int) -> int | None:
        assert isinstance(prepared, Query)
        searcher = self.index.index.searcher()
        if _surely_above(searcher.aggregate(prepared, {_GROUPS: _group_estimate(group)}), cap):
            return None
        return _group_count(searcher.aggregate(prepared, {_GROUPS: _group_terms(group, cap)}), cap)

    def count_per_document(self, prepared: object, document_ids: list[str]) -> dict[str, int]:
        assert isinstance(prepared, Query)
        if not document_ids:
            return {}
        # one pass: the query within these documents, pages counted per document key
        within = Query.term_set_query(self.index.schema, "document_id", document_ids)
        both = Query.boolean_query([(Occur.Must, within), (Occur.Must, prepared)])
        spec = {"d": {"terms": {"field": "doc_key", "size": len(document_ids)}}}
        buckets = self.index.index.searcher().aggregate(both, spec).get("d", {}).get("buckets", [])
        counts = {int(b["key"]): int(b["doc_count"]) for b in buckets}
        return {d: counts.get(document_key(d), 0) for d in document_ids}

    def facets(
        self, prepared: object, size: int, groups: tuple[GroupKey, int] | None = None
    ) -> tuple[dict[str, list[tuple[str, int]]], int | None]:
        assert isinstance(prepared, Query)
        # the query's whole tree (its Debug form) names it; the state, the reader it was counted on
        key = (self._state, hashlib.sha1(repr(prepared).encode()).digest(), size, groups)
        with self._lock:
            kept = self._aggregates.get(key)
            if kept is not None:
                self._aggregates.move_to_end(key)
        if kept is None:
            kept = self._facets(prepared, size, groups)
            with self._lock:
                self._aggregates[key] = kept
                while len(self._aggregates) > AGGREGATES_KEPT:
                    self._aggregates.popitem(last=False)
        facets, count = kept
        return {name: list(values) for name, values in facets.items()}, count

    def _facets(self, prepared: Query, size: int, groups: tuple[GroupKey, int] | None) -> Aggregates:
        spec: dict[str, object] = {
            name: {"terms": {"field": field, "size": fixed or size}}
            for name, (field, fixed) in _FACET_FIELDS.items()
        }
        if groups is not None:  # estimated in the same pass over the matching pages
            spec[_GROUPS] = _group_estimate(groups[0])
        searcher = self.index.index.searcher()
        result = searcher.aggregate(prepared, spec)
        facets = {
            name: [(_label(b["key"]), int(b["doc_count"])) for b in result.get(name, {}).get("buckets", [])]
            for name in _FACET_FIELDS
        }
        if groups is None or _surely_above(result, groups[1]):
            return facets, None
        exact = searcher.aggregate(prepared, {_GROUPS: _group_terms(*groups)})
        return facets, _group_count(exact, groups[1])

    def tokens_with_offsets(self, text: str) -> list[tuple[str, int, int]]:
        if text.isascii():
            # what the analyzer makes of ASCII text (runs of letters and digits, shorter than
            # LONG_TOKEN_BYTES, lowercased; folding changes nothing), without the Python object per
            # token that Tantivy's pre_tokenize returns (most of a snippet's cost)
            return [
                (m[0].lower(), m.start(), m.end())
                for m in _ASCII_WORD.finditer(text)
                if m.end() - m.start() < LONG_TOKEN_BYTES
            ]
        return list(map(_TOKEN_FIELDS, self.index.analyzer.pre_tokenize(text).tokens))

    def find_terms(
        self,
        text: str,
        exact: AbstractSet[str],
        prefixes: tuple[str, ...],
        lengths: tuple[int, int] | None = None,
    ) -> list[tuple[str, int, int]] | None:
        if not text.isascii():
            return None
        pattern = _terms_pattern(frozenset(exact), prefixes, lengths)
        if pattern is None:
            return []
        # in ASCII text a token is a run of letters and digits, lowercased: a term is found where
        # a whole run equals it (or starts with a prefix, or has a length in the window), ignoring case
        return [
            (m[0], m.start(), m.end())
            for m in pattern.finditer(text.lower())
            if m.end() - m.start() < LONG_TOKEN_BYTES
        ]


@functools.lru_cache(maxsize=256)
def _terms_pattern(
    exact: frozenset[str], prefixes: tuple[str, ...], lengths: tuple[int, int] | None = None
) -> re.Pattern[str] | None:
    """A regex for lowercased ASCII text that matches whole tokens equal to or starting with a term,
    or as long as `lengths` allows; terms that are not ASCII can never match there."""
    choices = sorted(re.escape(term) for term in exact if term.isascii())
    choices += sorted(re.escape(prefix) + "[a-z0-9]*" for prefix in prefixes if prefix.isascii())
    if lengths is not None and max(1, lengths[0]) <= lengths[1]:
        choices.append(f"[a-z0-9]{{{max(1, lengths[0])},{lengths[1]}}}")
    if not choices:
        return None
    return re.compile("(?<![a-z0-9])(?:" + "|".join(choices) + ")(?![a-z0-9])")
