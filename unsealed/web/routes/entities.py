"""Entity pages (`/entities`, `/entities/{id}`), the network page, shared documents; twins under /api/v1."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse

from unsealed.views.entity import entities_view, entity_view, network_view, shared_documents_view
from unsealed.views.models import Entity, EntityList, Network, SharedDocuments
from unsealed.web.deps import ConnDep
from unsealed.web.templating import render_model

router = APIRouter()
api = APIRouter(tags=["entities"])

EntityType = Literal["PERSON", "ORG", "LOCATION", "EMAIL", "PHONE", "URL"]
TypeParam = Annotated[EntityType | None, Query(alias="type")]
TypesParam = Annotated[list[EntityType], Query(alias="type", description="Only neighbours of these types")]
PageNo = Annotated[int, Query(ge=1, le=100_000)]
PerPage = Annotated[int, Query(ge=1, le=500)]
NameFilter = Annotated[str, Query(max_length=200, description="Only names containing this text")]
NodeLimit = Annotated[int, Query(ge=1, le=100)]
MinShared = Annotated[int, Query(ge=1, le=100_000, description="Least documents shared with the entity")]


@router.get("/entities", response_class=HTMLResponse)
def entities_page(
    request: Request,
    conn: ConnDep,
    entity_type: TypeParam = None,
    name: NameFilter = "",
    page: PageNo = 1,
    per_page: PerPage = 100,
) -> HTMLResponse:
    view = entities_view(conn, entity_type, page=page, per_page=per_page, contains=name)
    return render_model(request, "entities.html", view)


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, conn: ConnDep, entity_id: str, page: PageNo = 1) -> HTMLResponse:
    curator = bool(request.app.state.admin_token)
    return render_model(request, "entity.html", entity_view(conn, entity_id, page), curator=curator)


@router.get("/entities/{entity_id}/shared/{other_id}", response_class=HTMLResponse)
def shared_page(request: Request, conn: ConnDep, entity_id: str, other_id: str) -> HTMLResponse:
    return render_model(request, "shared.html", shared_documents_view(conn, entity_id, other_id))


@router.get("/network", response_class=HTMLResponse)
def network_page(
    request: Request,
    conn: ConnDep,
    entity: str,
    limit: NodeLimit = 25,
    min_shared: MinShared = 1,
    types: TypesParam = [],  # noqa: B006 (FastAPI copies defaults)
) -> HTMLResponse:
    view = network_view(conn, entity, limit, min_shared=min_shared, types=list(types))
    return render_model(request, "network.html", view, limit=limit)


@api.get("/entities")
def entities_json(
    conn: ConnDep,
    entity_type: TypeParam = None,
    name: NameFilter = "",
    page: PageNo = 1,
    per_page: PerPage = 100,
) -> EntityList:
    """Entities, most mentioned first, paged; of one type and/or with `name` in their name."""
    return entities_view(conn, entity_type, page=page, per_page=per_page, contains=name)


@api.get("/entities/{entity_id}")
def entity_json(conn: ConnDep, entity_id: str, page: PageNo = 1) -> Entity:
    """An entity: aliases, documents, mentions with citations, co-mentions, e-mails, timeline."""
    return entity_view(conn, entity_id, page)


@api.get("/entities/{entity_id}/shared/{other_id}")
def shared_json(conn: ConnDep, entity_id: str, other_id: str) -> SharedDocuments:
    """The documents two entities are both mentioned in (a network edge)."""
    return shared_documents_view(conn, entity_id, other_id)


@api.get("/network")
def network_json(
    conn: ConnDep,
    entity: str,
    limit: NodeLimit = 25,
    min_shared: MinShared = 1,
    types: TypesParam = [],  # noqa: B006
) -> Network:
    """The co-mention graph around an entity: nodes and edges weighted by shared documents."""
    return network_view(conn, entity, limit, min_shared=min_shared, types=list(types))
