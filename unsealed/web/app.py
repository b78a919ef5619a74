"""The application factory: one FastAPI app serving HTML pages and their JSON twins under /api/v1."""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from unsealed import __version__
from unsealed.store.archive import Archive
from unsealed.web.errors import install_error_handlers
from unsealed.web.security import SecurityHeadersMiddleware

STATIC_DIR = Path(__file__).parent / "static"

# Each module defines `router` (HTML pages) and `api` (their JSON twins under /api/v1).
ROUTE_MODULES = [
    "unsealed.web.routes.home",
    "unsealed.web.routes.documents",
    "unsealed.web.routes.bates",
    "unsealed.web.routes.datasets",
    "unsealed.web.routes.entities",
    "unsealed.web.routes.search",
    "unsealed.web.routes.threads",
]


def create_app(archive: Archive) -> FastAPI:
    """A read-only app over `archive`: only GET routes, no CORS headers, errors as JSON under /api."""
    app = FastAPI(
        title="Unsealed archive",
        version=__version__,
        description="Read-only JSON API of an Unsealed archive. Every HTML page has a twin here.",
        docs_url=None,  # Swagger UI loads assets from a CDN; /openapi.json is enough offline
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.archive = archive
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for name in ROUTE_MODULES:
        module = importlib.import_module(name)
        app.include_router(module.router, include_in_schema=False)
        app.include_router(module.api, prefix="/api/v1")
    install_error_handlers(app)
    return app
