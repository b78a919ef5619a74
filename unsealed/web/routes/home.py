"""Home (`/`) and status (`/status`) pages and their twins `/api/v1/home`, `/api/v1/status`."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from unsealed.views.home import home_view, status_view
from unsealed.views.models import Home, Status
from unsealed.web.deps import ArchiveDep, ConnDep
from unsealed.web.templating import render_model

router = APIRouter()
api = APIRouter(tags=["archive"])


@router.get("/", response_class=HTMLResponse)
def home_page(request: Request, conn: ConnDep) -> HTMLResponse:
    return render_model(request, "home.html", home_view(conn))


@router.get("/status", response_class=HTMLResponse)
def status_page(request: Request, archive: ArchiveDep) -> HTMLResponse:
    return render_model(request, "status.html", status_view(archive))


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@api.get("/home")
def home_json(conn: ConnDep) -> Home:
    """Data sets, ingest totals, recent failures and top entities (the home page's data)."""
    return home_view(conn)


@api.get("/status")
def status_json(archive: ArchiveDep) -> Status:
    """Ingest status: totals, pages by text source, data sets, failed files, the search index."""
    return status_view(archive)
