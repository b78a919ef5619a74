"""The search page's data (a call to the search service) and the CSV export of every hit."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from markupsafe import Markup
from sqlalchemy import Connection, func, select

from unsealed.search.serialize import EXPORT_COLUMNS, hit_to_dict, results_to_dict
from unsealed.search.service import Searcher, Sort
from unsealed.store.schema import near_duplicates
from unsealed.views.textmarks import Span, segments, to_html

EMPTY_RESULTS: dict[str, Any] = {
    "query": "",
    "total": 0,
    "hits": [],
    "facets": {},
    "warnings": [],
    "next_cursor": None,
    "sort": "relevance",
    "first_page": True,
}
FACET_LABELS = {
    "dataset": "Data set",
    "type": "Type",
    "year": "Year",
    "sender": "Sender",
    "entity": "Entities",
}


def search_view(
    searcher: Searcher, q: str, *, sort: Sort, cursor: str | None, limit: int, copies: str = "collapse"
) -> dict[str, Any]:
    """Results as the API returns them (results_to_dict), plus the query and what the page needs.

    With `copies="collapse"` (the default) hits on near-identical pages (one near-duplicate
    cluster, exact copies in other data sets included) are one hit carrying the others in `copies`
    and the cluster's size in `copy_count`; `copies="all"` lists every hit."""
    if not q.strip():
        return dict(EMPTY_RESULTS)
    results = searcher.search(q, sort=sort, cursor=cursor, limit=limit)
    data = results_to_dict(results)
    data["sort"] = sort
    data["first_page"] = cursor is None
    data["copies"] = copies
    if copies != "all":
        with searcher.archive.engine.connect() as conn:
            data["hits"] = collapse_copies(conn, data["hits"])
    return data


def collapse_copies(conn: Connection, hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One hit per near-duplicate page cluster, in the order they came; the others in `copies`."""
    ids = {h["document_id"] for h in hits}
    if not ids:
        return hits
    rows = conn.execute(
        select(near_duplicates.c.document_id, near_duplicates.c.page_number, near_duplicates.c.cluster).where(
            near_duplicates.c.document_id.in_(ids),
            near_duplicates.c.page_number > 0,
            near_duplicates.c.cluster != "",
        )
    ).all()
    cluster = {(r.document_id, r.page_number): r.cluster for r in rows}
    sizes: dict[str, int] = dict(
        conn.execute(  # type: ignore[arg-type]
            select(near_duplicates.c.cluster, func.count())
            .where(near_duplicates.c.cluster.in_(set(cluster.values())))
            .group_by(near_duplicates.c.cluster)
        ).all()
    )
    out: list[dict[str, Any]] = []
    first: dict[str, dict[str, Any]] = {}
    for hit in hits:
        key = cluster.get((hit["document_id"], hit["page"]))
        if key is not None and key in first:
            first[key]["copies"].append(
                {k: hit[k] for k in ("document_id", "page", "bates", "dataset", "filename", "citation")}
            )
            continue
        hit = {**hit, "copies": [], "copy_count": sizes.get(key, 1) if key else 1}
        if key is not None:
            first[key] = hit
        out.append(hit)
    return out


def snippet_html(hit: dict[str, Any]) -> Markup:
    """A hit's snippet as escaped HTML with its matches in <mark> (built from text + offsets)."""
    snippet = hit.get("snippet")
    if not snippet:
        return Markup("")
    spans = [Span(a, b, "hit") for a, b in snippet["highlights"]]
    return to_html(segments(snippet["text"], spans))


def export_csv(searcher: Searcher, q: str, *, sort: Sort) -> Iterator[str]:
    """Every hit of the query as CSV lines (header first), streamed."""
    export = searcher.export(q, sort=sort)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for i, hit in enumerate(export, start=1):
        writer.writerow(hit_to_dict(hit))
        if i % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
