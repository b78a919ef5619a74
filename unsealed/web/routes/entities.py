"""Entity pages (`/entities`, `/entities/{id}`), the network page; twins under /api/v1."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse

from unsealed.views.entity import entities_view, entity_view, network_view
from unsealed.web.deps import ConnDep
from unsealed.web.templating import render

router = APIRouter()
api = APIRouter(tags=["entities"])

EntityType = Literal["PERSON", "ORG", "LOCATION", "EMAIL", "PHONE", "URL"]
TypeParam = Annotated[EntityType | None, Query(alias="type")]
PageNo = Annotated[int, Query(ge=1, le=100_000)]
Limit = Annotated[int, Query(ge=1, le=500)]
NodeLimit = Annotated[int, Query(ge=1, le=100)]


@router.get("/entities", response_class=HTMLResponse)
def entities_page(
    request: Request, conn: ConnDep, entity_type: TypeParam = None, limit: Limit = 200
) -> HTMLResponse:
    return render(request, "entities.html", entities_view(conn, entity_type, limit))


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, conn: ConnDep, entity_id: str, page: PageNo = 1) -> HTMLResponse:
    return render(request, "entity.html", entity_view(conn, entity_id, page))


@router.get("/network", response_class=HTMLResponse)
def network_page(request: Request, conn: ConnDep, entity: str, limit: NodeLimit = 25) -> HTMLResponse:
    return render(request, "network.html", {**network_view(conn, entity, limit), "limit": limit})


@api.get("/entities")
def entities_json(conn: ConnDep, entity_type: TypeParam = None, limit: Limit = 200) -> dict[str, Any]:
    """The most widely mentioned entities, optionally of one type."""
    return entities_view(conn, entity_type, limit)


@api.get("/entities/{entity_id}")
def entity_json(conn: ConnDep, entity_id: str, page: PageNo = 1) -> dict[str, Any]:
    """An entity: aliases, documents, mentions with citations, co-mentions, e-mails, timeline."""
    return entity_view(conn, entity_id, page)


@api.get("/network")
def network_json(conn: ConnDep, entity: str, limit: NodeLimit = 25) -> dict[str, Any]:
    """The co-mention graph around an entity: nodes and edges weighted by shared documents."""
    return network_view(conn, entity, limit)
