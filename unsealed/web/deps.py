"""Request dependencies: the archive the app serves and a read connection per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy import Connection
from starlette.requests import Request

from unsealed.store.archive import Archive


def get_archive(request: Request) -> Archive:
    return request.app.state.archive  # type: ignore[no-any-return]


def get_conn(request: Request) -> Iterator[Connection]:
    with get_archive(request).engine.connect() as conn:
        yield conn


ArchiveDep = Annotated[Archive, Depends(get_archive)]
ConnDep = Annotated[Connection, Depends(get_conn)]
