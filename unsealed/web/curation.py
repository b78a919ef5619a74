"""Curator decisions from the web (merge, split, hide, unhide), behind UNSEALED_ADMIN_TOKEN.

Without the token set the server stays read-only: these routes answer 403. With it, a form post
(the token in a password field) or an API call (`Authorization: Bearer <token>`) takes the same
decision `unsealed entities merge|split|hide|unhide` takes, recorded the same way.
"""

from __future__ import annotations

import hmac
from typing import Literal
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse

from unsealed.pipeline.curate import apply
from unsealed.web.deps import ArchiveDep
from unsealed.web.errors import ErrorBody

router = APIRouter()
api = APIRouter(tags=["curation"])


class Decision(BaseModel):
    action: Literal["merge", "split", "hide", "unhide"]
    other: str | None = None  # merge: the entity merged in (name or id); split: the alias


class Decided(BaseModel):
    action: str
    entity: str
    merged: str | None = None
    alias: str | None = None
    new_entity: str | None = None


def check_token(request: Request, given: str | None) -> None:
    expected = request.app.state.admin_token
    if not expected:
        raise HTTPException(403, "this server is read-only (no UNSEALED_ADMIN_TOKEN set)")
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(403, "the curator token is missing or wrong")


@router.post("/entities/{entity_id}/curate")
async def curate_form(request: Request, archive: ArchiveDep, entity_id: str) -> RedirectResponse:
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    check_token(request, form.get("token"))
    try:
        decision = Decision(action=form.get("action", ""), other=form.get("other"))  # type: ignore[arg-type]
    except ValidationError as exc:
        raise HTTPException(400, "action must be merge, split, hide or unhide") from exc
    # off the event loop: a decision waits its turn on the archive's curation lock
    result = await run_in_threadpool(apply, archive, decision.action, entity_id, decision.other)
    target = result.get("new_entity") or result["entity"]
    return RedirectResponse(f"/entities/{target}?curated={decision.action}", status_code=303)


READ_ONLY: dict[int | str, dict[str, object]] = {
    403: {"model": ErrorBody, "description": "The server is read-only, or the curator token is wrong"}
}


@api.post("/entities/{entity_id}/curate", responses=READ_ONLY)
def curate_json(request: Request, archive: ArchiveDep, entity_id: str, decision: Decision) -> Decided:
    """Merge, split, hide or unhide an entity (needs `Authorization: Bearer $UNSEALED_ADMIN_TOKEN`)."""
    header = request.headers.get("authorization", "")
    check_token(request, header[7:] if header.lower().startswith("bearer ") else None)
    return Decided.model_validate(apply(archive, decision.action, entity_id, decision.other))
