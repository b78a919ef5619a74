"""The search page's data (a call to the search service) and the CSV export of every hit."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from markupsafe import Markup

from unsealed.search.serialize import EXPORT_COLUMNS, csv_row, results_to_dict
from unsealed.search.service import Searcher, Sort
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


def search_view(searcher: Searcher, q: str, *, sort: Sort, cursor: str | None, limit: int) -> dict[str, Any]:
    """Results as the API returns them (results_to_dict), plus the query and what the page needs."""
    if not q.strip():
        return dict(EMPTY_RESULTS)
    results = searcher.search(q, sort=sort, cursor=cursor, limit=limit)
    data = results_to_dict(results)
    data["sort"] = sort
    data["first_page"] = cursor is None
    return data


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
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for i, hit in enumerate(export, start=1):
        writer.writerow(csv_row(hit))
        if i % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
