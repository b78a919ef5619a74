"""The queue's bookkeeping in the database: which files a queued run holds and where each one is.

The broker carries the messages; this table is what every machine can see: `unsealed ingest
--queue` follows it (and can leave and come back), `unsealed status` counts it per data set and per
worker, and a worker that gets a file again (redelivered after a crash) sees it is already done.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, select, text, update

from unsealed.store.bulk import insert_many
from unsealed.store.documents import utcnow
from unsealed.store.schema import documents, work_items

STATES = ("queued", "running", "done", "failed")


@dataclass(frozen=True)
class WorkItem:
    """One file of a queued run, as the message carries it (plain JSON)."""

    dataset: str
    storage_key: str
    sha256: str
    md5: str
    size_bytes: int
    source_path: str  # where the enqueuing machine found it (`zip!member` for a zip member)
    # Carried by the message only: further page files of the document (their storage keys), why a
    # source is refused unread, and its load-file data (pipeline/wire.py's JSON).
    parts: tuple[str, ...] = ()
    refused: str | None = None
    load: Any = None
    analyse: bool = False  # the worker finds the entity mentions as it reads (worker_analysis.py)
    dedup: Any = None  # near-duplicate signature options (the enqueuer's, so every worker signs alike)

    def message(self) -> dict[str, Any]:
        return asdict(self)

    def row(self) -> dict[str, Any]:
        """The work_items columns it fills."""
        return {name: getattr(self, name) for name in ROW_FIELDS}

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> WorkItem:
        values = {name: message[name] for name in cls.__dataclass_fields__ if name in message}
        values["parts"] = tuple(values.get("parts", ()))
        return cls(**values)


ROW_FIELDS = ("dataset", "storage_key", "sha256", "md5", "size_bytes", "source_path")


@dataclass(frozen=True)
class FinishedItem:
    storage_key: str
    state: str  # done | failed
    document_id: str | None
    action: str | None
    pages: int
    ocr_pages: int
    error: str | None
    analysed: bool  # the worker wrote its entity mentions with it (the document is enriched)
    finished_at: datetime | None = None  # by the database's clock (PostgreSQL)


def _key(item: WorkItem) -> Any:
    return and_(work_items.c.dataset == item.dataset, work_items.c.storage_key == item.storage_key)


def enqueue(conn: Connection, items: Sequence[WorkItem]) -> list[WorkItem]:
    """Record `items` as queued; the ones returned need a message (the others are queued, running
    or done with the same content already: sending them again would only repeat work)."""
    if not items:
        return []
    recorded: dict[tuple[str, str], tuple[str, str]] = {}
    by_dataset: dict[str, list[str]] = {}
    for item in items:
        by_dataset.setdefault(item.dataset, []).append(item.storage_key)
    for dataset, storage_keys in by_dataset.items():  # these items' rows only, not the data set's
        rows = conn.execute(
            select(work_items.c.storage_key, work_items.c.sha256, work_items.c.state).where(
                work_items.c.dataset == dataset, work_items.c.storage_key.in_(storage_keys)
            )
        )
        recorded.update({(dataset, r.storage_key): (r.sha256, r.state) for r in rows})
    fresh = [
        item
        for item in items
        if recorded.get((item.dataset, item.storage_key), ("", ""))[1] not in ("queued", "running", "done")
        or recorded[(item.dataset, item.storage_key)][0] != item.sha256
    ]
    now = utcnow()
    for item in fresh:
        if (item.dataset, item.storage_key) in recorded:
            conn.execute(delete(work_items).where(_key(item)))
    insert_many(
        conn,
        work_items,
        [{**item.row(), "state": "queued", "attempts": 0, "queued_at": now} for item in fresh],
    )
    return fresh


def claim(conn: Connection, item: WorkItem, worker: str) -> int | None:
    """Mark the file running on `worker`; its delivery count, or None when it needs no work (done,
    failed for good, or replaced by other content since it was sent)."""
    if conn.dialect.name == "postgresql":
        # The claim need not wait for the disk: lost in a database crash, the file is only claimed
        # again when its message comes back (this transaction only; the record is durable).
        conn.execute(text("SET LOCAL synchronous_commit = off"))
    result = conn.execute(
        update(work_items)
        .where(_key(item), work_items.c.sha256 == item.sha256, work_items.c.state.in_(("queued", "running")))
        .values(state="running", attempts=work_items.c.attempts + 1, worker=worker, started_at=utcnow())
        .returning(work_items.c.attempts)
    ).first()
    return None if result is None else int(result[0])


def is_open(conn: Connection, item: WorkItem) -> bool:
    """Whether the file still waits for its outcome (a retry must not undo a recorded one)."""
    state = conn.execute(
        select(work_items.c.state).where(_key(item), work_items.c.sha256 == item.sha256)
    ).scalar()
    return state in ("queued", "running")


def retrying(conn: Connection, item: WorkItem, reason: str) -> None:
    """The attempt failed and the file goes back to the queue; `reason` is kept until it is done."""
    conn.execute(
        update(work_items)
        .where(_key(item), work_items.c.sha256 == item.sha256)
        .values(state="queued", error=reason)
    )


def finish(
    conn: Connection,
    item: WorkItem,
    *,
    document_id: str,
    action: str,
    status: str,
    pages: int,
    ocr_pages: int,
    error: str | None,
) -> None:
    conn.execute(
        update(work_items)
        .where(_key(item), work_items.c.sha256 == item.sha256)
        .values(
            state="done" if status == "ok" else "failed",
            document_id=document_id,
            action=action,
            pages=pages,
            ocr_pages=ocr_pages,
            error=error,
            finished_at=_database_clock(conn),
        )
    )


def _database_clock(conn: Connection) -> Any:
    """The time a file finished, by the database's clock: every worker stamps with the same clock,
    so the process following the run needs no margin for machines' clocks that differ."""
    return func.clock_timestamp() if conn.dialect.name == "postgresql" else utcnow()


