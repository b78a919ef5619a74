"""The entity, entity list and network models (`entity --json`, `entities --json`, their API twins)."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import Connection, func, select

from unsealed.errors import NotFoundError
from unsealed.store.schema import documents, mentions
from unsealed.views import entity_detail as detail
from unsealed.views.entity_graph import co_mention_graph
from unsealed.views.models import (
    Entity,
    EntityDocument,
    EntityLinks,
    EntityList,
    EntitySummary,
    Network,
    SharedDocuments,
    paging,
)
from unsealed.views.queries import count_entities, iso, list_entities

MENTIONS_PER_PAGE = 50
ENTITIES_PER_PAGE = 100
DOCUMENTS_SHOWN = 50  # most mentions first; the rest through links.all_documents (a search)
EMAILS_SHOWN = 25  # of each of sent and received, by date


def _entity_row(conn: Connection, entity_id: str) -> dict[str, object]:
    entity = detail.get_entity(conn, entity_id)
    if entity is None:
        raise NotFoundError(f"no entity {entity_id!r}")
    return entity


def entity_view(conn: Connection, entity_id: str, page: int = 1) -> Entity:
    """One entity: aliases, rules, documents, a page of mentions, co-mentions, e-mails, timeline."""
    entity = _entity_row(conn, entity_id)
    found = detail.entity_mentions(conn, entity_id, page=page, per_page=MENTIONS_PER_PAGE)
    aliases, rules = detail.entity_forms(conn, entity_id)
    mail = detail.entity_emails(conn, entity, [a["text"] for a in aliases], limit=EMAILS_SHOWN)
    return Entity.model_validate(
        {
            **entity,
            "aliases": aliases,
            "rules": rules,
            "documents": [
                {**d, "doc_date": iso(d["doc_date"])}
                for d in detail.entity_documents(conn, entity_id, limit=DOCUMENTS_SHOWN)
            ],
            "mentions": found["mentions"],
            "paging": paging(page, MENTIONS_PER_PAGE, found["total"]),
            "co_mentions": detail.co_mentioned(conn, entity_id),
            "linked": mail["linked"],
            "emails_sent": mail["sent"],
            "emails_received": mail["received"],
            "emails_sent_total": mail["sent_total"],
            "emails_received_total": mail["received_total"],
            "timeline": detail.entity_timeline(conn, entity_id),
            "links": EntityLinks(
                html=f"/entities/{entity_id}",
                api=f"/api/v1/entities/{entity_id}",
                network=f"/network?entity={entity_id}",
                all_documents="/search?q=" + quote(f'entity:"{str(entity["name"]).replace(chr(34), " ")}"'),
            ),
        }
    )


def entities_view(
    conn: Connection,
    entity_type: str | None,
    *,
    page: int = 1,
    per_page: int = ENTITIES_PER_PAGE,
    contains: str = "",
    include_hidden: bool = False,
) -> EntityList:
    """One page of entities, most mentioned first, of one type and/or whose name holds `contains`."""
    rows = list_entities(
        conn,
        entity_type,
        per_page,
        include_hidden,
        offset=(page - 1) * per_page,
        contains=contains,
    )
    total = count_entities(conn, entity_type, include_hidden, contains)
    return EntityList(
        type=entity_type,
        filter=contains,
        entities=[EntitySummary(**r) for r in rows],
        paging=paging(page, per_page, total),
    )


def network_view(
    conn: Connection, entity_id: str, limit: int, *, min_shared: int = 1, types: list[str] | None = None
) -> Network:
    graph = co_mention_graph(conn, entity_id, limit=limit, min_shared=min_shared, types=types or [])
    if graph is None:
        raise NotFoundError(f"no entity {entity_id!r}")
    return graph


def shared_documents_view(conn: Connection, a: str, b: str, limit: int = 200) -> SharedDocuments:
    """The documents two entities are both mentioned in (a network edge), most mentions first."""
    first, second = _entity_row(conn, a), _entity_row(conn, b)
    both = select(mentions.c.document_id).where(mentions.c.entity_id == b).distinct()
    per_doc = (
        select(mentions.c.document_id, func.count().label("mentions"))
        .where(mentions.c.entity_id == a, mentions.c.document_id.in_(both))
        .group_by(mentions.c.document_id)
        .subquery()
    )
    rows = detail.documents_by_mentions(conn, per_doc, documents.c.filename, limit)
    return SharedDocuments(
        a=EntitySummary.model_validate(first),
        b=EntitySummary.model_validate(second),
        documents=[EntityDocument(**{**r, "doc_date": iso(r["doc_date"])}) for r in rows],
    )
