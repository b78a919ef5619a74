"""The application factory: one FastAPI app serving HTML pages and their JSON twins under /api/v1."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.responses import Response
from starlette.types import Scope

from unsealed import __version__, config
from unsealed.store.archive import Archive
from unsealed.web.errors import API_ERRORS, install_error_handlers
from unsealed.web.head import HeadAsGetMiddleware
from unsealed.web.security import SecurityHeadersMiddleware
from unsealed.web.serving import settle_heap
from unsealed.web.timing import ServerTimingMiddleware

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
    "unsealed.web.curation",
]


class CachedStatic(StaticFiles):
    """Static files with a cache lifetime: a day, revalidated by ETag after that."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = "public, max-age=86400"
        return response


def create_app(archive: Archive, admin_token: str | None = None, *, owns_archive: bool = False) -> FastAPI:
    """An app over `archive`: GET routes, plus curator decisions when an admin token is set
    (`admin_token`, else UNSEALED_ADMIN_TOKEN); no CORS headers, errors as JSON under /api. With
    `owns_archive`, the app closes the archive when the server shuts down."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owns_archive:
                archive.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Unsealed archive",
        version=__version__,
        description="JSON API of an Unsealed archive: every HTML page has a twin here. Read-only, "
        "except curator decisions when the server has an admin token.",
        docs_url=None,  # Swagger UI loads assets from a CDN; /openapi.json is enough offline
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.archive = archive
    app.state.admin_token = admin_token or config.admin_token()
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(HeadAsGetMiddleware)
    # Pages, JSON and CSV are compressed; originals and page images are sent as they are, with
    # the Content-Length their hashes are checked against. Level 1 (nginx's default): a 69 KB
    # entity page in 0.5 ms instead of 1.0 at level 5, 12 % larger (17.8 KB instead of 15.8).
    app.add_middleware(
        GZipMiddleware,
        minimum_size=1000,
        compresslevel=1,
        exclude_content_types=(
            *DEFAULT_EXCLUDED_CONTENT_TYPES,
            "application/octet-stream",
            "application/pdf",
        ),
    )
    app.add_middleware(ServerTimingMiddleware)  # outermost: the whole of the server's time
    app.mount("/static", CachedStatic(directory=STATIC_DIR), name="static")
    for name in ROUTE_MODULES:
        module = importlib.import_module(name)
        app.include_router(module.router, include_in_schema=False)
        app.include_router(module.api, prefix="/api/v1", responses=API_ERRORS)
    install_error_handlers(app)
    return app


def app_from_env() -> FastAPI:
    """The app over the archive the settings name (UNSEALED_ARCHIVE): the factory each process of
    `unsealed serve --workers N` calls (`uvicorn unsealed.web.app:app_from_env --factory`)."""
    settings = config.Settings.from_env()
    app = create_app(Archive.open(settings.archive_dir, create=False), owns_archive=True)
    settle_heap()
    return app
