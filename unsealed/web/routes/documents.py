"""Document pages (`/documents/{id}`), original download, page images; twins under /api/v1/documents."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from unsealed.errors import NotFoundError
from unsealed.render.page_images import page_png
from unsealed.store.documents import document_record, locate_bates, locate_document
from unsealed.views.document import document_view, hit_spans, page_segments
from unsealed.views.models import Document, Located, Page
from unsealed.views.page_boxes import hit_boxes
from unsealed.web.deps import ArchiveDep, ConnDep, SearcherDep, highlighter
from unsealed.web.originals import original_download
from unsealed.web.templating import IMAGE_WIDTH, render_model

router = APIRouter()
api = APIRouter(tags=["documents"])

QueryParam = Annotated[str, Query(max_length=500, description="Search within the document")]


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request,
    conn: ConnDep,
    archive: ArchiveDep,
    searcher: SearcherDep,
    document_id: str,
    q: QueryParam = "",
    view: Literal["text", "images", "both"] = "text",
) -> HTMLResponse:
    data = document_view(conn, document_id, q, highlight=highlighter(searcher, q))
    boxes = hit_boxes(archive, conn, data, hit_spans(data)) if view != "text" else {}
    return render_model(
        request,
        "document.html",
        data,
        segments=page_segments(data),
        view=view,
        boxes=boxes,
        base_url=str(request.base_url),
    )


@router.get("/documents/{document_id}/goto")
def goto_page(
    conn: ConnDep,
    document_id: str,
    to: Annotated[str, Query(max_length=100, description="A page number or a Bates number")] = "",
    view: Literal["text", "images", "both"] = "text",
) -> RedirectResponse:
    """Jump to a page of this document by its number, or to whichever page carries a Bates number."""
    target = to.strip()
    suffix = f"?view={view}" if view != "text" else ""
    if target.isdigit():
        return RedirectResponse(f"/documents/{document_id}{suffix}#page-{int(target)}", status_code=303)
    found = locate_bates(conn, target) if target else None
    if found is None or found.page_number is None:
        raise NotFoundError(f"no page carries Bates number {target!r}")
    return RedirectResponse(
        f"/documents/{found.document_id}{suffix}#page-{found.page_number}", status_code=303
    )


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
def document_json(conn: ConnDep, searcher: SearcherDep, document_id: str, q: QueryParam = "") -> Document:
    """Everything the document page shows: header, e-mails, pages with text, entities, metadata."""
    return document_view(conn, document_id, q, highlight=highlighter(searcher, q))


@api.get("/documents/{document_id}/pages")
def document_pages_json(conn: ConnDep, document_id: str) -> list[Page]:
    """The document's pages: text, text source, OCR confidence, Bates number, redactions."""
    record = document_record(conn, document_id)
    if record is None:
        raise NotFoundError(f"no document {document_id!r}")
    return [Page.model_validate(p) for p in record["pages"]]


@api.get("/documents/{document_id}/pages/{number}")
def document_page_json(conn: ConnDep, document_id: str, number: int) -> Page:
    """One page of a document."""
    record = document_record(conn, document_id)
    page = next((p for p in record["pages"] if p["number"] == number), None) if record else None
    if page is None:
        raise NotFoundError(f"no page {number} in document {document_id!r}")
    return Page.model_validate(page)


@api.get("/lookup")
def lookup_json(conn: ConnDep, key: Annotated[str, Query(max_length=500)]) -> Located:
    """A document by id, storage key, file name or Bates number (and the page a Bates number names)."""
    located = locate_document(conn, key)
    if located is None:
        raise NotFoundError(f"no document matches {key!r}")
    page = f"#page-{located.page_number}" if located.page_number else ""
    return Located(
        document_id=located.document_id,
        page=located.page_number,
        url=f"/documents/{located.document_id}{page}",
        api=f"/api/v1/documents/{located.document_id}",
    )