def finished_since(conn: Connection, dataset: str, since: datetime | None) -> list[FinishedItem]:
    """Files of `dataset` that reached done or failed at or after `since` (all of them without),
    in the order they finished."""
    query = (
        select(
            work_items.c.storage_key,
            work_items.c.state,
            work_items.c.document_id,
            work_items.c.action,
            work_items.c.pages,
            work_items.c.ocr_pages,
            work_items.c.error,
            work_items.c.finished_at,
            documents.c.enriched_at,
        )
        .outerjoin(documents, documents.c.id == work_items.c.document_id)
        .where(work_items.c.dataset == dataset, work_items.c.state.in_(("done", "failed")))
    )
    if since is not None:
        query = query.where(work_items.c.finished_at >= since)
    return [
        FinishedItem(
            r.storage_key,
            r.state,
            r.document_id,
            r.action,
            r.pages or 0,
            r.ocr_pages or 0,
            r.error,
            analysed=r.state == "done" and r.enriched_at is not None,
            finished_at=r.finished_at,
        )
        for r in conn.execute(query.order_by(work_items.c.finished_at))
    ]


def open_keys(conn: Connection, dataset: str) -> set[str]:
    """The storage keys of `dataset` still queued or running."""
    query = select(work_items.c.storage_key).where(
        work_items.c.dataset == dataset, work_items.c.state.in_(("queued", "running"))
    )
    return set(conn.execute(query).scalars())


def summary(conn: Connection) -> dict[str, Any]:
    """Files by state per data set, and per worker (what each one has running, done and failed)."""
    datasets: dict[str, dict[str, int]] = {}
    for dataset, state, count in conn.execute(
        select(work_items.c.dataset, work_items.c.state, func.count())
        .group_by(work_items.c.dataset, work_items.c.state)
        .order_by(work_items.c.dataset)
    ):
        datasets.setdefault(dataset, dict.fromkeys(STATES, 0))[state] = count
    workers: dict[str, dict[str, int]] = {}
    for worker, state, count in conn.execute(
        select(work_items.c.worker, work_items.c.state, func.count())
        .where(work_items.c.worker.is_not(None), work_items.c.state != "queued")
        .group_by(work_items.c.worker, work_items.c.state)
        .order_by(work_items.c.worker)
    ):
        workers.setdefault(worker, {"running": 0, "done": 0, "failed": 0})[state] = count
    return {"datasets": datasets, "workers": workers}


def keys(items: Iterable[WorkItem]) -> set[str]:
    return {item.storage_key for item in items}
