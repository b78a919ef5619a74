"""Request dependencies: the archive the app serves, a read connection per request, the searcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy import Connection
from starlette.requests import Request

from unsealed.errors import UnsealedError
from unsealed.search.service import Searcher
from unsealed.store.archive import Archive
from unsealed.views.document import Highlighter

# The dependencies are coroutines although they do not wait for anything: FastAPI runs a plain
# function dependency in the thread pool, and a generator one twice (enter and exit), each a hand-off
# to a thread and back per request; a page's own function still runs in the pool. A connection is
# taken from the engine's pool here and used in the page's thread (SQLAlchemy's SQLite pool allows
# that; PostgreSQL connections are not bound to a thread).


async def get_archive(request: Request) -> Archive:
    return request.app.state.archive  # type: ignore[no-any-return]


async def get_conn(request: Request) -> AsyncIterator[Connection]:
    with request.app.state.archive.engine.connect() as conn:
        yield conn


async def get_searcher(request: Request) -> Searcher:
    """One Searcher per app (it keeps the index open and reopens it after a rebuild)."""
    state = request.app.state
    if getattr(state, "searcher", None) is None:
        state.searcher = Searcher(state.archive)
    return state.searcher  # type: ignore[no-any-return]


def highlighter(searcher: Searcher, q: str) -> Highlighter | None:
    """What marks the hits of `q` in a document; None for an empty or unusable query (no index yet)."""
    if not q.strip():
        return None
    try:
        return searcher.highlighter(q)
    except UnsealedError:
        return None


ArchiveDep = Annotated[Archive, Depends(get_archive)]
ConnDep = Annotated[Connection, Depends(get_conn)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
