"""Read what the index needs about documents from the archive database (SQLAlchemy Core).

One `DocumentPages` per document: the values every page shares (data set, file name, type, date,
the e-mail header's people) once, then each page's own (number, text, Bates, entity names, quoted
e-mail headers). No object per page: a rebuild reads millions of pages, and the writer turns each
page into an index document straight from these.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, select

from unsealed.store.schema import documents, emails, entities, mentions, near_duplicates, pages

# (number, text, bates) of one page
PageRow = tuple[int, str, str | None]


@dataclass
class DocumentPages:
    """One document as the index sees it; each page becomes one index document.

    A page's senders are the document's own (`senders`) plus those of messages quoted on that page
    (`quoted`), likewise its recipients; `sender` (the facet) is the document's own only.
    """

    document_id: str
    updated_at: datetime | None
    enriched_at: datetime | None
    dataset: str = ""
    filename: str = ""
    doc_type: str | None = None
    date: datetime | None = None  # the document's date, else its own e-mail header's
    sender: str | None = None  # the document's own sender, for the facet ("Name <address>")
    senders: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    sha256: str | None = None  # exact copies share it (the copy key until clusters are known)
    cluster: str | None = None  # the document's near-duplicate cluster
    page_clusters: dict[int, str] = field(default_factory=dict)  # page number -> its cluster
    pages: list[PageRow] = field(default_factory=list)  # in page order
    entities: dict[int, list[str]] = field(default_factory=dict)  # page number -> names, sorted
    # page number -> (senders, recipients) of the messages quoted on it
    quoted: dict[int, tuple[list[str], list[str]]] = field(default_factory=dict)

    def page_people(self, number: int) -> tuple[list[str], list[str]]:
        """(senders, recipients) on page `number`."""
        quoted = self.quoted.get(number)
        if quoted is None:
            return self.senders, self.recipients
        return self.senders + quoted[0], self.recipients + quoted[1]


def _person(name: str | None, address: str | None) -> str | None:
    name, address = (name or "").strip(), (address or "").strip()
    if name and address:
        return f"{name} <{address}>"
    return name or address or None


def _recipients(raw: str | None) -> list[str]:
    """Names and addresses from emails.recipients ({"to": [{"name", "address"}], "cc": ...})."""
    if not raw:
        return []
    try:
        data: Any = json.loads(raw)
    except json.JSONDecodeError:
        return [raw]  # not JSON: keep the text searchable as it is
    found: list[str] = []
    groups = data.values() if isinstance(data, dict) else [data]
    for group in groups:
        for person in group if isinstance(group, list) else []:
            if isinstance(person, dict):
                value = _person(person.get("name"), person.get("address"))
                if value:
                    found.append(value)
            elif isinstance(person, str):
                found.append(person)
    return found


def _add_headers(doc: DocumentPages, mails: list[Any]) -> None:
    """A document's printed e-mail headers: its own (seq 0) apply to every page, quoted ones to theirs."""
    for _, seq, page_number, sender_name, sender_address, recipients, sent_at in mails:
        person = _person(sender_name, sender_address)
        people = _recipients(recipients)
        if seq == 0:
            doc.sender = person
            doc.senders = [person] if person else []
            doc.recipients = people
            doc.date = doc.date or sent_at
        else:
            senders, recipients_ = doc.quoted.setdefault(page_number, ([], []))
            senders.extend([person] if person else [])
            recipients_.extend(people)


_IDS: BindParameter[list[str]] = bindparam("ids", expanding=True)
_DOCUMENTS = select(
    documents.c.id,
    documents.c.dataset,
    documents.c.filename,
    documents.c.doc_type,
    documents.c.doc_date,
    documents.c.updated_at,
    documents.c.enriched_at,
    documents.c.sha256,
).where(documents.c.id.in_(_IDS))
_CLUSTERS = select(
    near_duplicates.c.document_id, near_duplicates.c.page_number, near_duplicates.c.cluster
).where(near_duplicates.c.document_id.in_(_IDS), near_duplicates.c.cluster != "")
_EMAILS = (
    select(
        emails.c.document_id,
        emails.c.seq,
        emails.c.page_number,
        emails.c.sender_name,
        emails.c.sender_address,
        emails.c.recipients,
        emails.c.sent_at,
    )
    .where(emails.c.document_id.in_(_IDS))
    .order_by(emails.c.document_id, emails.c.seq)
)
_ENTITY_NAMES = (
    select(mentions.c.document_id, mentions.c.page_number, entities.c.name)
    .join(entities, entities.c.id == mentions.c.entity_id)
    .where(mentions.c.document_id.in_(_IDS), entities.c.hidden.is_(False))
    .distinct()
    .order_by(mentions.c.document_id, mentions.c.page_number, entities.c.name)
)
_PAGES = (
    select(pages.c.document_id, pages.c.number, pages.c.text, pages.c.bates)
    .where(pages.c.document_id.in_(_IDS))
    .order_by(pages.c.document_id, pages.c.number)
)


def load_documents(conn: Connection, document_ids: Sequence[str]) -> list[DocumentPages]:
    """The documents with their pages ready to index; ids that no longer exist are left out.

    Five statements for the whole batch, built once (the ids are one expanding parameter); rows are
    fetched with `.all()` and unpacked as tuples: iterating SQLAlchemy rows one at a time and
    reading them by name cost more than SQLite itself.
    """
    ids = list(document_ids)
    params = {"ids": ids}
    out: dict[str, DocumentPages] = {}
    for doc_id, dataset, filename, doc_type, doc_date, updated_at, enriched_at, sha256 in conn.execute(
        _DOCUMENTS, params
    ).all():
        out[doc_id] = DocumentPages(
            doc_id, updated_at, enriched_at, dataset, filename, doc_type, doc_date, sha256=sha256
        )

    for doc_id, number, cluster in conn.execute(_CLUSTERS, params).all():
        if doc_id in out:
            if number == 0:
                out[doc_id].cluster = cluster
            else:
                out[doc_id].page_clusters[number] = cluster

    mails: dict[str, list[Any]] = {}
    for mail in conn.execute(_EMAILS, params).all():
        mails.setdefault(mail[0], []).append(mail)
    for doc_id, rows in mails.items():
        if doc_id in out:
            _add_headers(out[doc_id], rows)

    for doc_id, number, name in conn.execute(_ENTITY_NAMES, params).all():
        if doc_id in out:
            out[doc_id].entities.setdefault(number, []).append(name)

    current: DocumentPages | None = None
    for doc_id, number, text, bates in conn.execute(_PAGES, params).all():
        if current is None or current.document_id != doc_id:
            current = out[doc_id]
        current.pages.append((number, text or "", bates))
    return [out[i] for i in ids if i in out]
