"""Home (`/`) and status (`/status`) pages and their twins `/api/v1/home`, `/api/v1/status`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from unsealed.views.home import home_view, status_view
from unsealed.web.deps import ConnDep
from unsealed.web.templating import render

router = APIRouter()
api = APIRouter(tags=["archive"])


@router.get("/", response_class=HTMLResponse)
def home_page(request: Request, conn: ConnDep) -> HTMLResponse:
    return render(request, "home.html", home_view(conn))


@router.get("/status", response_class=HTMLResponse)
def status_page(request: Request, conn: ConnDep) -> HTMLResponse:
    return render(request, "status.html", status_view(conn))


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@api.get("/home")
def home_json(conn: ConnDep) -> dict[str, Any]:
    """Data sets, ingest status, recent failures and top entities (the home page's data)."""
    return home_view(conn)


@api.get("/status")
def status_json(conn: ConnDep) -> dict[str, Any]:
    """Ingest status: counts by state and text source, data sets, and every failed file's reason."""
    return status_view(conn)
