"""Request dependencies: the archive the app serves, a read connection per request, the searcher."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy import Connection
from starlette.requests import Request

from unsealed.errors import UnsealedError
from unsealed.search.service import Searcher
from unsealed.store.archive import Archive
from unsealed.views.document import Highlighter


def get_archive(request: Request) -> Archive:
    return request.app.state.archive  # type: ignore[no-any-return]


def get_conn(request: Request) -> Iterator[Connection]:
    with get_archive(request).engine.connect() as conn:
        yield conn


def get_searcher(request: Request) -> Searcher:
    """One Searcher per app (it keeps the index open and reopens it after a rebuild)."""
    state = request.app.state
    if getattr(state, "searcher", None) is None:
        state.searcher = Searcher(get_archive(request))
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
