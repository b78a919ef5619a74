"""Read what the index needs about documents from the archive database (SQLAlchemy Core)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from unsealed.search.model import PageDoc
from unsealed.store.schema import documents, emails, entities, mentions, pages


@dataclass
class DocumentPages:
    document_id: str
    updated_at: datetime | None
    enriched_at: datetime | None
    pages: list[PageDoc] = field(default_factory=list)


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


@dataclass
class _Headers:
    """A document's printed e-mail headers: its own (seq 0) apply to every page, quoted ones to theirs."""

    sender: str | None = None
    sent_at: datetime | None = None
    senders: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    quoted: dict[int, tuple[list[str], list[str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, mails: list[Any]) -> _Headers:
        head = cls()
        for mail in mails:
            person = _person(mail.sender_name, mail.sender_address)
            people = _recipients(mail.recipients)
            if mail.seq == 0:
                head.sender, head.sent_at = person, mail.sent_at
                head.senders = [person] if person else []
                head.recipients = people
            else:
                senders, recipients = head.quoted.setdefault(mail.page_number, ([], []))
                senders.extend([person] if person else [])
                recipients.extend(people)
        return head


def load_documents(conn: Connection, document_ids: Sequence[str]) -> list[DocumentPages]:
    """The documents with their pages ready to index; ids that no longer exist are left out."""
    ids = list(document_ids)
    docs = {
        row.id: row
        for row in conn.execute(
            select(
                documents.c.id,
                documents.c.dataset,
                documents.c.filename,
                documents.c.doc_type,
                documents.c.doc_date,
                documents.c.updated_at,
                documents.c.enriched_at,
            ).where(documents.c.id.in_(ids))
        )
    }
    mail_rows = defaultdict(list)
    for row in conn.execute(
        select(
            emails.c.document_id,
            emails.c.seq,
            emails.c.page_number,
            emails.c.sender_name,
            emails.c.sender_address,
            emails.c.recipients,
            emails.c.sent_at,
        ).where(emails.c.document_id.in_(ids))
    ):
        mail_rows[row.document_id].append(row)
    names: dict[tuple[str, int], list[str]] = defaultdict(list)
    for row in conn.execute(
        select(mentions.c.document_id, mentions.c.page_number, entities.c.name)
        .join(entities, entities.c.id == mentions.c.entity_id)
        .where(mentions.c.document_id.in_(ids), entities.c.hidden.is_(False))
        .distinct()
        .order_by(mentions.c.document_id, mentions.c.page_number, entities.c.name)
    ):
        names[(row.document_id, row.page_number)].append(row.name)

    headers = {doc_id: _Headers.of(mail_rows.get(doc_id, [])) for doc_id in docs}
    out = {doc_id: DocumentPages(doc_id, doc.updated_at, doc.enriched_at) for doc_id, doc in docs.items()}
    page_rows = conn.execute(
        select(pages.c.document_id, pages.c.number, pages.c.text, pages.c.bates)
        .where(pages.c.document_id.in_(ids))
        .order_by(pages.c.document_id, pages.c.number)
    )
    for doc_id, number, text, bates in page_rows:
        doc, head = docs[doc_id], headers[doc_id]
        quoted = head.quoted.get(number)
        out[doc_id].pages.append(
            PageDoc(
                document_id=doc_id,
                page=number,
                dataset=doc.dataset,
                filename=doc.filename,
                text=text or "",
                bates=bates,
                doc_type=doc.doc_type,
                date=doc.doc_date or head.sent_at,
                sender=head.sender,
                senders=head.senders + quoted[0] if quoted else head.senders,
                recipients=head.recipients + quoted[1] if quoted else head.recipients,
                entities=names.get((doc_id, number), []),
            )
        )
    return [out[i] for i in ids if i in out]
