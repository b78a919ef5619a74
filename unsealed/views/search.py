"""Search results as one typed model (`search --json`, `/api/v1/search`, the search page), the
facet filters the page adds to a query, and the CSV export with citations and links.

Facet filters travel as `f` parameters (each a clause like `dataset:"dataset_9"`), apart from the
user's query: values of one facet are OR'ed (multi-select), facets are AND'ed, and each is a chip
the reader can remove.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from markupsafe import Markup
from sqlalchemy import Connection, select

from unsealed.search.model import Citation
from unsealed.search.model import Hit as SearchHit
from unsealed.search.model import SearchResults as EngineResults
from unsealed.search.serialize import csv_cell, hit_to_dict
from unsealed.search.service import Copies, Group, Searcher, Sort
from unsealed.store.archive import Archive
from unsealed.store.schema import documents, emails
from unsealed.views.links import page_url
from unsealed.views.models import Facet, Hit, HitCopy, OtherCopy, ResultGroup, SearchResults
from unsealed.views.search_copies import copies_of
from unsealed.views.textmarks import Span, segments, to_html

FACET_LABELS = {
    "dataset": "Data set",
    "type": "Type",
    "year": "Year",
    "sender": "Sender",
    "entity": "Entities",
}
# The query field each facet's refine clause starts with (`date:2014` is the year facet).
_FACET_FIELDS = {"dataset": "dataset", "type": "type", "date": "year", "from": "sender", "entity": "entity"}
EXPORT_COLUMNS = [
    "citation",
    "url",
    "dataset",
    "filename",
    "page",
    "bates",
    "document_id",
    "doc_type",
    "date",
]


def facet_of(clause: str) -> str:
    """The facet a filter clause belongs to (`dataset:"x"` → dataset)."""
    return _FACET_FIELDS.get(clause.split(":", 1)[0].strip().lower(), clause)


def compose_query(q: str, filters: list[str]) -> str:
    """The user's query AND, per facet, any of its selected values."""
    by_facet: dict[str, list[str]] = {}
    for clause in filters:
        if clause.strip():
            by_facet.setdefault(facet_of(clause), []).append(clause.strip())
    if not by_facet:
        return q.strip()
    parts = [f"({q.strip()})"] if q.strip() else []
    for clauses in by_facet.values():
        parts.append(clauses[0] if len(clauses) == 1 else "(" + " OR ".join(clauses) + ")")
    return " ".join(parts)


def hit_url(hit: SearchHit) -> str:
    return page_url(hit.document_id, hit.page)


def _hit(hit: SearchHit) -> Hit:
    return Hit.model_validate({**hit_to_dict(hit), "url": hit_url(hit)})


def _facets(results: EngineResults, filters: list[str]) -> dict[str, list[Facet]]:
    chosen = set(filters)
    return {
        name: [
            Facet(value=f.value, count=f.count, refine=f.refine, selected=f.refine in chosen) for f in values
        ]
        for name, values in (results.facets or {}).items()
    }


def _titles(archive: Archive, ids: list[str]) -> dict[str, dict[str, str | None]]:
    """Each document's title for a result group: its e-mail subject and sender, else its title."""
    if not ids:
        return {}
    with archive.engine.connect() as conn:
        docs = conn.execute(
            select(
                documents.c.id,
                documents.c.title,
                documents.c.filename,
                documents.c.sha256,
                documents.c.storage_key,
            ).where(documents.c.id.in_(ids))
        ).all()
        mails = conn.execute(
            select(
                emails.c.document_id, emails.c.subject, emails.c.sender_name, emails.c.sender_address
            ).where(emails.c.document_id.in_(ids), emails.c.seq == 0)
        ).all()
    out: dict[str, dict[str, str | None]] = {
        d.id: {"title": d.title or d.filename, "sender": None, "sha256": d.sha256, "key": d.storage_key}
        for d in docs
    }
    for m in mails:
        entry = out.setdefault(m.document_id, {"title": None, "sender": None})
        if m.subject:
            entry["title"] = m.subject
        entry["sender"] = m.sender_name or m.sender_address
    return out


