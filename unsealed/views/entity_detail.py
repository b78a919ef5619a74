"""Read functions for an entity: aliases, rules, documents, mentions with citations, co-mentions,
e-mails, timeline. None reads every mention of a hub entity: mentions are paged from the entity
index; documents, timeline, co-mentions, aliases and rules come from the summaries resolution keeps
(store/entity_links.py), e-mails from the `email_people` key index. Plain dicts; views/entity.py
makes the typed model.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    Connection,
    ScalarSelect,
    Select,
    Subquery,
    and_,
    bindparam,
    exists,
    func,
    select,
    union,
)

from unsealed.enrich.email_people import ROLES as RECIPIENT_ROLES
from unsealed.enrich.names import name_key
from unsealed.store.schema import (
    document_entities,
    documents,
    email_people,
    emails,
    entities,
    entity_months,
    entity_pairs,
    mentions,
    pages,
)
from unsealed.store.schema import entity_forms as forms_table
from unsealed.views.queries import email_dict

SNIPPET_CHARS = 90


def entity_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(entities)).scalar_one())


def get_entity(conn: Connection, entity_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(entities).where(entities.c.id == entity_id)).mappings().first()
    return dict(row) if row else None


def entity_forms(conn: Connection, entity_id: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The surface forms the entity was printed as (OCR variants included), most frequent first,
    and how its mentions were linked to it (resolution rule → mentions; "exact" when none), from
    the forms summary resolution keeps (store/entity_links.py)."""
    rows = conn.execute(
        select(forms_table.c.text, forms_table.c.rule, forms_table.c.mentions).where(
            forms_table.c.entity_id == entity_id
        )
    ).all()
    forms: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    for text, how, n in rows:
        forms[text] += n
        rules[how] += n
    aliases = [{"text": t, "count": n} for t, n in sorted(forms.items(), key=lambda tn: (-tn[1], tn[0]))]
    return aliases, dict(sorted(rules.items(), key=lambda rn: (-rn[1], rn[0])))


