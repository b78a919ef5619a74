"""Post-ingest stage: e-mail threads, updated incrementally (after the e-mail stage).

For each changed document its printed messages are fingerprinted (analysis/threads.py) and stored
in `email_threads`. Linking then runs over a neighbourhood, not the archive: the new messages, the
stored ones they could be the same as (clock minute within one of theirs, within the time-zone
window; or the same subject when no clock is printed) or could reply to or be replied to by (the
same subject within `MAX_DAYS`), every message of the threads and documents those belong to. The
neighbourhood's messages and threads are written back; thread ids are those of the thread's
smallest message key, so they stay put unless two threads join.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from unsealed.analysis.emails import parse_document
from unsealed.analysis.neardup import from_bytes, to_bytes
from unsealed.analysis.thread_replies import MAX_DAYS
from unsealed.analysis.threads import MAX_HOURS, Fingerprint, fingerprints_of, link
from unsealed.pipeline.stage import Stage
from unsealed.store.archive import Archive
from unsealed.store.documents import document_pages, known_addresses
from unsealed.store.schema import documents, email_threads, emails

BATCH = 200


def pending_ids(archive: Archive) -> list[str]:
    """Documents with printed messages and no thread rows yet."""
    done = select(email_threads.c.document_id)
    query = select(emails.c.document_id).distinct().where(emails.c.document_id.not_in(done))
    with archive.engine.connect() as conn:
        return list(conn.execute(query).scalars())


def run_stage(archive: Archive, document_ids: Sequence[str]) -> None:
    ids = list(document_ids)
    for start in range(0, len(ids), BATCH):
        with archive.engine.begin() as conn:
            _thread_batch(conn, ids[start : start + BATCH])


def _rows(conn: Connection, doc_id: str, known: set[str]) -> list[dict[str, Any]]:
    messages = parse_document(document_pages(conn, doc_id), known)
    prints = fingerprints_of(doc_id, messages)
    return [
        {
            "document_id": doc_id,
            "position": m.position,
            "page_number": m.page,
            "sender": fp.sender,
            "sender_display": (m.sender.name or m.sender.address) if m.sender else None,
            "clock": fp.clock,
            "minute": fp.clock.minute if fp.clock else None,
            "subject": fp.subject,
            "subject_display": m.subject,
            "body": to_bytes(fp.body) if fp.body is not None else None,
            "body_size": fp.body_size,
            "printed": to_bytes(fp.printed) if fp.printed is not None else None,
            "printed_size": fp.printed_size,
            "recipients": "\n".join(sorted(fp.recipients)),
            "replying": fp.replying,
            "message": fp.key,
            "reply_to": None,
            "thread": "",
        }
        for m, fp in zip(messages, prints, strict=True)
    ]


def _fingerprint(row: Any) -> Fingerprint:
    return Fingerprint(
        key=f"{row.document_id}:{row.position}",
        document=row.document_id,
        position=row.position,
        sender=row.sender,
        clock=row.clock,
        subject=row.subject,
        body=from_bytes(row.body) if row.body is not None else None,
        body_size=row.body_size or 0,
        recipients=frozenset((row.recipients or "").split("\n")) - {""},
        replying=bool(row.replying),
        printed=from_bytes(row.printed) if row.printed is not None else None,
        printed_size=row.printed_size or 0,
    )


def _neighbourhood(conn: Connection, new: list[dict[str, Any]]) -> list[Any]:
    window = timedelta(hours=MAX_HOURS, minutes=1)
    replies = timedelta(days=MAX_DAYS, hours=MAX_HOURS)
    clauses: list[Any] = [email_threads.c.document_id.in_({r["document_id"] for r in new})]
    for r in new:
        if r["clock"] is not None:
            minutes = [(r["clock"].minute + d) % 60 for d in (-1, 0, 1)]
            clauses.append(
                email_threads.c.minute.in_(minutes)
                & email_threads.c.clock.between(r["clock"] - window, r["clock"] + window)
            )
            if r["subject"]:
                clauses.append(
                    (email_threads.c.subject == r["subject"])
                    & email_threads.c.clock.between(r["clock"] - replies, r["clock"] + replies)
                )
        elif r["subject"]:
            clauses.append(email_threads.c.subject == r["subject"])
    first = conn.execute(select(email_threads).where(or_(*clauses))).all()
    threads = {r.thread for r in first if r.thread}
    docs = {r.document_id for r in first}
    return list(
        conn.execute(
            select(email_threads).where(
                or_(email_threads.c.thread.in_(threads), email_threads.c.document_id.in_(docs))
            )
        ).all()
    )


def _thread_batch(conn: Connection, ids: Sequence[str]) -> None:
    ok = list(conn.execute(select(documents.c.id).where(documents.c.id.in_(ids))).scalars())
    conn.execute(delete(email_threads).where(email_threads.c.document_id.in_(ids)))
    known = known_addresses(conn)
    new = [row for doc_id in ok for row in _rows(conn, doc_id, known)]
    if not new:
        return
    conn.execute(insert(email_threads), new)
    rows = _neighbourhood(conn, new)
    linked = link([_fingerprint(r) for r in rows])
    for r in rows:
        key = f"{r.document_id}:{r.position}"
        message = linked.message_of[key]
        values = {
            "message": message,
            "reply_to": linked.reply_to.get(message),
            "thread": linked.thread_of[message],
        }
        if (r.message, r.reply_to, r.thread) != tuple(values.values()):
            conn.execute(
                update(email_threads)
                .where(email_threads.c.document_id == r.document_id, email_threads.c.position == r.position)
                .values(**values)
            )


def stage() -> Stage:
    return Stage("e-mail threads", run_stage, pending=pending_ids)
