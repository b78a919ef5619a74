"""E-mail threads: the tree of messages, each once, with every page it is printed on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from unsealed.errors import NotFoundError
from unsealed.store.schema import documents, email_threads, pages


def document_threads(conn: Connection, document_id: str) -> list[dict[str, Any]]:
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
        out.append({"id": thread, "messages": len(messages), "url": f"/threads/{thread}"})
    return out


def thread_view(conn: Connection, thread_id: str) -> dict[str, Any]:
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
    messages: dict[str, dict[str, Any]] = {}
    for r in rows:
        m = messages.setdefault(
            r.message,
            {
                "id": r.message,
                "sender": r.sender_display,
                "sent": r.clock.isoformat(timespec="minutes") if r.clock else None,
                "subject": r.subject_display,
                "reply_to": r.reply_to,
                "appearances": [],
            },
        )
        m["sender"] = m["sender"] or r.sender_display
        m["subject"] = m["subject"] or r.subject_display
        m["appearances"].append(
            {
                "document_id": r.document_id,
                "filename": r.filename,
                "dataset": r.dataset,
                "page": r.page_number,
                "position": r.position,
                "bates": r.bates,
                "url": f"/documents/{r.document_id}#page-{r.page_number}",
            }
        )
    children: dict[str | None, list[str]] = {}
    for key, m in messages.items():
        parent = m["reply_to"] if m["reply_to"] in messages else None
        children.setdefault(parent, []).append(key)
    ordered: list[dict[str, Any]] = []

    def walk(parent: str | None, depth: int) -> None:
        for key in sorted(children.get(parent, []), key=lambda k: messages[k]["sent"] or ""):
            ordered.append({**messages[key], "depth": depth})
            walk(key, depth + 1)

    walk(None, 0)
    subject = next((m["subject"] for m in ordered if m["subject"]), None)
    return {
        "id": thread_id,
        "subject": subject,
        "message_count": len(messages),
        "appearance_count": len(rows),
        "messages": ordered,
        "links": {"html": f"/threads/{thread_id}", "api": f"/api/v1/threads/{thread_id}"},
    }