def entity_documents(conn: Connection, entity_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """Documents that mention the entity, with mention counts, most mentions first (read from the
    link summary's (entity, mentions) index: the first `limit` without counting the rest)."""
    per_doc = (
        select(document_entities.c.document_id, document_entities.c.mentions)
        .where(document_entities.c.entity_id == entity_id)
        .order_by(document_entities.c.mentions.desc(), document_entities.c.document_id.desc())
        .limit(limit)  # both descending: the index read backwards, no sort
        .subquery()
    )
    return documents_by_mentions(conn, per_doc, documents.c.bates_first)


def documents_by_mentions(
    conn: Connection, per_doc: Subquery, tiebreak: ColumnElement[Any], limit: int | None = None
) -> list[dict[str, Any]]:
    """The documents of `per_doc` (document_id, mentions) with their citation fields, most
    mentions first."""
    stmt = (
        select(
            documents.c.id,
            documents.c.filename,
            documents.c.dataset,
            documents.c.doc_type,
            documents.c.bates_first,
            documents.c.doc_date,
            per_doc.c.mentions,
        )
        .join(per_doc, per_doc.c.document_id == documents.c.id)
        .order_by(per_doc.c.mentions.desc(), tiebreak)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _snippet(text: str, start: int, end: int) -> dict[str, str]:
    before = text[max(0, start - SNIPPET_CHARS) : start]
    after = text[end : end + SNIPPET_CHARS]
    return {
        "before": ("…" if start > SNIPPET_CHARS else "") + before.replace("\n", " "),
        "match": text[start:end].replace("\n", " "),
        "after": after.replace("\n", " ") + ("…" if end + SNIPPET_CHARS < len(text) else ""),
    }


# An entity's page of mentions, as statements built once (a page binds the entity, limit and
# offset): the page of mentions first, from the (entity, id) index alone, read in order (extraction
# order, by document as ingested: no sort of all the entity's mentions), then their rows, pages and
# documents: the joins run for `per_page` mentions, not for all of them
_ENTITY: BindParameter[str] = bindparam("entity")
_MENTION_TOTAL = select(func.count()).select_from(mentions).where(mentions.c.entity_id == _ENTITY)
_PAGE_IDS = (
    select(mentions.c.id)
    .where(mentions.c.entity_id == _ENTITY)
    .order_by(mentions.c.id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
    .subquery()
)
_MENTION_FIELDS = ("id", "document_id", "page_number", "start", "end", "bates", "filename", "dataset")
_MENTION_PAGE = (
    select(
        mentions.c.id,
        mentions.c.document_id,
        mentions.c.page_number,
        mentions.c.start,
        mentions.c.end,
        pages.c.bates,
        documents.c.filename,
        documents.c.dataset,
        pages.c.text,
    )
    .select_from(_PAGE_IDS)
    .join(mentions, mentions.c.id == _PAGE_IDS.c.id)
    .join(documents, documents.c.id == mentions.c.document_id)
    .join(
        pages,
        and_(pages.c.document_id == mentions.c.document_id, pages.c.number == mentions.c.page_number),
    )
    .order_by(mentions.c.id)
)


def entity_mentions(conn: Connection, entity_id: str, *, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """One page of the entity's mentions with a snippet and a citation (Bates, page, file, data set)."""
    total = conn.execute(_MENTION_TOTAL, {"entity": entity_id}).scalar_one()
    bound = {"entity": entity_id, "limit": per_page, "offset": (max(page, 1) - 1) * per_page}
    items = []
    for *fields, page_text in conn.execute(_MENTION_PAGE, bound).tuples():
        item = dict(zip(_MENTION_FIELDS, fields, strict=True))
        item["snippet"] = _snippet(page_text or "", item["start"], item["end"])
        items.append(item)
    return {"total": total, "page": page, "per_page": per_page, "mentions": items}


def co_mentioned(
    conn: Connection, entity_id: str, limit: int = 30, *, min_shared: int = 1, types: list[str] | None = None
) -> list[dict[str, Any]]:
    """Entities mentioned in the same documents, with the number of documents they share (read
    from the pair summary, most shared first)."""
    query = (
        select(entities.c.id, entities.c.type, entities.c.name, entity_pairs.c.documents)
        .join(entities, entities.c.id == entity_pairs.c.other_id)
        .where(
            entity_pairs.c.entity_id == entity_id,
            entity_pairs.c.documents >= min_shared,
            entities.c.hidden.is_(False),
        )
    )
    if types:
        query = query.where(entities.c.type.in_(types))
    rows = conn.execute(
        query.order_by(entity_pairs.c.documents.desc(), entities.c.name).limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


def _email_dict(row: Any) -> dict[str, Any]:
    return {**email_dict(row), "document_id": row.document_id, "filename": row.filename}


# An entity's e-mails, as statements built once (their compiled SQL is cached; a page only binds
# its alias keys): the alias keys, the messages (document, seq, sent date) it sent or received,
# those of them first by date, how many there are, and the addresses (names) it went by.
_KEYS: BindParameter[list[str]] = bindparam("keys", expanding=True)
_NAMED = email_people.c.key.in_(_KEYS)
_MESSAGE = (email_people.c.document_id, email_people.c.seq, email_people.c.sent_at)
_SENDER = email_people.alias("sender")
_AS_SENDER = exists().where(
    _SENDER.c.document_id == email_people.c.document_id,
    _SENDER.c.seq == email_people.c.seq,
    _SENDER.c.role == "from",
    _SENDER.c.key.in_(_KEYS),
)
_SENT = select(*_MESSAGE).where(_NAMED, email_people.c.role == "from").distinct()
# (the recipient roles by name, not `role != "from"`: SQLite then seeks them in the index)
_RECEIVED = select(*_MESSAGE).where(_NAMED, email_people.c.role.in_(RECIPIENT_ROLES), ~_AS_SENDER).distinct()


def _count(messages: Select[Any]) -> ScalarSelect[int]:
    return select(func.count()).select_from(messages.subquery()).scalar_subquery()


# received = messages that name it but not as their sender: all of them less those it sent
_TOTALS = select(
    _count(_SENT), _count(select(email_people.c.document_id, email_people.c.seq).where(_NAMED).distinct())
)
_LINKED = (
    select(email_people.c.other, func.count())
    .where(_NAMED, email_people.c.other.is_not(None))
    .group_by(email_people.c.other)
    .order_by(func.count().desc(), email_people.c.other)
)


def _first_by_date(messages: Select[Any], *, listed_once: bool = False) -> Select[Any]:
    """The first `limit` e-mails of `messages` in date order, then file name and position, with
    their file names.

    The (key, role, sent_at) index gives the first `limit` by date without reading the others; only
    they and those sent at the same time as the last of them (the file name that orders ties is in
    `documents`) are joined and sorted. Fewer than `limit`: no last one, its date reads NULL, and
    the undated ones it then adds are among the first already. The database orders both reads.

    `listed_once`: the messages are listed once (a CTE, which SQLite and PostgreSQL materialize when
    it is read more than once) and the three reads (first, last date, ties) read that list; for
    messages the index cannot give in date order anyway (received: three roles, each checked
    against the sender rows), instead of finding and checking them three times.
    """
    listed: CTE | Subquery
    if listed_once:
        listed = messages.cte("listed")
        first = select(listed).order_by(listed.c.sent_at).limit(bindparam("limit")).subquery()
    else:
        listed = messages.subquery()
        first = messages.order_by(email_people.c.sent_at).limit(bindparam("limit")).subquery()
    # (not DISTINCT dates: the date of the `limit`-th message)
    last = select(listed.c.sent_at).order_by(listed.c.sent_at).limit(1).offset(bindparam("last"))
    if listed_once:
        same = listed.c.sent_at.is_not_distinct_from(last.scalar_subquery())
        ties = select(listed.c.document_id, listed.c.seq).where(same)
    else:
        same = email_people.c.sent_at.is_not_distinct_from(last.scalar_subquery())
        ties = messages.where(same).with_only_columns(email_people.c.document_id, email_people.c.seq)
    picked = union(select(first.c.document_id, first.c.seq), ties).subquery()
    return (
        select(emails, documents.c.filename)
        .select_from(picked)
        .join(emails, and_(emails.c.document_id == picked.c.document_id, emails.c.seq == picked.c.seq))
        .join(documents, documents.c.id == emails.c.document_id)
        .order_by(emails.c.sent_at, documents.c.filename, emails.c.seq)
        .limit(bindparam("limit"))
    )


_FIRST_SENT = _first_by_date(_SENT)
_FIRST_RECEIVED = _first_by_date(_RECEIVED, listed_once=True)


def entity_emails(
    conn: Connection, entity: dict[str, Any], aliases: list[str], limit: int = 100
) -> dict[str, Any]:
    """E-mails a PERSON or EMAIL entity sent and received (the first `limit` of each by date, and
    how many there are), and the addresses (names) it went by.

    Matched by alias key: a person by `name_key` of any surface form it was printed as (OCR variants
    and curator merges included), an address by the address itself, through the `email_people`
    index of those keys (enrich/email_people.py) rather than by reading every e-mail.
    """
    empty: dict[str, Any] = {"sent": [], "received": [], "linked": [], "sent_total": 0, "received_total": 0}
    if entity["type"] == "EMAIL":
        keys = {entity["key"].lower()}
    elif entity["type"] == "PERSON":
        keys = {name_key(a, "PERSON") for a in {entity["name"], *aliases}} - {""}
    else:
        return empty
    probes = sorted(keys)[:20]
    if not probes or limit < 1:
        return empty
    sent_total, named_total = conn.execute(_TOTALS, {"keys": probes}).one()
    linked = conn.execute(_LINKED, {"keys": probes}).all()
    page = {"keys": probes, "limit": limit, "last": limit - 1}
    return {
        "sent": [_email_dict(r) for r in conn.execute(_FIRST_SENT, page)] if sent_total else [],
        "received": [_email_dict(r) for r in conn.execute(_FIRST_RECEIVED, page)]
        if named_total > sent_total
        else [],
        "linked": [{"value": value, "count": int(n)} for value, n in linked],
        "sent_total": int(sent_total),
        "received_total": int(named_total - sent_total),
    }


def entity_timeline(conn: Connection, entity_id: str) -> list[dict[str, Any]]:
    """Mentions per month, dated by the document's date or its own e-mail's sent date; undated left
    out (the month sums resolution keeps, store/entity_links.py)."""
    rows = conn.execute(
        select(entity_months.c.month, entity_months.c.mentions)
        .where(entity_months.c.entity_id == entity_id)
        .order_by(entity_months.c.month)
    ).all()
    return [{"month": m, "mentions": int(n)} for m, n in rows]
