"""Export the archive as followthemoney (FtM) entities, one JSON object per line.

Documents become `Pages` with one `Page` per page; printed e-mail headers become `Email`
entities (their `emitters`/`recipients` point at the address entities). Canonical entities
become `Person`, `Organization`, `Address` (places), or `LegalEntity` (e-mail addresses, phone
numbers). FtM checksums are SHA-1, so our sha256 is not exported as `contentHash`. Each
(entity, document) pair becomes a `Mention` (`Documentation` for places, which FtM does not let
a Mention resolve to). Ids are deterministic (prefix + our uuid), so two exports of
the same archive are identical. Values go through FtM's own cleaning (`proxy.add`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, TextIO

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import Connection, select

from unsealed.store.schema import documents, emails, entities, mentions, pages

SCHEMATA = {
    "PERSON": "Person",
    "ORG": "Organization",
    "LOCATION": "Address",
    "EMAIL": "LegalEntity",
    "PHONE": "LegalEntity",
    "URL": "LegalEntity",
}
MENTIONED_PROP = {
    "PERSON": "peopleMentioned",
    "ORG": "companiesMentioned",
    "LOCATION": "locationMentioned",
    "EMAIL": "emailMentioned",
    "PHONE": "phoneMentioned",
}


def _make(schema: str, entity_id: str, **props: Any) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for prop, value in props.items():
        for v in value if isinstance(value, list | tuple | set) else [value]:
            if v not in (None, ""):
                proxy.add(prop, v, quiet=True)
    return proxy


def _entity_proxy(row: Any) -> EntityProxy:
    eid = f"ent-{row.id}"
    if row.type == "LOCATION":
        return _make("Address", eid, full=row.name)
    extra = {"EMAIL": {"email": row.name}, "PHONE": {"phone": row.key}, "URL": {"website": row.name}}
    return _make(SCHEMATA[row.type], eid, name=row.name, **extra.get(row.type, {}))


def _address_text(person: dict[str, Any]) -> str:
    name, address = person.get("name"), person.get("address")
    return f"{name} <{address}>" if name and address else (name or address or "")


def iter_entities(conn: Connection) -> Iterator[EntityProxy]:
    """Every FtM entity of the archive (hidden entities and their mentions are left out)."""
    visible = {r.id: r for r in conn.execute(select(entities).where(entities.c.hidden.is_(False)))}
    email_ids = {r.key: f"ent-{r.id}" for r in visible.values() if r.type == "EMAIL"}
    for row in visible.values():
        yield _entity_proxy(row)
    mentioned: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for m in conn.execute(select(mentions.c.document_id, mentions.c.entity_id, mentions.c.text)):
        if m.entity_id in visible:
            mentioned[m.document_id][m.entity_id].add(" ".join(m.text.split()))
    for doc in conn.execute(select(documents).where(documents.c.status == "ok").order_by(documents.c.id)):
        doc_id = f"doc-{doc.id}"
        names_by_prop: dict[str, set[str]] = defaultdict(set)
        for eid in mentioned.get(doc.id, {}):
            prop = MENTIONED_PROP.get(visible[eid].type)
            if prop:
                names_by_prop[prop].add(visible[eid].name)
        yield _make(
            "Pages",
            doc_id,
            fileName=doc.filename,
            fileSize=doc.size_bytes,
            mimeType=doc.mime_type,
            title=doc.title or doc.bates_first or doc.filename,
            language=doc.language,
            **names_by_prop,
        )
        for page in conn.execute(select(pages.c.number, pages.c.text).where(pages.c.document_id == doc.id)):
            yield _make(
                "Page", f"page-{doc.id}-{page.number}", document=doc_id, index=page.number, bodyText=page.text
            )
        for eid, surface in sorted(mentioned.get(doc.id, {}).items()):
            ent = visible[eid]
            if ent.type == "LOCATION":
                yield _make(
                    "Documentation",
                    f"doc-ent-{doc.id}-{eid}",
                    document=doc_id,
                    entity=f"ent-{eid}",
                    role="mentioned",
                    summary=sorted(surface),
                )
            else:
                yield _make(
                    "Mention",
                    f"mention-{doc.id}-{eid}",
                    document=doc_id,
                    resolved=f"ent-{eid}",
                    name=sorted(surface),
                    detectedSchema=SCHEMATA[ent.type],
                )
        for e in conn.execute(select(emails).where(emails.c.document_id == doc.id).order_by(emails.c.seq)):
            recipients = json.loads(e.recipients) if e.recipients else {}
            people = [p for k in ("to", "cc", "bcc") for p in recipients.get(k, [])]
            yield _make(
                "Email",
                f"email-{doc.id}-{e.seq}",
                subject=e.subject,
                title=e.subject,
                **{"from": _address_text({"name": e.sender_name, "address": e.sender_address})},
                to=[_address_text(p) for p in recipients.get("to", [])],
                cc=[_address_text(p) for p in recipients.get("cc", [])],
                bcc=[_address_text(p) for p in recipients.get("bcc", [])],
                date=e.sent_at.strftime("%Y-%m-%dT%H:%M:%S") if e.sent_at else None,
                emitters=email_ids.get((e.sender_address or "").lower()),
                recipients=[email_ids[p["address"]] for p in people if p.get("address") in email_ids],
                proof=doc_id,
            )


def write_ftm(conn: Connection, out: TextIO) -> int:
    """Write the export as JSON lines; returns the number of entities written."""
    count = 0
    for proxy in iter_entities(conn):
        out.write(json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count
