"""`/bates/EFTA01197904` → the document, scrolled to that page; twin `/api/v1/bates/{bates}`."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import RedirectResponse

from unsealed.errors import NotFoundError
from unsealed.store.documents import locate_bates
from unsealed.views.links import page_url
from unsealed.views.models import Located
from unsealed.web.deps import ConnDep

router = APIRouter()
api = APIRouter(tags=["documents"])


def _resolve(conn: ConnDep, bates: str) -> tuple[str, int]:
    found = locate_bates(conn, bates)
    if found is None or found.page_number is None:
        raise NotFoundError(f"no page carries Bates number {bates!r}")
    return found.document_id, found.page_number


@router.get("/bates/{bates}")
def bates_redirect(conn: ConnDep, bates: str) -> RedirectResponse:
    document_id, page = _resolve(conn, bates)
    return RedirectResponse(page_url(document_id, page), status_code=302)


@api.get("/bates/{bates}")
def bates_json(conn: ConnDep, bates: str) -> Located:
    """The document and page a Bates number belongs to."""
    document_id, page = _resolve(conn, bates)
    return Located(
        bates=bates.strip().upper(),
        document_id=document_id,
        page=page,
        url=page_url(document_id, page),
        api=f"/api/v1/documents/{document_id}/pages/{page}",
    )
