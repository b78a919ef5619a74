"""E-mail threads (`/threads/{id}`) and the timeline (`/timeline`); twins under /api/v1."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse

from unsealed.views.models import Thread, Timeline
from unsealed.views.threads import thread_view
from unsealed.views.timeline import timeline_view
from unsealed.web.deps import ConnDep
from unsealed.web.templating import render_model

router = APIRouter()
api = APIRouter(tags=["threads", "timeline"])

Text = Annotated[str, Query(max_length=200)]


@router.get("/threads/{thread_id}", response_class=HTMLResponse)
def thread_page(request: Request, conn: ConnDep, thread_id: str) -> HTMLResponse:
    return render_model(request, "thread.html", thread_view(conn, thread_id))


@api.get("/threads/{thread_id}")
def thread_json(conn: ConnDep, thread_id: str) -> Thread:
    """A thread: each message once (sender, sent, subject, the message it quotes) with its appearances."""
    return thread_view(conn, thread_id)


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(
    request: Request,
    conn: ConnDep,
    start: Text = "",
    end: Text = "",
    entity: Text = "",
    sender: Text = "",
    dataset: Text = "",
) -> HTMLResponse:
    data = timeline_view(conn, start=start, end=end, entity=entity, sender=sender, dataset=dataset)
    return render_model(request, "timeline.html", data)


@api.get("/timeline")
def timeline_json(
    conn: ConnDep, start: Text = "", end: Text = "", entity: Text = "", sender: Text = "", dataset: Text = ""
) -> Timeline:
    """Dated events (e-mails sent, document dates, load-file dates) with a histogram by month."""
    return timeline_view(conn, start=start, end=end, entity=entity, sender=sender, dataset=dataset)
