"""`search()`: the one entry point the CLI, the web archive and the API call.

Page-level hits with citations and snippets, optional grouping by document, facets, relevance or
date order, cursor paging without a cap, and `export()` of every hit. See docs/search.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from sqlalchemy import bindparam, select

from unsealed.search import cursor as cursors
from unsealed.search import lookups
from unsealed.search.backend import EngineHit, EngineOrder, GroupKey, Ranked, SearchBackend
from unsealed.search.errors import QueryError
from unsealed.search.indexer import open_index
from unsealed.search.model import Citation, DocumentGroup, FacetCount, Hit, SearchResults, Snippet
from unsealed.search.query import parse
from unsealed.search.snippets import TermMatcher, make_snippet
from unsealed.search.tantivy_backend import TantivyBackend
from unsealed.search.tantivy_index import read_meta
from unsealed.search.tree import ParsedQuery, positive_terms, scores_text
from unsealed.store.archive import Archive
from unsealed.store.schema import pages

Sort = Literal["relevance", "date", "date-desc"]
Group = Literal["page", "document"]
Copies = Literal["collapse", "all"]
SORTS = ("relevance", "date", "date-desc")
GROUPS = ("page", "document")
COPIES = ("collapse", "all")
MAX_LIMIT = 1000
TIE_SLACK = 50  # extra hits fetched so equal scores at a page boundary keep their order
MAX_GROUP_WINDOW = 100_000  # pages looked at to form groups (documents, copies)
GROUP_COUNT_CAP = 10_000  # groups counted exactly; past it, "more than 10,000"
EXPORT_RELEVANCE_MAX = 100_000  # above this, an export is in date order


@dataclass
class Export:
    """All hits of a query, streamed; `order` may differ from the one asked (see `warnings`)."""

    total: int
    order: EngineOrder
    warnings: list[str] = field(default_factory=list)
    hits: Iterator[Hit] = field(default_factory=lambda: iter(()))

    def __iter__(self) -> Iterator[Hit]:
        return self.hits


class Searcher:
    """Holds an opened index; reuse one per process (it reopens the index after a rebuild)."""

    def __init__(self, archive: Archive, backend: SearchBackend | None = None) -> None:
        self.archive = archive
        self._fixed_backend = backend
        self._backend: TantivyBackend | None = None

    def backend(self) -> SearchBackend:
        if self._fixed_backend is not None:
            return self._fixed_backend
        meta = read_meta(self.archive.root / "index")
        generation = int(meta.get("generation", 0)) if meta else None
        if self._backend is None or self._backend.index.generation != generation:
            self._backend = TantivyBackend(open_index(self.archive))
        else:
            self._backend.refresh()  # the latest commit (an incremental sync, a curator decision)
        return self._backend

    def _plan(self, query: str, sort: Sort) -> tuple[ParsedQuery, SearchBackend, object, EngineOrder]:
        """Check the sort, parse the query once and compile it for the engine."""
        if sort not in SORTS:
            raise QueryError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
        with self.archive.engine.connect() as conn:
            parsed = parse(query, lookups.load_field_keys(conn))
            if lookups.has_lookups(parsed.tree):
                parsed = replace(parsed, tree=lookups.resolve(conn, parsed.tree))
        backend = self.backend()
        return parsed, backend, backend.prepare(parsed.tree), _engine_order(parsed, sort)

    # -- search ---------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        sort: Sort = "relevance",
        group: Group = "page",
        cursor: str | None = None,
        facets: bool = True,
        facet_size: int = 10,
        snippets: bool = True,
        pages_per_document: int = 3,
        copies: Copies = "all",
    ) -> SearchResults:
        """One page of results. `copies="collapse"`: near-identical pages (group="page") or
        documents (group="document") are one result, at the rank of their best hit, over all pages."""
        started = time.perf_counter()
        if not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        if group not in GROUPS:
            raise QueryError(f"group must be one of {', '.join(GROUPS)}, got {group!r}")
        if copies not in COPIES:
            raise QueryError(f"copies must be one of {', '.join(COPIES)}, got {copies!r}")
        parsed, backend, prepared, order = self._plan(query, sort)
        fp = cursors.fingerprint(parsed.text, sort, group, copies)
        after = cursors.decode(cursor, fp) if cursor else None
        warnings = list(parsed.warnings)
        if sort == "relevance" and order != "relevance":
            warnings.append("no words to rank by: sorted by date")
        key = group_key(group, copies)
        counted = True  # whether result_count is known (else the engine counts the groups below)
        if key is None:
            results = self._pages(backend, prepared, order, limit, after, fp)
        else:
            per_group = pages_per_document if group == "document" else 1
            results, counted = self._grouped(backend, prepared, order, limit, after, fp, key, per_group)
            if results.window_cut:
                warnings.append(
                    f"only the best {MAX_GROUP_WINDOW:,} matching pages are grouped: narrow the query "
                    "to page further"
                )
        results.query, results.warnings, results.copies = parsed.text, warnings, copies
        if snippets:
            self._add_snippets(backend, parsed, results)
        _aggregate(backend, prepared, results, facet_size if facets else None, None if counted else key)
        results.took_ms = (time.perf_counter() - started) * 1000
        return results

    def _pages(
        self,
        backend: SearchBackend,
        prepared: object,
        order: EngineOrder,
        limit: int,
        after: cursors.Cursor | None,
        fp: str,
    ) -> SearchResults:
        if order == "relevance":
            window = (after.returned if after else 0) + limit + 1 + TIE_SLACK
            while True:
                # keys only: with long runs of equal scores (a prefix scores every page 1.0) the
                # window can hold every hit, and only the shown ones need their stored fields
                found, total = backend.rank(prepared, limit=window, order=order)
                ranked = sorted(found, key=lambda h: (-h.score, h.key))
                if after:
                    ranked = [h for h in ranked if (-h.score, h.key) > (-after.score, after.key)]
                # The engine cuts its top `window` anywhere inside a run of equal scores, so the
                # window is only known to hold every hit up to the page's last score when something
                # scoring lower was cut off too (or nothing was cut off at all).
                if len(found) < window or (
                    len(ranked) >= limit and found[-1].score < ranked[limit - 1].score
                ):
                    break
                # one run of equal scores so far (a constant-scored query): it takes every hit
                window = total + 1 if found[0].score == found[-1].score else window * 2
            more = len(ranked) > limit or len(found) == window
        else:
            found, total = backend.rank(
                prepared, limit=limit + 1, order=order, after=after.key if after else None
            )
            ranked, more = found, len(found) > limit
        shown = ranked[:limit]
        returned = (after.returned if after else 0) + len(shown)
        total = after.total if after else total
        next_cursor = None
        if more and shown:
            last = shown[-1]
            next_cursor = cursors.encode(cursors.Cursor(fp, returned, total, last.score, last.key))
        hits = [_hit(h) for h in backend.load(shown)]
        return SearchResults(query="", total=total, hits=hits, next_cursor=next_cursor, result_count=total)

    def _grouped(
        self,
        backend: SearchBackend,
        prepared: object,
        order: EngineOrder,
        limit: int,
        after: cursors.Cursor | None,
        fp: str,
        key: GroupKey,
        per_group: int,
    ) -> tuple[SearchResults, bool]:
        """Groups (documents, copies) in the order of their best page, each once over all pages;
        and whether the window held every matching page (then `result_count` is the groups in it).

        The ranking is read from the top each time, keys only, until it holds the groups up to this
        page and one more; a group's place is its best hit's, whatever page a cursor starts on, so
        paging counts whole groups and any page can be named by how many groups precede it.
        """
        skip = after.returned if after else 0
        want = skip + limit + 1
        window = max(200, want * per_group * 2)
        while True:
            ranked, total = backend.rank(prepared, limit=window, order=order, group=key)
            if order == "relevance":
                ranked.sort(key=lambda h: (-h.score, h.key))
            groups: dict[int, list[Ranked]] = {}
            for h in ranked:
                groups.setdefault(h.group, []).append(h)
            complete = len(ranked) < window
            if complete or window >= MAX_GROUP_WINDOW:
                break
            # equal scores cut mid-run can hide a group, unless the cut lies below the `want`-th one
            if len(groups) >= want and (
                order != "relevance" or ranked[-1].score < groups[list(groups)[want - 1]][0].score
            ):
                break
            tied = order == "relevance" and ranked[0].score == ranked[-1].score  # constant-scored
            window = min(total + 1 if tied else window * 4, MAX_GROUP_WINDOW)
        chosen = [groups[g] for g in list(groups)[skip : skip + limit]]
        shown = [_shown(members, per_group, key) for members in chosen]
        loaded = iter(backend.load([h for hits in shown for h in hits]))
        hit_lists = [[_hit(next(loaded)) for _ in hits] for hits in shown]
        results = SearchResults(
            query="",
            total=total,
            hits=[h for hits in hit_lists for h in hits],
            result_count=len(groups),
            window_cut=not complete and len(groups) < want,
        )
        if key != "page_copy":
            doc_ids = [hits[0].document_id for hits in hit_lists]
            counts = backend.count_per_document(prepared, doc_ids)
            results.groups = [
                DocumentGroup(h[0].document_id, h[0].citation, counts.get(h[0].document_id, len(h)), tuple(h))
                for h in hit_lists
            ]
        more = len(groups) > skip + limit
        if more:
            results.next_cursor = cursors.encode(cursors.Cursor(fp, skip + len(chosen), total))
        return results, complete

    def _add_snippets(self, backend: SearchBackend, parsed: ParsedQuery, results: SearchResults) -> None:
        if not results.hits:
            return
        texts = page_texts(self.archive, [(h.document_id, h.page) for h in results.hits])
        matcher = _matcher(backend, parsed)
        with_snippets = {
            (h.document_id, h.page): make_snippet(
                texts.get((h.document_id, h.page), ""),
                matcher,
                backend.tokens_with_offsets,
                find_terms=backend.find_terms,
            )
            for h in results.hits
        }
        results.hits = [_with_snippet(h, with_snippets[(h.document_id, h.page)]) for h in results.hits]
        if results.groups is not None:
            results.groups = [
                DocumentGroup(
                    g.document_id,
                    g.citation,
                    g.matching_pages,
                    tuple(_with_snippet(h, with_snippets[(h.document_id, h.page)]) for h in g.hits),
                )
                for g in results.groups
            ]

    # -- export ---------------------------------------------------------------------------------

    def highlighter(self, query: str) -> Callable[[str], list[tuple[int, int]]]:
        """A function giving the character spans of `text` that the query's positive terms match,
        the way snippets mark them (`a -b` marks only a; `word~` marks fuzzy matches)."""
        parsed = parse(query)
        if not positive_terms(parsed.tree):
            return lambda text: []
        backend = self.backend()
        matcher = _matcher(backend, parsed)

        def spans(text: str) -> list[tuple[int, int]]:
            if not matcher or not text:
                return []
            found = matcher.find(text, backend.tokens_with_offsets, backend.find_terms)
            return sorted((a, b) for _, a, b in found)

        return spans

    def export(self, query: str, *, sort: Sort = "date", chunk: int = 1000) -> Export:
        """Every hit of the query (no cap), streamed in chunks; no snippets, no facets."""
        parsed, backend, prepared, order = self._plan(query, sort)
        _, total = backend.search(prepared, limit=1, order=order)
        warnings = list(parsed.warnings)
        if order == "relevance" and total > EXPORT_RELEVANCE_MAX:
            warnings.append(
                f"{total:,} hits are exported in date order (relevance order up to {EXPORT_RELEVANCE_MAX:,})"
            )
            order = "date"
        return Export(total, order, warnings, _stream(backend, prepared, order, total, chunk))


def _stream(
    backend: SearchBackend, prepared: object, order: EngineOrder, total: int, chunk: int
) -> Iterator[Hit]:
    if order == "relevance":
        found, _ = backend.search(prepared, limit=max(total, 1), order=order)
        yield from (_hit(h) for h in sorted(found, key=lambda h: (-h.score, h.key)))
        return
    after = None
    while True:
        found, _ = backend.search(prepared, limit=chunk, order=order, after=after)
        yield from (_hit(h) for h in found)
        if len(found) < chunk:
            return
        after = found[-1].key


def group_page_cursor(query: str, sort: Sort, group: Group, copies: Copies, skip: int) -> str | None:
    """The cursor of the page of groups that starts after `skip` groups (None: the first page):
    grouped and collapsed paging counts whole groups, so any page can be named."""
    if skip <= 0:
        return None
    fp = cursors.fingerprint(parse(query).text, sort, group, copies)
    return cursors.encode(cursors.Cursor(fp, skip, 0))


def _matcher(backend: SearchBackend, parsed: ParsedQuery) -> TermMatcher:
    """What snippets and highlights mark: the positive text leaves, in the backend's tokens."""
    index = getattr(backend, "index", None)
    tokenize = (
        index.tokens if index is not None else (lambda t: [x for x, _, _ in backend.tokens_with_offsets(t)])
    )
    leaves = [t for t in positive_terms(parsed.tree) if getattr(t, "field", "text") in ("text", "entities")]
    return TermMatcher(leaves, tokenize)