def search_view(
    searcher: Searcher,
    q: str,
    *,
    sort: Sort = "relevance",
    cursor: str | None = None,
    limit: int = 20,
    filters: list[str] | None = None,
    group: Group = "page",
    per_document: int = 3,
    copies: Copies = "collapse",
) -> SearchResults:
    """One page of results for `q` narrowed by facet `filters`; `group="document"` fills `groups`.

    `copies="collapse"`: near-identical pages (or documents, when grouped) are one result over all
    pages (the engine groups them, see search/service.py), listing its copies; "all": every copy."""
    filters = [f for f in (filters or []) if f.strip()]
    query = compose_query(q, filters)
    if not query:
        return SearchResults(query="", total=0, sort=sort, filters=filters, group=group, copies=copies)
    results = searcher.search(
        query,
        sort=sort,
        cursor=cursor,
        limit=limit,
        group=group,
        pages_per_document=per_document,
        copies=copies,
    )
    facets = _facets(results, filters)
    for name in {facet_of(f) for f in filters} & set(facets):
        # a selected facet lists its other values too (counted without its own filter): multi-select
        others = [f for f in filters if facet_of(f) != name]
        wider = (
            searcher.search(compose_query(q, others), limit=1, snippets=False)
            if (q.strip() or others)
            else None
        )
        if wider is not None:
            facets[name] = _facets(wider, filters).get(name, facets[name])
    hits = [_hit(h) for h in results.hits]
    groups = None
    with searcher.archive.engine.connect() as conn:
        if results.groups is not None:
            groups = _groups(searcher.archive, conn, results, copies == "collapse")
        elif copies == "collapse":
            _add_copies(conn, hits)
    return SearchResults(
        query=results.query,
        total=results.total,
        result_count=results.result_count,
        result_count_exact=results.result_count_exact,
        took_ms=round(results.took_ms, 2),
        warnings=results.warnings,
        next_cursor=results.next_cursor,
        sort=sort,
        group=group,
        copies=copies,
        filters=filters,
        hits=hits,
        groups=groups,
        facets=facets,
    )


def _groups(archive: Archive, conn: Connection, results: EngineResults, collapsed: bool) -> list[ResultGroup]:
    """Result groups with their titles; collapsed ones list the document's copies in `also_in`."""
    assert results.groups is not None
    titles = _titles(archive, [g.document_id for g in results.groups])
    found = copies_of(conn, [(g.document_id, 0) for g in results.groups]) if collapsed else {}
    groups = []
    for g in results.groups:
        first = g.hits[0]
        info = titles.get(g.document_id, {})
        same = found.get((g.document_id, 0))
        groups.append(
            ResultGroup(
                document_id=g.document_id,
                title=info.get("title") or first.citation.filename,
                sender=info.get("sender"),
                date=first.date.isoformat() if first.date else None,
                dataset=first.citation.dataset,
                filename=first.citation.filename,
                doc_type=first.doc_type,
                matching_pages=g.matching_pages,
                hits=[_hit(h) for h in g.hits],
                more_hits=max(0, g.matching_pages - len(g.hits)),
                copy_count=same.count if same else 1,
                also_in=[OtherCopy(id=c.document_id, dataset=c.dataset, storage_key=c.storage_key)
                         for c in (same.others if same else [])],
            )
        )  # fmt: skip
    return groups


def _add_copies(conn: Connection, hits: list[Hit]) -> None:
    """Each collapsed hit's copies (the others of its cluster) and the cluster's size."""
    found = copies_of(conn, [(h.document_id, h.page) for h in hits])
    for hit in hits:
        same = found.get((hit.document_id, hit.page))
        if same is None:
            continue
        hit.copy_count = same.count
        hit.copies = [
            HitCopy(
                document_id=c.document_id,
                page=c.page,
                bates=c.bates,
                dataset=c.dataset,
                filename=c.filename,
                citation=str(Citation(c.dataset, c.filename, c.page, c.bates)),
            )
            for c in same.others
        ]


def snippet_html(hit: Hit) -> Markup:
    """A hit's snippet as escaped HTML with its matches in <mark> (built from text + offsets)."""
    if hit.snippet is None:
        return Markup("")
    spans = [Span(a, b, "hit") for a, b in hit.snippet.highlights]
    return to_html(segments(hit.snippet.text, spans))


def export_row(hit: SearchHit, base_url: str = "") -> dict[str, object]:
    """One CSV/JSON-lines export row: the citation, the page's URL, and the fields it is made of."""
    return {**hit_to_dict(hit), "url": base_url.rstrip("/") + hit_url(hit)}


def export_csv(
    searcher: Searcher, q: str, *, sort: Sort, base_url: str = "", filters: list[str] | None = None
) -> Iterator[str]:
    """Every hit of the query as CSV lines (header first), streamed; cells that a spreadsheet would
    read as a formula are prefixed with a quote."""
    export = searcher.export(compose_query(q, filters or []), sort=sort)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, extrasaction="ignore", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for i, hit in enumerate(export, start=1):
        writer.writerow({k: csv_cell(v) for k, v in export_row(hit, base_url).items()})
        if i % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
