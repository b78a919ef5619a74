"""E-mail threads: the tree of messages, each once, with every page it is printed on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from unsealed.errors import NotFoundError
from unsealed.store.schema import documents, email_threads, pages
from unsealed.views.links import page_url
from unsealed.views.models import Thread, ThreadAppearance, ThreadLinks, ThreadMessage, ThreadRef


def document_threads(conn: Connection, document_id: str) -> list[ThreadRef]:
    """The threads a document's printed messages belong to, with how many messages each has."""
    ids = list(
        conn.execute(
            select(email_threads.c.thread).where(email_threads.c.document_id == document_id).distinct()
        ).scalars()
    )
    out = []
    for thread in sorted(ids):
        messages = conn.execute(
            select(email_threads.c.message).where(email_threads.c.thread == thread).distinct()
        ).all()
        out.append(ThreadRef(id=thread, messages=len(messages), url=f"/threads/{thread}"))
    return out


def thread_view(conn: Connection, thread_id: str) -> Thread:
    rows = conn.execute(
        select(
            email_threads,
            documents.c.filename,
            documents.c.dataset,
            pages.c.bates,
        )
        .join(documents, documents.c.id == email_threads.c.document_id)
        .outerjoin(
            pages,
            (pages.c.document_id == email_threads.c.document_id)
            & (pages.c.number == email_threads.c.page_number),
        )
        .where(email_threads.c.thread == thread_id)
        .order_by(email_threads.c.document_id, email_threads.c.position)
    ).all()
    if not rows:
        raise NotFoundError(f"no thread {thread_id!r}")
    messages: dict[str, ThreadMessage] = {}
    for r in rows:
        m = messages.get(r.message)
        if m is None:
            m = messages[r.message] = ThreadMessage(
                id=r.message,
                sender=r.sender_display,
                sent=r.clock.isoformat(timespec="minutes") if r.clock else None,
                subject=r.subject_display,
                reply_to=r.reply_to,
                depth=0,
                appearances=[],
            )
        m.sender = m.sender or r.sender_display
        m.subject = m.subject or r.subject_display
        m.appearances.append(_appearance(r))
    ordered = _tree(messages)
    subject = next((m.subject for m in ordered if m.subject), None)
    return Thread(
        id=thread_id,
        subject=subject,
        message_count=len(messages),
        appearance_count=len(rows),
        messages=ordered,
        links=ThreadLinks(html=f"/threads/{thread_id}", api=f"/api/v1/threads/{thread_id}"),
    )


def _appearance(r: Any) -> ThreadAppearance:
    return ThreadAppearance(
        document_id=r.document_id,
        filename=r.filename,
        dataset=r.dataset,
        page=r.page_number,
        position=r.position,
        bates=r.bates,
        url=page_url(r.document_id, r.page_number),
    )


def _tree(messages: dict[str, ThreadMessage]) -> list[ThreadMessage]:
    """The messages in reading order: each after the one it replies to, siblings by time, each
    with its depth. A message no root leads to (a cycle an older archive stored) starts a tree."""
    children: dict[str | None, list[str]] = {}
    for key, m in messages.items():
        parent = m.reply_to if m.reply_to in messages else None
        children.setdefault(parent, []).append(key)

    def by_time(keys: list[str]) -> list[str]:
        return sorted(keys, key=lambda k: (messages[k].sent or "", k), reverse=True)

    ordered: list[ThreadMessage] = []
    seen: set[str] = set()
    roots = children.get(None, [])
    while len(seen) < len(messages):
        stack = [(key, 0) for key in by_time(roots)]
        while stack:
            key, depth = stack.pop()
            if key in seen:
                continue
            seen.add(key)
            messages[key].depth = depth
            ordered.append(messages[key])
            stack.extend((k, depth + 1) for k in by_time(children.get(key, [])))
        roots = [min(k for k in messages if k not in seen)] if len(seen) < len(messages) else []
    return ordered