def _aggregate(
    backend: SearchBackend,
    prepared: object,
    results: SearchResults,
    facet_size: int | None,
    count: GroupKey | None,
) -> None:
    """Facets (with `facet_size`) and the count of `count` groups, in one pass when both."""
    found: int | None = None
    if facet_size is not None:
        raw, found = backend.facets(prepared, facet_size, (count, GROUP_COUNT_CAP) if count else None)
        results.facets = facet_counts(raw)
    elif count is not None:
        found = backend.count_groups(prepared, count, GROUP_COUNT_CAP)
    if count is not None:
        results.result_count = found if found is not None else GROUP_COUNT_CAP
        results.result_count_exact = found is not None


def group_key(group: Group, copies: Copies) -> GroupKey | None:
    """The index key results are grouped by; None: every page is a result of its own."""
    if group == "document":
        return "doc_copy" if copies == "collapse" else "doc_key"
    return "page_copy" if copies == "collapse" else None


def _shown(members: list[Ranked], per_group: int, key: GroupKey) -> list[Ranked]:
    """The hits a group shows: its best, and for documents the best pages of its first document
    (a collapsed group's other documents are its copies)."""
    if key == "page_copy":
        return members[:1]
    first = members[0].document
    return [h for h in members if h.document == first][:per_group]


