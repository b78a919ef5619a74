"""Document pages (`/documents/{id}`), original download, page images; twins under /api/v1/documents."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse

from unsealed.errors import NotFoundError
from unsealed.render.page_images import page_png
from unsealed.store.documents import document_record, locate_document
from unsealed.views.document import document_view, page_segments
from unsealed.web.deps import ArchiveDep, ConnDep
from unsealed.web.originals import original_download
from unsealed.web.templating import IMAGE_WIDTH, render

router = APIRouter()
api = APIRouter(tags=["documents"])

QueryParam = Annotated[str, Query(max_length=500, description="Search within the document")]


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request,
    conn: ConnDep,
    document_id: str,
    q: QueryParam = "",
    view: Literal["text", "images", "both"] = "text",
) -> HTMLResponse:
    data = document_view(conn, document_id, q)
    return render(request, "document.html", {**data, "segments": page_segments(data), "view": view})


@router.get("/documents/{document_id}/original")
def document_original(conn: ConnDep, archive: ArchiveDep, document_id: str) -> StreamingResponse:
    doc = document_record(conn, document_id, with_text=False)
    if doc is None:
        raise NotFoundError(f"no document {document_id!r}")
    return original_download(archive, doc)


@router.get("/documents/{document_id}/pages/{number}.png")
def page_image(
    archive: ArchiveDep,
    document_id: str,
    number: int,
    width: Annotated[int, Query(ge=64, le=4000)] = IMAGE_WIDTH,
) -> Response:
    """A page as PNG (rendered once from the original, then served from the blob-store cache)."""
    png = page_png(archive, document_id, number, width)
    return Response(png, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})


@api.get("/documents/{document_id}")
def document_json(conn: ConnDep, document_id: str, q: QueryParam = "") -> dict[str, Any]:
    """Everything the document page shows: header, e-mails, pages with text, entities, metadata."""
    return document_view(conn, document_id, q)


@api.get("/documents/{document_id}/pages")
def document_pages_json(conn: ConnDep, document_id: str) -> list[dict[str, Any]]:
    """The document's pages: text, text source, OCR confidence, Bates number, redactions."""
    record = document_record(conn, document_id)
    if record is None:
        raise NotFoundError(f"no document {document_id!r}")
    return record["pages"]  # type: ignore[no-any-return]


@api.get("/documents/{document_id}/pages/{number}")
def document_page_json(conn: ConnDep, document_id: str, number: int) -> dict[str, Any]:
    record = document_record(conn, document_id)
    page = next((p for p in record["pages"] if p["number"] == number), None) if record else None
    if page is None:
        raise NotFoundError(f"no page {number} in document {document_id!r}")
    return page  # type: ignore[no-any-return]


@api.get("/lookup")
def lookup_json(conn: ConnDep, key: Annotated[str, Query(max_length=500)]) -> dict[str, Any]:
    """A document by id, storage key, file name or Bates number (and the page a Bates number names)."""
    located = locate_document(conn, key)
    if located is None:
        raise NotFoundError(f"no document matches {key!r}")
    page = f"#page-{located.page_number}" if located.page_number else ""
    return {
        "document_id": located.document_id,
        "page": located.page_number,
        "url": f"/documents/{located.document_id}{page}",
        "api": f"/api/v1/documents/{located.document_id}",
    }
