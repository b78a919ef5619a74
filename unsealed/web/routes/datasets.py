"""Data set pages (`/datasets/{name}`) and `/api/v1/datasets[/{name}]`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse

from unsealed.views import catalog
from unsealed.views.dataset import dataset_view
from unsealed.views.models import Dataset, DatasetSummary
from unsealed.web.deps import ConnDep
from unsealed.web.templating import render_model

router = APIRouter()
api = APIRouter(tags=["datasets"])

Sort = Literal["bates", "filename", "date", "pages", "size", "type", "created"]
Order = Literal["asc", "desc"]
PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
TypeParam = Annotated[str | None, Query(alias="type", max_length=40)]


@router.get("/datasets/{name}", response_class=HTMLResponse)
def dataset_page(
    request: Request,
    conn: ConnDep,
    name: str,
    sort: Sort = "bates",
    order: Order = "asc",
    page: PageNo = 1,
    doc_type: TypeParam = None,
) -> HTMLResponse:
    data = dataset_view(conn, name, sort=sort, order=order, page=page, doc_type=doc_type)
    return render_model(request, "dataset.html", data)


@api.get("/datasets")
def datasets_json(conn: ConnDep) -> list[DatasetSummary]:
    """Every data set with its document, page and failed-file counts."""
    return [DatasetSummary(**d) for d in catalog.list_datasets(conn)]


@api.get("/datasets/{name}")
def dataset_json(
    conn: ConnDep,
    name: str,
    sort: Sort = "bates",
    order: Order = "asc",
    page: PageNo = 1,
    doc_type: TypeParam = None,
) -> Dataset:
    """A data set: summary, counts by type, one page of documents (sorted), failed files."""
    return dataset_view(conn, name, sort=sort, order=order, page=page, doc_type=doc_type)