def _engine_order(parsed: ParsedQuery, sort: Sort) -> EngineOrder:
    if sort == "relevance":
        return "relevance" if scores_text(parsed.tree) else "date"
    return sort


def _hit(h: EngineHit) -> Hit:
    return Hit(
        document_id=h.document_id,
        page=h.page,
        score=h.score,
        citation=Citation(h.dataset, h.filename, h.page, h.bates),
        doc_type=h.doc_type,
        date=h.date,
    )


def _with_snippet(hit: Hit, snippet: Snippet) -> Hit:
    return Hit(hit.document_id, hit.page, hit.score, hit.citation, hit.doc_type, hit.date, snippet)


_PAGE_TEXTS = select(pages.c.document_id, pages.c.number, pages.c.text).where(
    pages.c.document_id.in_(bindparam("ids", expanding=True)),
    pages.c.number.in_(bindparam("numbers", expanding=True)),
)


def page_texts(archive: Archive, keys: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """Page texts by (document id, page number), through the pages primary key in one statement."""
    if not keys:
        return {}
    wanted = set(keys)
    params = {"ids": sorted({d for d, _ in keys}), "numbers": sorted({n for _, n in keys})}
    with archive.engine.connect() as conn:
        rows = conn.execute(_PAGE_TEXTS, params)
        return {(r.document_id, r.number): r.text for r in rows if (r.document_id, r.number) in wanted}


def _quoted(value: str) -> str:
    return '"' + value.replace('"', " ") + '"'


_REFINE = {
    "dataset": lambda v: f"dataset:{_quoted(v)}",
    "type": lambda v: f"type:{v}",
    "year": lambda v: f"date:{v}",
    "sender": lambda v: f"from:{_quoted(v)}",
    "entity": lambda v: f"entity:{_quoted(v)}",
}


def facet_counts(raw: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetCount]]:
    out = {name: [FacetCount(v, c, _REFINE[name](v)) for v, c in values] for name, values in raw.items()}
    out["year"] = sorted(out.get("year", []), key=lambda f: f.value)
    return out


def search(archive: Archive, query: str, **options: object) -> SearchResults:
    """One search over the archive's index; options as `Searcher.search`."""
    return Searcher(archive).search(query, **options)  # type: ignore[arg-type]


def export(archive: Archive, query: str, *, sort: Sort = "date") -> Export:
    return Searcher(archive).export(query, sort=sort)
