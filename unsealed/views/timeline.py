"""The timeline: dated events (e-mails sent, document dates, load-file dates) with citations.

Events come from three places: each distinct e-mail message (email_threads: its printed clock, its
first appearance cited), each document's date, and each load-file field whose name holds "date"
(parsed with dateutil). Filters: an entity (documents that mention it), a sender, a data set, and
a range (`start`/`end`: 2014, 2014-03 or 2014-03-07, as in search's `date:`). The month histogram
is over the filtered events; each bar links to the timeline narrowed to that month.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from dateutil import parser as dateparser
from sqlalchemy import Connection, select

from unsealed.search.errors import QueryError
from unsealed.search.values import parse_date_value
from unsealed.store.schema import document_fields, documents, email_threads, entities, mentions, pages
from unsealed.views.links import page_url
from unsealed.views.models import Timeline, TimelineEvent, TimelineFilters, TimelineMonth

MAX_EVENTS = 500


@dataclass(slots=True)
class _Event:
    """An event before it is listed (only the listed ones become models)."""

    when: datetime
    kind: str
    label: str
    document_id: str
    page: int
    bates: str | None
    dataset: str
    filename: str
    thread: str | None = None

    def listed(self) -> TimelineEvent:
        return TimelineEvent(
            when=self.when.isoformat(timespec="minutes"),
            kind=self.kind,
            label=self.label,
            document_id=self.document_id,
            page=self.page,
            bates=self.bates,
            dataset=self.dataset,
            filename=self.filename,
            thread=self.thread,
            url=page_url(self.document_id, self.page),
        )


def _day(value: str, *, end: bool) -> date | None:
    if not value.strip():
        return None
    try:
        span = parse_date_value(value.strip())
    except QueryError:
        return None
    return span[1] if end else span[0]


def _field_date(value: str) -> datetime | None:
    try:
        return dateparser.parse(value, default=datetime(1900, 1, 1))
    except (ValueError, OverflowError):
        return None


def _entity_documents(conn: Connection, entity: str) -> set[str]:
    ids = set(conn.execute(select(entities.c.id).where(entities.c.id == entity)).scalars())
    ids |= set(conn.execute(select(entities.c.id).where(entities.c.name == entity)).scalars())
    return set(conn.execute(select(mentions.c.document_id).where(mentions.c.entity_id.in_(ids))).scalars())


def _events(conn: Connection, dataset: str, sender: str) -> list[_Event]:
    events: list[_Event] = []
    mails = (
        select(
            email_threads.c.message,
            email_threads.c.document_id,
            email_threads.c.page_number,
            email_threads.c.clock,
            email_threads.c.sender_display,
            email_threads.c.subject_display,
            email_threads.c.thread,
            documents.c.dataset,
            documents.c.filename,
            pages.c.bates,
        )
        .join(documents, documents.c.id == email_threads.c.document_id)
        .outerjoin(
            pages,
            (pages.c.document_id == email_threads.c.document_id)
            & (pages.c.number == email_threads.c.page_number),
        )
        .where(email_threads.c.clock.is_not(None))
        .order_by(email_threads.c.message, email_threads.c.document_id)
    )
    if dataset:
        mails = mails.where(documents.c.dataset == dataset)
    if sender:
        mails = mails.where(email_threads.c.sender_display.ilike(f"%{sender}%"))
    seen: set[str] = set()
    for r in conn.execute(mails):
        if r.message in seen:
            continue
        seen.add(r.message)
        events.append(
            _Event(
                when=r.clock,
                kind="e-mail",
                label=f"{r.sender_display or '[sender unknown]'}: {r.subject_display or '(no subject)'}",
                document_id=r.document_id,
                page=r.page_number,
                bates=r.bates,
                dataset=r.dataset,
                filename=r.filename,
                thread=r.thread,
            )
        )
    if sender:
        return events
    docs = select(
        documents.c.id, documents.c.doc_date, documents.c.title, documents.c.filename, documents.c.dataset,
        documents.c.bates_first,
    ).where(documents.c.doc_date.is_not(None))  # fmt: skip
    fields = (
        select(document_fields.c.document_id, document_fields.c.name, document_fields.c.value,
               documents.c.filename, documents.c.dataset, documents.c.bates_first)
        .join(documents, documents.c.id == document_fields.c.document_id)
        .where(document_fields.c.key.contains("date"))
    )  # fmt: skip
    if dataset:
        docs = docs.where(documents.c.dataset == dataset)
        fields = fields.where(documents.c.dataset == dataset)
    for d in conn.execute(docs):
        events.append(
            _Event(d.doc_date.replace(tzinfo=None), "document", d.title or d.filename, d.id, 1, d.bates_first,
                   d.dataset, d.filename)
        )  # fmt: skip
    for f in conn.execute(fields):
        when = _field_date(f.value)
        if when is not None:
            events.append(
                _Event(when.replace(tzinfo=None), f"load file {f.name}", f.filename, f.document_id, 1,
                       f.bates_first, f.dataset, f.filename)
            )  # fmt: skip
    return events


def timeline_view(
    conn: Connection, *, start: str = "", end: str = "", entity: str = "", sender: str = "", dataset: str = ""
) -> Timeline:
    """`timeline --json`, `/api/v1/timeline` and `/timeline`."""
    events = _events(conn, dataset, sender)
    if entity:
        allowed = _entity_documents(conn, entity)
        events = [e for e in events if e.document_id in allowed]
    low, high = _day(start, end=False), _day(end or start, end=True)
    if low is not None:
        events = [e for e in events if e.when.date() >= low]
    if high is not None:
        events = [e for e in events if e.when.date() < high]
    events.sort(key=lambda e: e.when)
    months = Counter(e.when.strftime("%Y-%m") for e in events)
    histogram = [
        TimelineMonth(month=m, count=n, url=f"/timeline?start={m}&end={m}") for m, n in sorted(months.items())
    ]
    return Timeline(
        filters=TimelineFilters(start=start, end=end, entity=entity, sender=sender, dataset=dataset),
        total=len(events),
        histogram=histogram,
        max_count=max(months.values(), default=0),
        events=[e.listed() for e in events[:MAX_EVENTS]],
        truncated=len(events) > MAX_EVENTS,
    )
