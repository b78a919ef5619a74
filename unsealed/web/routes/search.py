"""Search (`/search?q=`), its CSV export and the query-language help; twins under /api/v1/search."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, StreamingResponse

from unsealed.search.errors import QueryError
from unsealed.search.service import Searcher, Sort
from unsealed.views.search import EMPTY_RESULTS, FACET_LABELS, export_csv, search_view, snippet_html
from unsealed.web.deps import ArchiveDep
from unsealed.web.templating import render

router = APIRouter()
api = APIRouter(tags=["search"])

Q = Annotated[str, Query(max_length=2000, description="Query (see /search/help)")]
Cursor = Annotated[str | None, Query(max_length=2000, description="`next_cursor` of the previous page")]
Limit = Annotated[int, Query(ge=1, le=100)]
Copies = Literal["collapse", "all"]


def _searcher(request: Request, archive: ArchiveDep) -> Searcher:
    """One Searcher per app (it keeps the index open and reopens it after a rebuild)."""
    state = request.app.state
    if getattr(state, "searcher", None) is None:
        state.searcher = Searcher(archive)
    return state.searcher  # type: ignore[no-any-return]


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    archive: ArchiveDep,
    q: Q = "",
    sort: Sort = "relevance",
    cursor: Cursor = None,
    limit: Limit = 20,
    copies: Copies = "collapse",
) -> HTMLResponse:
    try:
        data = search_view(
            _searcher(request, archive), q, sort=sort, cursor=cursor, limit=limit, copies=copies
        )
    except QueryError as exc:  # the page keeps the query box, with the reason, instead of an error page
        data = {**EMPTY_RESULTS, "query": q, "error": str(exc)}
        return render(request, "search.html", _context(data, q), status_code=400)
    return render(request, "search.html", _context(data, q))


def _context(data: dict[str, Any], q: str) -> dict[str, Any]:
    snippets = [snippet_html(h) for h in data["hits"]]
    return {"error": None, **data, "q": q, "site_q": q, "facet_labels": FACET_LABELS, "snippets": snippets}


@router.get("/search/help", response_class=HTMLResponse)
def search_help(request: Request) -> HTMLResponse:
    return render(request, "search_help.html", {})


@router.get("/search/export.csv")
def search_export(request: Request, archive: ArchiveDep, q: Q, sort: Sort = "date") -> StreamingResponse:
    """Every hit of the query as CSV (no cap), for spreadsheets and reports."""
    lines = export_csv(_searcher(request, archive), q, sort=sort)
    first = next(lines)  # runs the query now, so a bad query is an error page rather than a broken file
    return StreamingResponse(
        _chain(first, lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="unsealed-search.csv"'},
    )


def _chain(first: str, rest: Any) -> Any:
    yield first
    yield from rest


@api.get("/search")
def search_json(
    request: Request,
    archive: ArchiveDep,
    q: Q,
    sort: Sort = "relevance",
    cursor: Cursor = None,
    limit: Limit = 20,
    copies: Copies = "collapse",
) -> dict[str, Any]:
    """Page-level hits with snippets and citations, facets (each with its `refine` clause), cursor.
    Hits on near-identical pages are one hit with the others in `copies` (`copies=all`: every hit)."""
    return search_view(_searcher(request, archive), q, sort=sort, cursor=cursor, limit=limit, copies=copies)


@api.get("/search/export.csv")
def search_export_json_twin(
    request: Request, archive: ArchiveDep, q: Q, sort: Sort = "date"
) -> StreamingResponse:
    """Every hit of the query as CSV."""
    return search_export(request, archive, q, sort)
