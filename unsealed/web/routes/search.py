"""Search (`/search?q=`), its CSV export and the query-language help; twins under /api/v1/search."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, StreamingResponse

from unsealed.search.errors import QueryError
from unsealed.search.service import Copies, Group, Sort, group_page_cursor
from unsealed.views.models import SearchResults
from unsealed.views.search import FACET_LABELS, compose_query, export_csv, facet_of, search_view, snippet_html
from unsealed.web.deps import SearcherDep
from unsealed.web.templating import render, render_model

router = APIRouter()
api = APIRouter(tags=["search"])

Q = Annotated[str, Query(max_length=2000, description="Query (see /search/help)")]
Cursor = Annotated[str | None, Query(max_length=2000, description="`next_cursor` of the previous page")]
Limit = Annotated[int, Query(ge=1, le=100)]
Filters = Annotated[
    list[str], Query(alias="f", max_length=500, description="Facet clauses (a facet's `refine`); repeatable")
]
PAGE_SIZE = 20  # documents per results page
PAGES_SHOWN = 2  # best pages shown per document (the rest: "N more hits in this document")


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    searcher: SearcherDep,
    q: Q = "",
    sort: Sort = "relevance",
    filters: Filters = [],  # noqa: B006
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    copies: Copies = "collapse",
) -> HTMLResponse:
    """Results grouped by document, PAGE_SIZE documents a page; facets as removable filters."""
    try:
        query = compose_query(q, filters)
        skip = (page - 1) * PAGE_SIZE
        cursor = group_page_cursor(query, sort, "document", copies, skip) if query else None
        data = search_view(
            searcher,
            q,
            sort=sort,
            cursor=cursor,
            limit=PAGE_SIZE,
            filters=filters,
            group="document",
            per_document=PAGES_SHOWN,
            copies=copies,
        )
    except QueryError as exc:  # the page keeps the query box, with the reason, instead of an error page
        empty = SearchResults(query=q, total=0, sort=sort, filters=filters)
        return render_model(
            request, "search.html", empty, status_code=400, **_context(empty, q, str(exc), page)
        )
    return render_model(request, "search.html", data, **_context(data, q, None, page))


def page_numbers(page: int, pages: int | None, window: int = 2) -> list[int | None]:
    """Page links: the first, `window` either side of `page`, the last (when known); None marks a
    gap ("…"). `pages` None: the count is a lower bound, so the list ends after the window."""
    last = pages if pages is not None else page + window
    around = range(max(1, page - window), min(last, page + window) + 1)
    shown = sorted({1, *around, *([last] if pages else [])})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


def _context(data: SearchResults, q: str, error: str | None, page: int) -> dict[str, Any]:
    groups = data.groups or []
    first = (page - 1) * PAGE_SIZE
    pages = -(-data.result_count // PAGE_SIZE) if data.result_count_exact else None
    has_next = data.next_cursor is not None
    numbers = page_numbers(page, pages) if (page > 1 or has_next) else []
    if pages is None and not has_next:  # the lower bound ends here (the grouping window)
        numbers = [n for n in numbers if n is None or n <= page]
    return {
        "error": error,
        "q": q,
        "site_q": q,
        "page": page,
        "first": first + 1 if groups else 0,
        "last": first + len(groups),
        "has_next": has_next,
        "page_count": pages,
        "page_numbers": numbers,
        "facet_labels": FACET_LABELS,
        "facet_of": facet_of,
        "snippets": {(h.document_id, h.page): snippet_html(h) for g in groups for h in g.hits},
    }


@router.get("/search/help", response_class=HTMLResponse)
def search_help(request: Request) -> HTMLResponse:
    return render(request, "search_help.html", {})


@router.get("/search/export.csv")
def search_export(
    request: Request,
    searcher: SearcherDep,
    q: Q,
    sort: Sort = "date",
    filters: Filters = [],  # noqa: B006
) -> StreamingResponse:
    """Every hit of the query as CSV (no cap): citation, URL of the page, and their parts."""
    base = str(request.base_url)
    lines = export_csv(searcher, q, sort=sort, base_url=base, filters=filters)
    first = next(lines)  # runs the query now, so a bad query is an error page rather than a broken file
    return StreamingResponse(
        _chain(first, lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="unsealed-search.csv"'},
    )


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


@api.get("/search")
def search_json(
    searcher: SearcherDep,
    q: Q,
    sort: Sort = "relevance",
    cursor: Cursor = None,
    limit: Limit = 20,
    group: Group = "page",
    filters: Filters = [],  # noqa: B006
    copies: Copies = "collapse",
) -> SearchResults:
    """Page-level hits (or documents, with `group=document`) with snippets and citations, facets
    (each with its `refine` clause, `selected` when in `f`), and the cursor of the next page."""
    return search_view(
        searcher, q, sort=sort, cursor=cursor, limit=limit, filters=filters, group=group, copies=copies
    )


CSV_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Every hit, one CSV line each",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@api.get("/search/export.csv", response_class=StreamingResponse, responses=CSV_ANSWER)
def search_export_api(
    request: Request,
    searcher: SearcherDep,
    q: Q,
    sort: Sort = "date",
    filters: Filters = [],  # noqa: B006
) -> StreamingResponse:
    """Every hit of the query as CSV."""
    return search_export(request, searcher, q, sort, filters)
